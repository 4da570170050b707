"""Column statistics gathered while a column is hashed, so a first read costs one pass.

A table's summary (nulls, min, max, mean, distinct values) used to be a second
set of passes over every column after the hash: on a 10-million-row frame the
exact distinct count of a string column alone took seconds. Here each numeric
column is hashed a block at a time and the same block, still in the CPU's
cache, is reduced at once; string columns reuse the arrow arrays the hash was
computed from.

Distinct values are counted exactly where that is cheap (categorical codes,
booleans, up to :data:`EXACT_DISTINCT_ROWS` strings) and otherwise estimated
from a fixed pseudo-random sample of rows (Haas and Stokes' ``Duj1``
estimator), flagged ``distinct_estimated`` in the summary. The sample's rows
depend only on the column's length, so equal data always gives the same
estimate: a summary can differ between two runs only when their hashes do,
and verdicts are decided by hashes, never by summaries.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pyarrow as pa

#: Values per block: large enough that per-call overheads vanish, small enough
#: that the block is still in the CPU's cache when it is reduced after hashing.
BLOCK_VALUES = 1 << 17
#: String columns up to this many rows get an exact distinct count.
EXACT_DISTINCT_ROWS = 1 << 18
#: Rows drawn (fixed seed, repeats dropped) to estimate distinct values beyond that.
SAMPLE_ROWS = 1 << 17


class NumericStats:
    """Running nulls (NaN), min, max and sum of a bool, int or float column."""

    __slots__ = ("bool", "floating", "hi", "length", "lo", "nulls", "total")

    def __init__(self, dtype: np.dtype) -> None:
        self.bool = dtype == np.bool_
        self.floating = dtype.kind == "f"
        self.length = self.nulls = 0
        self.lo: Any = None
        self.hi: Any = None
        self.total = 0.0

    def update(self, block: np.ndarray) -> None:
        self.length += len(block)
        if not len(block):
            return
        if self.bool:
            self.total += int(np.count_nonzero(block))
            return
        lo = block.min()
        if self.floating and lo != lo:  # NaN present: the rare, slower path
            missing = np.isnan(block)
            self.nulls += int(np.count_nonzero(missing))
            block = block[~missing]
            if not len(block):
                return
            lo = block.min()
        hi = block.max()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.total += float(np.add.reduce(block, dtype=np.float64))
        self.lo = lo if self.lo is None else min(self.lo, lo)
        self.hi = hi if self.hi is None else max(self.hi, hi)

    def result(self) -> dict[str, Any]:
        count = self.length - self.nulls
        stats: dict[str, Any] = {"count": count, "nulls": self.nulls}
        if self.bool:
            stats["mean"] = self.total / count if count else None
            return stats
        stats["min"], stats["max"] = self.lo, self.hi
        stats["mean"] = self.total / count if count else None
        return stats


def feed_profiled(raw: Callable[[Any], None], arr: np.ndarray, stats: NumericStats) -> None:
    """Hash a contiguous 1-D array a block at a time, reducing each block while cached."""
    for start in range(0, len(arr), BLOCK_VALUES):
        block = arr[start : start + BLOCK_VALUES]
        raw(block.view(np.uint8))
        stats.update(block)


def categorical_stats(codes: np.ndarray, categories: int) -> dict[str, Any]:
    """Nulls (code -1) and exactly how many categories occur."""
    seen = np.zeros(categories + 1, dtype=bool)  # the last slot catches -1
    for start in range(0, len(codes), BLOCK_VALUES):
        seen[codes[start : start + BLOCK_VALUES]] = True
    nulls = int(np.count_nonzero(codes < 0)) if seen[-1] else 0
    return {"count": len(codes) - nulls, "nulls": nulls, "distinct": int(seen[:-1].sum())}


def arrow_text_stats(data: pa.Array | pa.ChunkedArray) -> dict[str, Any]:
    """Nulls and distinct values of an arrow string column (exact or estimated)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not isinstance(data, pa.ChunkedArray):
        data = pa.chunked_array([data], type=data.type)
    nulls = data.null_count
    stats: dict[str, Any] = {"count": len(data) - nulls, "nulls": nulls}
    stats.update(distinct_of(len(data), lambda: data, lambda rows: data.take(rows), pc))
    return stats


def distinct_of(
    length: int, whole: Callable[[], Any], rows_of: Callable[[np.ndarray], Any], pc: Any
) -> dict[str, Any]:
    """Exact distinct non-null values of a short column, an estimate for a long one."""
    if length <= EXACT_DISTINCT_ROWS:
        return {"distinct": int(pc.count_distinct(whole(), mode="only_valid").as_py())}
    rows = sample_rows(length)
    counts = pc.value_counts(pc.drop_null(rows_of(rows))).field("counts").to_numpy()
    return estimated_distinct(counts, len(rows), length)


def sample_rows(length: int) -> np.ndarray:
    """About :data:`SAMPLE_ROWS` distinct row numbers, sorted, the same for every column
    of this length (drawn with replacement, repeats dropped)."""
    rows = np.random.default_rng(length).integers(0, length, SAMPLE_ROWS)
    rows.sort()  # by hand: np.unique takes half a second on this here (numpy 2.4)
    return rows[np.concatenate(([True], rows[1:] != rows[:-1]))]


def estimated_distinct(counts: np.ndarray, sampled: int, length: int) -> dict[str, Any]:
    """Distinct values of a column from the value counts of ``sampled`` of its ``length`` rows.

    Haas, Naughton, Seshadri and Stokes' hybrid (VLDB 1995): a chi-square test
    on the sample's counts decides whether the values look evenly spread; if so
    the ``Duj1`` estimator, else Shlosser's, which is the better one under skew
    (one value filling half the rows, Zipf-like data). Bounded below by the
    values seen and above by the non-null rows the sample suggests.
    """
    seen = len(counts)
    if not seen:
        return {"distinct": 0, "distinct_estimated": True}
    counts = counts.astype(np.float64)
    valid = float(counts.sum())
    q = min(1.0, sampled / length)
    singletons = float(np.count_nonzero(counts == 1))
    if _evenly_spread(counts, valid):
        denominator = 1.0 - (1.0 - q) * singletons / valid
        guess = math.inf if denominator <= 0 else seen / denominator
    else:
        guess = seen + singletons * _shlosser_ratio(counts, q)
    upper = math.ceil(length * valid / sampled)
    return {"distinct": int(min(max(round(guess), seen), upper)), "distinct_estimated": True}


def _evenly_spread(counts: np.ndarray, valid: float) -> bool:
    """The chi-square test (97.5%) that every value seen is equally frequent."""
    seen = len(counts)
    if seen < 2:
        return True
    expected = valid / seen
    statistic = float(np.sum((counts - expected) ** 2) / expected)
    dof = seen - 1
    wilson_hilferty = dof * (1 - 2 / (9 * dof) + 1.96 * math.sqrt(2 / (9 * dof))) ** 3
    return statistic <= wilson_hilferty


def _shlosser_ratio(counts: np.ndarray, q: float) -> float:
    """``sum (1-q)^i f_i / sum i q (1-q)^(i-1) f_i`` over the values' sample counts ``i``."""
    keep = np.power(1.0 - q, counts)
    below = float(np.sum(counts * q * np.power(1.0 - q, counts - 1)))
    return float(np.sum(keep)) / below if below > 0 else math.inf
