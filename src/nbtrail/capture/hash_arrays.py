"""Canonical encodings of numpy and scipy values: arrays, masked and structured
arrays, numpy scalars, sparse matrices and random generators.

A plain array is its dtype, shape and C-order bytes, fed straight from memory
(no copy unless it is non-contiguous). The other kinds reduce to that, each
defined so that values equal under the library's own semantics hash equal:

- masked arrays: the mask, then the data with masked entries blanked (so what
  hides under the mask never matters); ``nomask`` and an all-False mask are the
  same value, and a masked array never hashes like a plain array;
- structured arrays: field names and field dtypes, then each field's values;
  offsets, alignment and padding are layout, not value;
- object arrays: element by element through the general dispatch (all-string
  ones through arrow, see ``_tables``);
- sparse matrices: shape, dtype and the canonical CSR (or, beyond 2-D, COO)
  content: storage format, index width, duplicate entries and explicit zeros
  never matter; sparse *matrix* and sparse *array* differ (their ``*`` does);
- random generators: the bit generator's full state, which decides every
  future draw.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from nbtrail.capture import _stream, _tables
from nbtrail.capture._hash_base import qualified_name
from nbtrail.capture._stream import Stream, feed_buffer

__all__ = [
    "dtype_token",
    "feed_masked",
    "feed_ndarray",
    "feed_numpy_scalar",
    "feed_random_state",
    "feed_sparse",
    "is_masked",
    "is_random_state",
    "is_sparse",
]


# -- dtypes ----------------------------------------------------------------------


def dtype_token(dtype: np.dtype) -> str:
    """A dtype as value: byte order, field offsets and padding left out."""
    if dtype.names is not None:
        assert dtype.fields is not None
        return repr([(name, dtype_token(dtype.fields[name][0])) for name in dtype.names])
    if dtype.subdtype is not None:
        base, shape = dtype.subdtype
        return f"{dtype_token(base)}{shape!r}"
    return dtype.newbyteorder("<").str if dtype.byteorder in "=>" else dtype.str


# -- plain, structured and object arrays --------------------------------------------


def feed_ndarray(s: Stream, arr: np.ndarray) -> None:
    """dtype, shape, then the values: raw bytes, per field, or per element."""
    if type(arr) is not np.ndarray:  # memmap, recarray, matrix: the same values
        arr = arr.view(np.ndarray)
    s.tag("ndarray")
    s.text(dtype_token(arr.dtype))
    s.uint(arr.ndim)
    for dim in arr.shape:
        s.uint(dim)
    if arr.dtype.names is not None:
        for name in arr.dtype.names:
            feed_ndarray(s, arr[name])
    elif arr.dtype.hasobject:
        _tables.feed_object_values(s, arr.reshape(-1), missing_as_null=False)
    elif arr.dtype.kind == "T":  # StringDType: its buffer holds pointers, not text
        _tables.feed_object_values(s, arr.reshape(-1).astype(object), missing_as_null=False)
    else:
        feed_buffer(s, arr)


def feed_numpy_scalar(s: Stream, obj: np.generic) -> None:
    if obj.dtype.hasobject or obj.dtype.names is not None or obj.dtype.kind == "T":
        s.tag("npobj")
        s.text(dtype_token(obj.dtype))
        s.value(obj.item())
        return
    s.tag("np")
    s.text(dtype_token(obj.dtype))
    feed_buffer(s, np.asarray(obj).reshape(1))


# -- masked arrays --------------------------------------------------------------------


def is_masked(obj: Any) -> bool:
    return isinstance(obj, np.ma.MaskedArray)


def feed_masked(s: Stream, arr: np.ma.MaskedArray) -> None:
    """The mask (none, or every entry's), then the data with masked entries blanked.

    ``fill_value`` and hard/soft masks are how the array behaves, not what it
    holds (numpy.ma's equality ignores them), so they are left out.
    """
    data = np.ma.getdata(arr)
    mask = np.ma.getmask(arr)
    s.tag("masked")
    if not isinstance(mask, np.ndarray) or not _any_masked(mask):  # nomask is a scalar
        s.tag("nomask")
        feed_ndarray(s, data)
        return
    s.tag("mask")
    feed_ndarray(s, mask)
    blanked = data.copy()
    _blank(blanked, mask)
    feed_ndarray(s, blanked)


def _any_masked(mask: np.ndarray) -> bool:
    if mask.dtype.names is not None:
        return any(_any_masked(mask[name]) for name in mask.dtype.names)
    return bool(mask.any())


def _blank(data: np.ndarray, mask: np.ndarray) -> None:
    """Set masked entries (per field for structured arrays) to one fixed value, in place."""
    if mask.dtype.names is not None:
        for name in mask.dtype.names:
            _blank(data[name], mask[name])
    elif data.dtype.hasobject:
        data[mask] = None
    else:
        data[mask] = np.zeros((), data.dtype)


# -- sparse matrices --------------------------------------------------------------------


def is_sparse(obj: Any) -> bool:
    """A scipy sparse matrix or array, recognised only if scipy.sparse is imported."""
    sparse = sys.modules.get("scipy.sparse")
    return sparse is not None and bool(sparse.issparse(obj))


def feed_sparse(s: Stream, m: Any) -> None:
    """Shape, dtype and canonical content; the user's matrix is never modified."""
    sparse = sys.modules["scipy.sparse"]
    s.tag("sparse")
    s.text("matrix" if isinstance(m, sparse.spmatrix) else "array")
    s.text(dtype_token(m.dtype))
    s.uint(len(m.shape))
    for dim in m.shape:
        s.uint(dim)
    if len(m.shape) == 2:
        _feed_csr(s, m)
    else:
        _feed_coo(s, m)


def _feed_csr(s: Stream, m: Any) -> None:
    """Row pointers, column indices (int64) and values of the canonical CSR form."""
    if m.format == "csr" and m.has_canonical_format:
        csr = m
    else:
        csr = m.tocsr(copy=True)
        csr.sum_duplicates()
    if not np.all(csr.data):  # explicit zeros are the same value as absent entries
        csr = csr.copy() if csr is m else csr
        csr.eliminate_zeros()
    s.tag("csr")
    _feed_ints(s, csr.indptr)
    _feed_ints(s, csr.indices)
    feed_ndarray(s, csr.data)


def _feed_coo(s: Stream, m: Any) -> None:
    coo = m.tocoo(copy=True)
    coo.sum_duplicates()
    coo.eliminate_zeros()
    s.tag("coo")
    for coords in coo.coords:
        _feed_ints(s, coords)
    feed_ndarray(s, coo.data)


def _feed_ints(s: Stream, ints: np.ndarray) -> None:
    """Index arrays as int64, converted a block at a time (their width is storage)."""
    s.uint(len(ints))
    if ints.dtype == np.dtype("<i8"):
        feed_buffer(s, ints)
        return
    step = max(1, _stream.HASH_BLOCK_BYTES // 8)
    for start in range(0, len(ints), step):
        s.raw(ints[start : start + step].astype("<i8"))


# -- random generators -----------------------------------------------------------------


def is_random_state(obj: Any) -> bool:
    return isinstance(obj, (np.random.RandomState, np.random.Generator, np.random.BitGenerator))


def feed_random_state(s: Stream, rng: Any) -> None:
    """The class and the bit generator's state (what every later draw follows from)."""
    s.tag("random")
    s.text(qualified_name(type(rng)))
    if isinstance(rng, np.random.RandomState):
        s.value(rng.get_state(legacy=False))
    elif isinstance(rng, np.random.Generator):
        s.value(rng.bit_generator.state)
    else:
        s.value(rng.state)
