"""An arrow array from a long object column whose rows share few string objects.

pyarrow converts an object array element by element with the GIL held, and
when 10 million rows point at 100,000 strings in random order each element is
a cache miss: 1.2-1.7 s here, most of a first read's budget. Such columns are
common (``read_csv`` reuses one object per repeated value within a chunk;
labels drawn from a list; ``astype(object)`` of a categorical). For them the
rows' object addresses are deduplicated in arrow (no GIL, 0.3 s), each
distinct object converted once, and the rows rebuilt with ``take``: the same
array, so the same hash, 2-3x sooner. Whether a column qualifies is decided on
a fixed sample of its addresses with the summaries' distinct estimator; a
column of mostly distinct objects (ids) takes the direct route, where the
deduplication would only add work.
"""

from __future__ import annotations

import ctypes
from typing import Any

import numpy as np

from nbtrail.capture import _profile

#: Columns shorter than this convert directly (the sample would be most of them).
MIN_ROWS = _profile.EXACT_DISTINCT_ROWS
#: Deduplicate when the estimated distinct objects are at most this share of the rows.
MAX_SHARE = 0.25
#: Sampled rows whose type is checked before anything else.
TYPE_CHECKED = 256


def shared_text_array(values: np.ndarray, from_pandas: bool) -> Any | None:
    """``pa.array(values, from_pandas=...)`` built per distinct object, or None to go direct.

    None also when the distinct objects do not convert to text (the caller's
    strict conversion then decides the type, as for any column).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if (
        len(values) < MIN_ROWS
        or values.ndim != 1
        or values.itemsize != 8  # a pointer per row, read as uint64
        or not values.flags.c_contiguous
    ):
        return None
    rows = _profile.sample_rows(len(values))
    if not _sampled_text(values, rows):
        return None
    addresses = _addresses(values)
    if not _mostly_shared(addresses, rows, pa, pc):
        return None
    encoded = pc.dictionary_encode(pa.array(addresses, type=pa.uint64()))
    indices = encoded.indices.to_numpy()
    # A row of each distinct object (any row will do: equal addresses, equal objects).
    where = np.empty(len(encoded.dictionary), dtype=np.intp)
    where[indices] = np.arange(len(indices), dtype=np.intp)
    try:
        distinct = pa.array(values[where], from_pandas=from_pandas)
        if not (pa.types.is_string(distinct.type) or pa.types.is_large_string(distinct.type)):
            return None
        return distinct.take(encoded.indices)
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return None  # mixed types, or more text than one array's offsets hold


def _addresses(values: np.ndarray) -> np.ndarray:
    """The object pointers of ``values`` as uint64, without copying (numpy refuses a view).

    Valid while ``values`` is alive; the caller holds it for the whole conversion.
    """
    buffer = (ctypes.c_uint64 * len(values)).from_address(values.ctypes.data)
    return np.ctypeslib.as_array(buffer)


def _sampled_text(values: np.ndarray, rows: np.ndarray) -> bool:
    """The first sampled rows hold strings or missing values: a column of other
    objects goes direct at once, not after a deduplication it cannot use."""
    return all(isinstance(value, str) or _missing(value) for value in values[rows[:TYPE_CHECKED]])


def _missing(value: object) -> bool:
    """None, a float NaN, or pandas' NA / NaT (without importing pandas)."""
    if value is None or (isinstance(value, float) and value != value):
        return True
    return type(value).__name__ in ("NAType", "NaTType")


def _mostly_shared(addresses: np.ndarray, rows: np.ndarray, pa: Any, pc: Any) -> bool:
    counts = pc.value_counts(pa.array(addresses[rows])).field("counts").to_numpy()
    distinct = _profile.estimated_distinct(counts, len(rows), len(addresses))["distinct"]
    return bool(distinct <= MAX_SHARE * len(addresses))
