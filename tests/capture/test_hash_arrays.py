"""numpy and scipy values beyond plain arrays: each hashed by value, never by layout."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from nbtrail.capture.hashing import content_hash, hash_value
from nbtrail.capture.values import describe_value

# Built identically here and in a child process (see test_equal_across_processes).
BUILD = textwrap.dedent(
    """
    import numpy as np, scipy.sparse as sp
    rec_dtype = [("id", "i4"), ("score", ">f8"), ("tag", "U3"), ("xy", "f4", (2,))]
    values = {
        "masked": np.ma.masked_array([1.0, 2.0, 3.0, 4.0], mask=[0, 1, 0, 0]),
        "masked_nomask": np.ma.masked_array(np.arange(6).reshape(2, 3)),
        "masked_object": np.ma.masked_array(
            np.array([0.1, 1, "lbfgs", None], dtype=object), mask=[0, 0, 0, 1]
        ),
        "masked_record": np.ma.masked_array(
            np.array([(1, 2.0), (3, 4.0)], dtype=[("a", "i4"), ("b", "f8")]),
            mask=[(0, 1), (0, 0)],
        ),
        "record": np.rec.array(
            [(1, 0.5, "abc", (1, 2)), (2, 1.5, "d", (3, 4))], dtype=rec_dtype
        ),
        "mixed": np.array(
            [1, 2.5, "s", None, (1, 2), {"k": [1]}, np.arange(3), np.float32(1)], dtype=object
        ),
        "sparse": sp.random(30, 20, density=0.2, format="csc", random_state=1),
        "sparse_array": sp.coo_array(np.eye(4)),
        "rng": np.random.default_rng(5),
        "legacy_rng": np.random.RandomState(5),
        "strings": np.array(["a", "bb", "ccc"], dtype=np.dtypes.StringDType()),
    }
    """
)


def _build() -> dict[str, object]:
    namespace: dict[str, object] = {}
    exec(BUILD, namespace)
    values = namespace["values"]
    assert isinstance(values, dict)
    return values


h = hash_value


def test_equal_across_processes() -> None:
    script = BUILD + textwrap.dedent(
        """
        import json
        from nbtrail.capture.hashing import hash_value
        print(json.dumps({k: hash_value(v) for k, v in values.items()}))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert {k: h(v) for k, v in _build().items()} == json.loads(out)


# -- masked arrays -----------------------------------------------------------------


def test_mask_matters() -> None:
    data = [1.0, 2.0, 3.0]
    a = np.ma.masked_array(data, mask=[0, 1, 0])
    assert h(a) == h(np.ma.masked_array(data, mask=[0, 1, 0]))
    assert h(a) != h(np.ma.masked_array(data, mask=[1, 0, 0]))
    assert h(a) != h(np.ma.masked_array(data, mask=[0, 0, 0]))
    assert h(np.ma.masked_array(data, mask=True)) != h(np.ma.masked_array([*data[:2], 9.0]))


def test_masked_entries_data_does_not_matter() -> None:
    a = np.ma.masked_array([1.0, 2.0, 3.0], mask=[0, 1, 0])
    b = np.ma.masked_array([1.0, np.nan, 3.0], mask=[0, 1, 0])
    c = np.ma.masked_array([1.0, 2.0, 3.0], mask=[0, 1, 0], fill_value=-1.0)
    assert h(a) == h(b) == h(c)
    assert h(a) != h(np.ma.masked_array([1.0, 2.0, 3.5], mask=[0, 1, 0]))
    assert a.data[1] == 2.0  # hashing never writes into the user's array
    objects = np.ma.masked_array(np.array(["x", 1], dtype=object), mask=[0, 1])
    assert h(objects) == h(np.ma.masked_array(np.array(["x", None], dtype=object), mask=[0, 1]))


def test_no_mask_is_not_a_plain_array() -> None:
    plain = np.arange(6.0).reshape(2, 3)
    nomask = np.ma.masked_array(plain)
    all_false = np.ma.masked_array(plain, mask=np.zeros((2, 3), bool))
    assert nomask.mask is np.ma.nomask
    assert h(nomask) == h(all_false)  # equal under numpy.ma
    assert h(nomask) != h(plain)
    assert content_hash(nomask).kind == "ndarray"


def test_masked_structured_arrays() -> None:
    dtype = [("a", "i4"), ("b", "f8")]
    data = np.array([(1, 2.0), (3, 4.0)], dtype=dtype)
    other = np.array([(1, 9.0), (3, 4.0)], dtype=dtype)
    mask = [(0, 1), (0, 0)]
    assert h(np.ma.masked_array(data, mask=mask)) == h(np.ma.masked_array(other, mask=mask))
    assert h(np.ma.masked_array(data, mask=[(1, 0), (0, 0)])) != h(
        np.ma.masked_array(data, mask=mask)
    )


def test_masked_summaries() -> None:
    for value in _build().values():
        summary = describe_value(value).summary
        json.dumps(summary, allow_nan=False)
    summary = describe_value(np.ma.masked_array([1.0, 50.0, 3.0], mask=[0, 1, 0])).summary
    assert summary["type"] == "numpy.ma.MaskedArray"
    assert (summary["shape"], summary["dtype"], summary["masked"]) == ([3], "float64", 1)
    assert (summary["min"], summary["max"], summary["mean"]) == (1.0, 3.0, 2.0)
    everything = describe_value(np.ma.masked_array([1.0, 2.0], mask=True)).summary
    assert everything["masked"] == 2 and "min" not in everything
    record = describe_value(_build()["masked_record"]).summary
    assert (record["masked"], record["fields"]) == (1, ["a", "b"])
    assert describe_value(np.ma.masked).summary["masked"] == 1


# -- structured and object arrays -----------------------------------------------------


def test_record_arrays_by_field_not_layout() -> None:
    rec = _build()["record"]
    assert isinstance(rec, np.recarray)
    plain = rec.view(np.ndarray)
    aligned = plain.astype(np.dtype(plain.dtype.descr, align=True))
    native = plain.astype([("id", "i4"), ("score", "<f8"), ("tag", "U3"), ("xy", "f4", (2,))])
    assert aligned.dtype.itemsize != plain.dtype.itemsize
    assert h(rec) == h(plain) == h(aligned) == h(native)
    changed = plain.copy()
    changed["xy"][1, 0] = 0
    renamed = plain.astype([("id", "i4"), ("value", "f8"), ("tag", "U3"), ("xy", "f4", (2,))])
    assert len({h(plain), h(changed), h(renamed), h(plain[["tag", "id"]])}) == 4
    assert h(plain[0]) == h(aligned[0]) != h(plain[1])  # np.void records too


def test_mixed_object_arrays() -> None:
    mixed = _build()["mixed"]
    assert h(mixed) == h(_build()["mixed"])
    variants = []
    for i, replacement in enumerate([2, 2.0, "t", 0, (1, 3), {"k": [2]}, np.arange(4), 1.0]):
        changed = mixed.copy()
        changed[i] = replacement
        variants.append(h(changed))
    assert len({h(mixed), *variants}) == len(variants) + 1
    assert h(mixed.reshape(2, 4)) != h(mixed)
    assert content_hash(mixed).kind == "ndarray" and "opaque" not in content_hash(mixed).notes


def test_string_dtype_by_text() -> None:
    strings = _build()["strings"]
    assert h(strings) == h(np.array(["a", "bb", "ccc"], dtype=np.dtypes.StringDType()))
    long_a = np.array(["x" * 40, "y"], dtype=np.dtypes.StringDType())
    long_b = np.array(["x" * 40, "y"], dtype=np.dtypes.StringDType())
    assert h(long_a) == h(long_b) != h(np.array(["x" * 40, "z"], dtype=np.dtypes.StringDType()))


def test_memmap_hashes_its_values(tmp_path: Path) -> None:
    a = np.arange(12.0).reshape(3, 4)
    mm = np.lib.format.open_memmap(tmp_path / "a.npy", mode="w+", dtype=a.dtype, shape=a.shape)
    mm[:] = a
    assert h(mm) == h(a)


# -- sparse ------------------------------------------------------------------------


def test_sparse_by_value_not_storage() -> None:
    dense = np.array([[0, 1.5, 0], [2.0, 0, 0], [0, 0, 3.0]])
    csr = sp.csr_matrix(dense)
    coo = sp.coo_matrix(dense)
    duplicated = sp.coo_matrix(([1.0, 0.5, 2.0, 3.0], ([0, 0, 1, 2], [1, 1, 0, 2])), shape=(3, 3))
    explicit_zero = sp.csr_matrix(
        (np.array([0.0, 1.5, 2.0, 3.0]), np.array([0, 1, 0, 2]), np.array([0, 2, 3, 4])),
        shape=(3, 3),
    )
    wide_index = csr.copy()
    wide_index.indices = wide_index.indices.astype(np.int64)
    wide_index.indptr = wide_index.indptr.astype(np.int64)
    variants = [csr, coo, sp.csc_matrix(dense), duplicated, explicit_zero, wide_index]
    assert len({h(v) for v in variants}) == 1
    assert duplicated.nnz == 4 and explicit_zero.nnz == 4  # the user's matrices are untouched
    changed = csr.copy()
    changed[2, 2] = 4.0
    others = {h(csr), h(changed), h(sp.csr_array(dense)), h(csr.astype(np.float32)), h(dense)}
    assert len(others) == 5
    assert h(sp.csr_matrix((3, 4))) != h(sp.csr_matrix((4, 3)))
    assert h(sp.coo_array(np.array([0, 1.0, 0]))) != h(sp.coo_array(np.array([1.0, 0, 0])))


def test_sparse_summary() -> None:
    record = describe_value(sp.csr_matrix(np.eye(4)))
    assert record.kind == "ndarray"
    summary = record.summary
    assert (summary["shape"], summary["nnz"], summary["format"], summary["density"]) == (
        [4, 4],
        4,
        "csr",
        0.25,
    )


# -- random generators --------------------------------------------------------------


@pytest.mark.parametrize(
    "make", [np.random.default_rng, np.random.RandomState, np.random.PCG64, np.random.MT19937]
)
def test_random_states_by_state(make: type) -> None:
    a, b = make(3), make(3)
    assert h(a) == h(b) != h(make(4))
    draw = a.random if hasattr(a, "random") else a.random_raw
    draw()
    assert h(a) != h(b)  # drawing advances the state
    record = describe_value(b)
    assert record.kind == "scalar" and "0x" not in json.dumps(record.summary)
    assert "opaque" not in record.summary
