"""One side of a comparison, from raw values or from a sketch, behind one small surface.

The reference is usually a profile (sketches: no training rows are kept) and
the current side raw rows from the log; numbers expose ``quantiles`` and
``cdf``, categories their counts. Statistics never ask which kind they got.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nbtrail.monitoring import sketches
from nbtrail.monitoring.profiles import ColumnProfile, category_counts, numeric_values


class Numbers:
    n: int
    rank_error: float = 0.0  # how far ``cdf`` may be from the true one (a sketch's bound)

    def quantiles(self, qs: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def cdf(self, points: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class RawNumbers(Numbers):
    def __init__(self, values: np.ndarray) -> None:
        self.values = np.sort(np.asarray(values, dtype=np.float64))
        self.n = len(self.values)

    def quantiles(self, qs: np.ndarray) -> np.ndarray:
        return np.quantile(self.values, qs)

    def cdf(self, points: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.values, points, side="right") / max(self.n, 1)


class SketchNumbers(Numbers):
    def __init__(self, encoded: str | None = None, values: np.ndarray | None = None) -> None:
        self.sketch = sketches.load_quantiles(encoded) if encoded else sketches.quantiles(values)
        self.n = int(self.sketch.n)
        if self.sketch.is_estimation_mode():  # below k values the sketch is exact
            self.rank_error = float(
                type(self.sketch).get_normalized_rank_error(self.sketch.k, False)
            )

    def quantiles(self, qs: np.ndarray) -> np.ndarray:
        return np.asarray(self.sketch.get_quantiles(qs.tolist()), dtype=np.float64)

    def cdf(self, points: np.ndarray) -> np.ndarray:
        # get_cdf(split points, inclusive): P(X <= p); the last entry is 1.0 for the tail.
        unique = np.unique(points)
        values = np.asarray(self.sketch.get_cdf(unique.tolist(), True)[:-1], dtype=np.float64)
        return values[np.searchsorted(unique, points)]


@dataclass(frozen=True)
class Categories:
    counts: dict[str, int]
    exact: bool  # False: a sketch past its exact range (rare items may be missing)

    @property
    def n(self) -> int:
        return sum(self.counts.values())


#: Above this many values the current side is sketched too (KLL: 30 ms a million values,
#: against 4 times that to sort them); its rank error is then part of every comparison.
SKETCH_ABOVE = 200_000


def numbers_of(side: Any) -> Numbers:
    if isinstance(side, ColumnProfile):
        return SketchNumbers(side.quantiles)
    values = numeric_values(side)
    return SketchNumbers(values=values) if len(values) > SKETCH_ABOVE else RawNumbers(values)


def categories_of(side: Any) -> Categories:
    if isinstance(side, ColumnProfile):
        pairs = side.top()
        counted = sum(c for _, c in pairs)
        return Categories(dict(pairs), exact=counted == side.count)
    return Categories(category_counts(side), exact=True)
