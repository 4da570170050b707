"""Content hashes: equal values hash equal everywhere, any change changes the hash."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nbtrail.capture import _tables
from nbtrail.capture.hashing import (
    MAX_ELEMENTS,
    Unhashable,
    content_hash,
    file_key,
    hash_bytes,
    hash_file,
    hash_text,
    hash_value,
)
from nbtrail.capture.values import describe_file, describe_value
from nbtrail.records import BINDING_KINDS

# Built identically here and in a child process (see test_equal_across_processes).
BUILD = textwrap.dedent(
    """
    import numpy as np, pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    rng = np.random.default_rng(7)
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] > 0).astype(int)
    values = {
        "array": np.asfortranarray(X),
        "frame": pd.DataFrame({
            "x": X[:, 0], "n": np.arange(200), "s": [f"s{i % 7}" for i in range(200)],
            "o": pd.Series([f"o{i}" for i in range(200)], dtype=object),
            "c": pd.Categorical([("a", "b")[i % 2] for i in range(200)]),
            "t": pd.date_range("2024-01-01", periods=200, freq="h", tz="UTC"),
            "i": pd.array([None if i % 5 == 0 else i for i in range(200)], dtype="Int64"),
        }),
        "model": make_pipeline(StandardScaler(), LogisticRegression(random_state=0)).fit(X, y),
        "nested": {"b": [1, 2.5, None, "x"], "a": {3, 1, 2}, "t": (True, b"z")},
    }
    """
)


def _build() -> dict[str, object]:
    namespace: dict[str, object] = {}
    exec(BUILD, namespace)
    values = namespace["values"]
    assert isinstance(values, dict)
    return values


def h(value: object) -> str:
    return hash_value(value)


@pytest.fixture
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "f": rng.normal(size=50),
            "i": np.arange(50),
            "s": [f"w{i}" for i in range(50)],
            "c": pd.Categorical(["x", "y"] * 25),
        }
    )


# -- raw bytes and files --------------------------------------------------------


def test_hash_bytes_text_and_file_agree(tmp_path: Path) -> None:
    data = os.urandom(3 << 20) + "é".encode()
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    assert hash_file(path) == hash_bytes(data) == hash_bytes(memoryview(data))
    assert len(hash_file(path)) == 32
    assert hash_text("é") == hash_bytes("é".encode())
    abs_path, size, mtime_ns, inode = file_key(path)
    assert (abs_path, size) == (str(path.resolve()), len(data))
    assert mtime_ns > 0 and inode > 0
    record = describe_file(path)
    assert (record.kind, record.hash, record.summary["size"]) == ("file", hash_bytes(data), size)
    assert describe_file(tmp_path / "missing").kind == "unhashable"


# -- cross-process ---------------------------------------------------------------


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
    theirs = json.loads(out)
    ours = {k: h(v) for k, v in _build().items()}
    assert ours == theirs


# -- numpy -------------------------------------------------------------------------


def test_array_layout_does_not_matter() -> None:
    a = np.arange(24.0).reshape(4, 6)
    assert h(a) == h(np.asfortranarray(a)) == h(a.copy())
    big_endian = a.astype(">f8")
    assert h(big_endian) == h(a)
    strided = np.arange(48.0)[::2]
    assert h(strided) == h(np.ascontiguousarray(strided))


def test_non_contiguous_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("nbtrail.capture._stream.HASH_BLOCK_BYTES", 64)
    a = np.arange(600.0).reshape(20, 30)
    f = np.asfortranarray(a)
    assert h(f) == h(a)
    assert h(f[:, ::3]) == h(np.ascontiguousarray(a[:, ::3]))


def test_array_changes_change_hash() -> None:
    a = np.arange(12, dtype=np.int64).reshape(3, 4)
    changed = a.copy()
    changed[2, 3] = 99
    hashes = {h(a), h(changed), h(a.astype(np.int32)), h(a.reshape(4, 3)), h(a.T)}
    assert len(hashes) == 5


def test_object_and_structured_arrays() -> None:
    mixed = np.array([1, "a", None, 2.5, (1, 2)], dtype=object)
    assert h(mixed) == h(np.array([1, "a", None, 2.5, (1, 2)], dtype=object))
    assert h(mixed) != h(np.array([1, "a", None, 2.5, (1, 3)], dtype=object))
    strings = np.array(["a", "b", None], dtype=object)
    assert h(strings) != h(np.array(["a", "b", np.nan], dtype=object))
    assert h(np.array(["a", b"a"], dtype=object)) != h(np.array(["a", "a"], dtype=object))
    rec = np.array([(1, 2.0), (3, 4.0)], dtype=[("x", "i4"), ("y", "f8")])
    padded = rec.astype(np.dtype([("x", "i4"), ("y", "f8")], align=True))
    assert h(rec) == h(padded)  # offsets and padding are layout, not value
    assert h(rec) != h(rec.astype([("x", "i8"), ("y", "f8")]))  # field dtypes are
    assert h(rec) != h(rec.astype([("x", "i4"), ("z", "f8")]))  # and so are names


# -- pandas --------------------------------------------------------------------


def test_block_layout_does_not_matter() -> None:
    values = np.arange(60.0).reshape(20, 3)
    one_block = pd.DataFrame(values, columns=list("abc"))
    many_blocks = pd.DataFrame({c: values[:, i].copy() for i, c in enumerate("abc")})
    fortran = pd.DataFrame(np.asfortranarray(values), columns=list("abc"))
    assert h(one_block) == h(many_blocks) == h(fortran)


def test_frame_changes_change_hash(frame: pd.DataFrame) -> None:
    changed = frame.copy()
    changed.loc[10, "f"] = 0.5
    null = frame.copy()
    null.loc[3, "s"] = None
    variants = [
        frame,
        changed,
        null,
        frame[["i", "f", "s", "c"]],
        frame.astype({"i": "int32"}),
        frame.set_axis(frame.index + 1),
        frame.rename(columns={"f": "g"}),
        frame.astype({"s": object}),
    ]
    assert len({h(v) for v in variants}) == len(variants)
    assert h(frame) == h(frame.copy(deep=True))


def test_null_versus_value() -> None:
    for dtype in ("float64", "Int64", "boolean", "str", "string[pyarrow]", "object"):
        base = pd.Series([1, 0, 1] if dtype not in ("str", "string[pyarrow]") else ["1", "0", "1"])
        with_null = base.astype(object)
        with_null[1] = None
        a, b = base.astype(dtype), with_null.astype(dtype)
        assert h(a) != h(b), dtype


def test_sliced_arrow_strings_equal_fresh_copy() -> None:
    words = [f"word{i}" if i % 4 else None for i in range(40)]
    for dtype in ("str", "string[pyarrow]", "string[python]", object):
        df = pd.DataFrame({"s": pd.Series(words, dtype=dtype), "n": np.arange(40)})
        sliced = df.iloc[5:]
        fresh = pd.DataFrame(
            {
                "s": pd.Series(words[5:], dtype=dtype, index=range(5, 40)),
                "n": np.arange(5, 40),
            },
            index=range(5, 40),
        )
        assert h(sliced) == h(fresh), dtype


def test_chunked_arrow_column_equals_single_chunk() -> None:
    a = pd.Series([f"v{i}" for i in range(30)], dtype="string[pyarrow]")
    chunked = pd.concat([a.iloc[:10], a.iloc[10:]], ignore_index=True)
    assert chunked.array.__arrow_array__().num_chunks == 2
    assert h(chunked) == h(a)


def test_nullable_values_under_mask_are_ignored() -> None:
    a = pd.array([1, 2, 3], dtype="Int64")
    b = pd.array([1, 7, 3], dtype="Int64")
    a[1] = pd.NA
    b[1] = pd.NA
    assert h(pd.Series(a)) == h(pd.Series(b))


def test_string_dtypes_and_object_strings() -> None:
    words = ["a", "bb", None, "dddd"]
    py = pd.Series(words, dtype="string[python]")
    arrow = pd.Series(words, dtype="string[pyarrow]")
    assert h(py) == h(arrow)  # same dtype name and values: storage is not a value
    assert h(pd.Series(words, dtype="str")) != h(arrow)  # different dtypes
    mixed = pd.Series(["a", 1, None, 2.5], dtype=object)
    assert h(mixed) == h(pd.Series(["a", 1, None, 2.5], dtype=object))
    assert h(mixed) != h(pd.Series(["a", 1, None, 2.0], dtype=object))


def test_categorical_semantics() -> None:
    """Codes plus categories: reordering categories changes the dtype, so the hash."""
    values = ["a", "b", "a"]
    ab = pd.Series(pd.Categorical(values, categories=["a", "b"]))
    ba = pd.Series(pd.Categorical(values, categories=["b", "a"]))
    assert h(ab) == h(pd.Series(pd.Categorical(values, categories=["a", "b"])))
    assert h(ab) != h(ba)
    assert h(ab) != h(pd.Series(pd.Categorical(values, categories=["a", "b"], ordered=True)))
    assert h(ab) != h(pd.Series(values))


def test_indexes() -> None:
    assert h(pd.RangeIndex(5)) == h(pd.Index(np.arange(5)))
    assert h(pd.RangeIndex(0, 10, 2)) != h(pd.RangeIndex(5))
    mi = pd.MultiIndex.from_product([["a", "b"], [1, 2]], names=["k", "n"])
    assert h(mi) == h(pd.MultiIndex.from_tuples(list(mi), names=["k", "n"]))
    assert h(mi) != h(mi.set_names(["k", "m"]))
    assert content_hash(mi).kind == "index"
    s = pd.Series([1.0, 2.0], name="x")
    assert h(s) != h(s.rename("y")) and content_hash(s).kind == "series"


def test_datetimes_tz_and_periods() -> None:
    t = pd.Series(pd.date_range("2024-01-01", periods=5, tz="UTC"))
    assert h(t) == h(pd.Series(pd.date_range("2024-01-01", periods=5, tz="UTC")))
    assert h(t) != h(t.dt.tz_convert("Europe/Paris"))
    naive = pd.Series(pd.date_range("2024-01-01", periods=5))
    assert h(naive) != h(t)
    periods = pd.Series(pd.period_range("2024-01", periods=3, freq="M"))
    assert h(periods) != h(pd.Series(pd.period_range("2024-02", periods=3, freq="M")))


def test_parallel_columns_match_serial(monkeypatch: pytest.MonkeyPatch) -> None:
    df = _build()["frame"]
    serial = h(df)
    monkeypatch.setattr(_tables, "PARALLEL_MIN_BYTES", 0)
    assert h(df) == serial


# -- python values ------------------------------------------------------------


def test_scalars_are_type_tagged() -> None:
    distinct = [
        1,
        1.0,
        True,
        "1",
        b"1",
        None,
        np.int64(1),
        np.float32(1),
        1 + 0j,
        dt.date(2024, 1, 1),
        pd.Timestamp("2024-01-01"),
    ]
    assert len({h(v) for v in distinct}) == len(distinct)
    assert h(float("nan")) == h(float("-nan"))
    assert h(10**40) != h(10**40 + 1)


def test_containers() -> None:
    assert h({"a": 1, "b": [1, 2]}) == h({"b": [1, 2], "a": 1})
    assert h({3, 1, 2}) == h({1, 2, 3}) != h(frozenset({1, 2, 3}))
    assert h([1, 2]) != h((1, 2)) != h([2, 1])
    assert h([[1], [2]]) != h([[1, 2]])
    assert content_hash({"a": np.arange(3)}).kind == "collection"


def test_caps_are_reported_not_hidden() -> None:
    nested: list[object] = []
    for _ in range(200):
        nested = [nested]
    too_deep = describe_value(nested)
    assert too_deep.kind == "unhashable" and "deeper" in too_deep.summary["reason"]
    too_big = describe_value(list(range(MAX_ELEMENTS + 1)))
    assert too_big.kind == "unhashable" and "elements" in too_big.summary["reason"]


class Point:
    def __init__(self, x: int) -> None:
        self.x = x


class Locked:
    def __init__(self) -> None:
        self.lock = threading.Lock()


def test_opaque_and_unhashable_objects() -> None:
    record = describe_value(Point(1))
    assert record.kind == "opaque" and record.summary["hashed_by"] == "reduce"
    assert record.hash == h(Point(1)) != h(Point(2))
    locked = describe_value(Locked())
    assert locked.kind == "unhashable" and locked.hash is None
    assert "lock" in locked.summary["reason"]
    assert describe_value([1, Locked()]).kind == "unhashable"


def test_functions_and_modules() -> None:
    def f(x: int) -> int:
        return x + 1

    def g(x: int) -> int:
        return x + 2

    assert content_hash(f).kind == "function" and h(f) != h(g)
    assert h(f) == h(f)
    assert content_hash(np.sum).kind == "function"
    module = content_hash(json)
    assert module.kind == "module" and module.hash == h(json)


def test_every_kind_is_a_binding_kind() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([1, 2, 3])
    values = [*_build().values(), pd.Index([1]), pd.Series([1]), 1, json, h, fig, Point(1)]
    for value in values:
        assert describe_value(value).kind in BINDING_KINDS
    figure = content_hash(fig)
    assert figure.kind == "figure" and figure.hash == h(fig)
    ax.set_title("changed")
    assert h(fig) != figure.hash
    plt.close(fig)


# -- scikit-learn ----------------------------------------------------------------


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 3))
    return X, (X[:, 0] + rng.normal(scale=0.5, size=60) > 0).astype(int)


def test_estimator_fitted_state() -> None:
    from sklearn.ensemble import RandomForestClassifier

    X, y = _data()
    unfitted = RandomForestClassifier(n_estimators=5, random_state=3)
    a = RandomForestClassifier(n_estimators=5, random_state=3).fit(X, y)
    b = RandomForestClassifier(n_estimators=5, random_state=3).fit(X, y)
    c = RandomForestClassifier(n_estimators=5, random_state=4).fit(X, y)
    assert content_hash(a).kind == "model"
    assert h(a) == h(b)
    assert h(a) != h(unfitted)
    assert h(a) != h(c)
    assert h(unfitted) != h(RandomForestClassifier(n_estimators=6, random_state=3))


def test_unseeded_estimators_and_pipelines() -> None:
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = _data()
    forest = describe_value(RandomForestClassifier(n_estimators=3).fit(X, y))
    assert forest.summary["unseeded"] is True and forest.summary["unseeded_steps"] == [""]
    pipe = Pipeline(
        [
            ("prep", ColumnTransformer([("scale", StandardScaler(), [0, 1])])),
            ("clf", RandomForestClassifier(n_estimators=3)),
        ]
    ).fit(X, y)
    record = describe_value(pipe)
    assert record.kind == "model" and record.summary["unseeded_steps"] == ["clf"]
    seeded = describe_value(LogisticRegression(random_state=0).fit(X, y))
    assert seeded.summary["unseeded"] is False and seeded.summary["fitted"] is True
    assert describe_value(StandardScaler()).summary["unseeded"] is False


def test_describe_value_never_raises() -> None:
    class Exploding:
        def __reduce_ex__(self, protocol: object) -> object:
            raise RuntimeError("boom")

        def __repr__(self) -> str:
            raise RuntimeError("no repr either")

    record = describe_value(Exploding())
    assert record.kind == "unhashable" and record.hash is None
    with pytest.raises(Unhashable):
        content_hash(Exploding())
