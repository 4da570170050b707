"""Value-defined hashing of pandas objects and their arrow/numpy columns.

Split out of ``hashing`` because tables are where the speed matters: every
column is hashed separately from its own buffers (so block layout and memory
order never matter), numeric columns straight from memory, string and object
columns through pyarrow's vectorised conversion instead of per-element Python
work. Column digests are computed in a small thread pool for large frames:
xxhash releases the GIL, so buffer hashing overlaps with the GIL-bound object
conversions.

When the caller asks for a profile (``content_hash(value, profile=True)``),
the top-level frame's or series' column statistics are gathered in the same
pass (see ``_profile``): ``shared.profile["columns"]`` (one dict per column)
or ``shared.profile["column"]``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np

from nbtrail.capture import _profile
from nbtrail.capture._object_text import shared_text_array
from nbtrail.capture._stream import Stream, feed_buffer, feed_elements

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

#: Frames holding at least this many bytes hash their columns in parallel.
PARALLEL_MIN_BYTES = 32 << 20
#: int64 values generated per block when hashing a RangeIndex by value.
RANGE_BLOCK = 1 << 22


# -- pandas containers --------------------------------------------------------------


def feed_dataframe(s: Stream, df: pd.DataFrame) -> None:
    """Shape, column labels, index, then one digest per column in column order."""
    s.tag("dataframe")
    s.uint(df.shape[0])
    s.uint(df.shape[1])
    s.value(df.columns.tolist())
    s.value(list(df.columns.names))
    feed_index(s, df.index)
    arrays = [column.array for _, column in df.items()]  # by position, 2x cheaper than iloc
    profiles = _wanted(s, "columns", [{} for _ in arrays])
    for digest in _column_digests(s, arrays, profiles):
        s.raw(digest)


def feed_series(s: Stream, ser: pd.Series) -> None:
    s.tag("series")
    s.value(ser.name)
    feed_index(s, ser.index)
    feed_array_like(s, ser.array, _wanted(s, "column", {}))


def _wanted(s: Stream, key: str, empty: Any) -> Any:
    """Where a top-level table's column statistics go, or None when no profile was asked."""
    profile = s.shared.profile
    if profile is None or s.depth:
        return None
    profile[key] = empty
    return empty


def feed_index(s: Stream, idx: pd.Index) -> None:
    """Names and values of every level; a RangeIndex hashes like the int64 Index it equals."""
    pd = sys.modules["pandas"]
    s.tag("index")
    s.value(list(idx.names))
    s.uint(idx.nlevels)
    if isinstance(idx, pd.MultiIndex):
        for level in range(idx.nlevels):
            feed_array_like(s, idx.get_level_values(level).array)
    elif isinstance(idx, pd.RangeIndex):
        _feed_range(s, idx)
    else:
        feed_array_like(s, idx.array)


def _feed_range(s: Stream, idx: pd.RangeIndex) -> None:
    """Generated in blocks: never materialised (pandas would cache it on the index)."""
    s.tag("values")
    s.text("int64")
    s.uint(len(idx))
    first, step = idx.start, idx.step
    for pos in range(0, len(idx), RANGE_BLOCK):
        count = min(RANGE_BLOCK, len(idx) - pos)
        start = first + pos * step
        s.raw(np.arange(start, start + count * step, step, dtype="<i8"))


def _column_digests(
    s: Stream, arrays: Sequence[Any], profiles: list[dict[str, Any]] | None
) -> list[bytes]:
    """Per-column digests; large frames in threads, GIL-bound object columns first.

    Starting the object columns first lets their (GIL-holding) conversion overlap
    with the GIL-free buffer hashing of every other column.
    """

    def digest(i: int) -> bytes:
        child = s.sub()
        feed_array_like(child, arrays[i], None if profiles is None else profiles[i])
        return child.digest()

    workers = min(len(arrays), os.cpu_count() or 1, 8)
    if workers < 2 or sum(a.nbytes for a in arrays) < PARALLEL_MIN_BYTES:
        return [digest(i) for i in range(len(arrays))]
    order = sorted(range(len(arrays)), key=lambda i: arrays[i].dtype != object)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="nbtrail-hash") as pool:
        done = dict(zip(order, pool.map(digest, order), strict=True))
    return [done[i] for i in range(len(arrays))]


# -- one column ------------------------------------------------------------------


def feed_array_like(s: Stream, values: Any, stats: dict[str, Any] | None = None) -> None:
    """A column's dtype, length and values, by the cheapest route that is exact.

    With ``stats``, the column's statistics are added to it where they come
    with the hashing pass (numeric, boolean, categorical and string columns).
    """
    pd = sys.modules["pandas"]
    s.tag("values")
    s.text(str(values.dtype))
    s.uint(len(values))
    if isinstance(values, pd.Categorical):
        _feed_categorical(s, values, stats)
        return
    if type(values) is pd.arrays.NumpyExtensionArray:  # not its StringArray subclass
        values = values.to_numpy()
    elif not isinstance(values, np.ndarray) and isinstance(values.dtype, np.dtype):
        values = np.asarray(values)  # naive datetime/timedelta: a view, no copy
    if isinstance(values, np.ndarray):
        if values.dtype.hasobject:
            feed_object_values(s, values, missing_as_null=True, stats=stats)
        elif stats is not None and _profiled(values):
            numeric = _profile.NumericStats(values.dtype)
            _profile.feed_profiled(s.raw, values, numeric)
            stats.update(numeric.result())
        else:
            feed_buffer(s, values)
    elif hasattr(values, "__arrow_array__"):
        feed_arrow(s, values.__arrow_array__(), stats)
    else:
        feed_elements(s, np.asarray(values, dtype=object))


def _profiled(values: np.ndarray) -> bool:
    """A bool, int or float column whose statistics can come with its hash, block by block."""
    return (
        values.ndim == 1
        and values.dtype.kind in "biuf"
        and values.dtype.isnative
        and sys.byteorder == "little"
        and values.flags.c_contiguous
    )


def _feed_categorical(s: Stream, values: pd.Categorical, stats: dict[str, Any] | None) -> None:
    """Codes plus categories: the same labels in another category order differ."""
    s.tag("categorical")
    s.uint(1 if values.ordered else 0)
    feed_index(s, values.categories)
    feed_buffer(s, values.codes)
    if stats is not None:
        stats.update(_profile.categorical_stats(values.codes, len(values.categories)))


def feed_object_values(
    s: Stream, values: np.ndarray, *, missing_as_null: bool, stats: dict[str, Any] | None = None
) -> None:
    """Object arrays: all-string ones through arrow, anything else element by element.

    With ``missing_as_null`` (pandas columns) None, NaN and NA are all "missing", as
    pandas itself treats them; a plain ndarray keeps None and NaN apart.
    """
    import pyarrow as pa

    data = shared_text_array(values, missing_as_null)
    if data is None:
        data = _to_arrow(values, from_pandas=missing_as_null)
    if missing_as_null and (data is None or not _is_text(data.type)):
        # Not text: decided as before, strict conversion first, so [None, NaN] stays
        # two elements (a double array) rather than becoming all-null.
        data = _to_arrow(values, from_pandas=False)
        if data is None:
            data = _to_arrow(values, from_pandas=True)
    if data is not None and _is_text(data.type):
        s.tag("obj-utf8")
        _feed_binary(s, _chunks(data))
        if stats is not None:
            stats.update(_profile.arrow_text_stats(data))
    elif data is not None and pa.types.is_null(data.type):
        s.tag("obj-null")
    else:
        feed_elements(s, values)


def _to_arrow(values: np.ndarray, *, from_pandas: bool) -> pa.Array | pa.ChunkedArray | None:
    import pyarrow as pa

    try:
        return pa.array(values, from_pandas=from_pandas)
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return None


# -- arrow -----------------------------------------------------------------------


def _is_text(typ: pa.DataType) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_string(typ) or pa.types.is_large_string(typ))


def _chunks(data: pa.Array | pa.ChunkedArray) -> list[pa.Array]:
    return list(data.chunks) if hasattr(data, "chunks") else [data]


def feed_arrow(
    s: Stream, data: pa.Array | pa.ChunkedArray, stats: dict[str, Any] | None = None
) -> None:
    """Arrow data by logical content: chunking, slicing and null-slot garbage ignored."""
    import pyarrow as pa

    chunks, typ = _chunks(data), data.type
    if isinstance(typ, pa.ExtensionType):
        chunks, typ = [c.storage for c in chunks], typ.storage_type
    if pa.types.is_dictionary(typ):
        chunks, typ = [c.dictionary_decode() for c in chunks], typ.value_type
    if pa.types.is_string_view(typ) or pa.types.is_binary_view(typ):
        wide = pa.large_string() if pa.types.is_string_view(typ) else pa.large_binary()
        chunks, typ = [c.cast(wide) for c in chunks], wide
    s.tag("arrow")
    if _is_text(typ) or pa.types.is_binary(typ) or pa.types.is_large_binary(typ):
        s.text("utf8" if _is_text(typ) else "binary")
        _feed_binary(s, chunks)
        if stats is not None and _is_text(typ):
            stats.update(_profile.arrow_text_stats(pa.chunked_array(chunks, type=typ)))
    elif pa.types.is_boolean(typ):
        s.text("bool")
        _feed_validity(s, chunks)
        for c in chunks:
            s.raw(c.fill_null(False).to_numpy(zero_copy_only=False))
    elif pa.types.is_null(typ):
        s.text("null")
    elif _fixed_width(typ):
        s.text(str(typ))
        _feed_fixed(s, chunks, typ.bit_width // 8)
    else:
        s.text(str(typ))
        feed_elements(s, (x for c in chunks for x in c.to_pylist()))


def _fixed_width(typ: pa.DataType) -> bool:
    try:
        return bool(typ.bit_width % 8 == 0 and typ.num_buffers == 2)
    except ValueError:
        return False


def _feed_validity(s: Stream, chunks: list[pa.Array]) -> None:
    """One byte per slot, only when there are nulls (so chunking cannot change it)."""
    if not any(c.null_count for c in chunks):
        s.tag("no-nulls")
        return
    valid = s.sub()
    for c in chunks:
        valid.raw(c.is_valid().to_numpy(zero_copy_only=False))
    s.tag("validity")
    s.raw(valid.digest())


def _feed_fixed(s: Stream, chunks: list[pa.Array], width: int) -> None:
    _feed_validity(s, chunks)
    for c in chunks:
        if not len(c):
            continue
        data = np.frombuffer(c.buffers()[1], np.uint8, len(c) * width, c.offset * width)
        if c.null_count:
            data = data.reshape(-1, width).copy()
            data[~c.is_valid().to_numpy(zero_copy_only=False)] = 0
        s.raw(data)


def _feed_binary(s: Stream, chunks: list[pa.Array]) -> None:
    """Validity, then 0-based int64 end offsets, then the bytes: each as one stream."""
    import pyarrow as pa

    _feed_validity(s, chunks)
    offsets, payload, base = s.sub(), s.sub(), 0
    for c in chunks:
        if c.null_count:
            c = c.fill_null(pa.scalar(b"" if pa.types.is_binary(c.type) else "", c.type))
        if not len(c):
            continue
        large = pa.types.is_large_string(c.type) or pa.types.is_large_binary(c.type)
        kind = np.dtype("<i8" if large else "<i4")
        bufs = c.buffers()
        offs = np.frombuffer(bufs[1], kind, len(c) + 1, c.offset * kind.itemsize)
        start, end = int(offs[0]), int(offs[-1])
        if large and start == base == 0:
            offsets.raw(offs[1:])
        else:
            offsets.raw(offs[1:].astype("<i8") + (base - start))
        if end > start:
            payload.raw(np.frombuffer(bufs[2], np.uint8, end - start, start))
        base += end - start
    s.raw(offsets.digest())
    s.raw(payload.digest())
