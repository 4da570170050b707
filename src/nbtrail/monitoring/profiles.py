"""Per-column profiles of a DataFrame: type, nulls, quantile sketch, top categories, distinct.

Numbers (not booleans) get a KLL quantile sketch, min, max and sum; anything
else is a category (text of its value) with a frequent-items sketch. Every
column gets an HLL distinct-count sketch. All parts merge (``Profile.merge``),
so profiles of log partitions combine into the profile of their union.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from nbtrail.monitoring import sketches

NUMBER, CATEGORY = "number", "category"


@dataclass(frozen=True)
class ColumnProfile:
    name: str
    kind: str  # NUMBER or CATEGORY
    dtype: str
    count: int  # non-null values
    nulls: int
    distinct: str  # HLL sketch (base64)
    quantiles: str | None = None  # KLL sketch, numbers
    items: str | None = None  # frequent-items sketch, categories
    minimum: float | None = None
    maximum: float | None = None
    total: float = 0.0  # sum of the values, so the mean merges

    @property
    def null_rate(self) -> float:
        return self.nulls / (self.count + self.nulls) if self.count + self.nulls else 0.0

    @property
    def distinct_estimate(self) -> float:
        return float(sketches.load_distinct(self.distinct).get_estimate())

    @property
    def mean(self) -> float | None:
        return self.total / self.count if self.kind == NUMBER and self.count else None

    def top(self, limit: int = 10) -> list[tuple[str, int]]:
        return sketches.top_items(self.items, limit) if self.items else []

    def merge(self, other: ColumnProfile) -> ColumnProfile:
        if other.kind != self.kind:
            raise ValueError(f"column {self.name!r} is a {self.kind} here, a {other.kind} there")
        merged = replace(
            self,
            count=self.count + other.count,
            nulls=self.nulls + other.nulls,
            distinct=sketches.merge_distinct(self.distinct, other.distinct),
            total=self.total + other.total,
            minimum=_pick(min, self.minimum, other.minimum),
            maximum=_pick(max, self.maximum, other.maximum),
        )
        if self.kind == NUMBER and self.quantiles and other.quantiles:
            return replace(
                merged, quantiles=sketches.merge_quantiles(self.quantiles, other.quantiles)
            )
        if self.items and other.items:
            return replace(merged, items=sketches.merge_items(self.items, other.items))
        return merged


def _pick(fn: Any, a: float | None, b: float | None) -> float | None:
    values = [v for v in (a, b) if v is not None]
    return fn(values) if values else None


@dataclass(frozen=True)
class Profile:
    rows: int
    columns: dict[str, ColumnProfile] = field(default_factory=dict)

    def merge(self, other: Profile) -> Profile:
        """The profile of both frames' rows; a column only one side has keeps its own parts."""
        columns = dict(self.columns)
        for name, column in other.columns.items():
            columns[name] = columns[name].merge(column) if name in columns else column
        return Profile(self.rows + other.rows, columns)

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "columns": [asdict(c) for c in self.columns.values()]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Profile:
        columns = [ColumnProfile(**c) for c in data.get("columns", ())]
        return cls(int(data["rows"]), {c.name: c for c in columns})

    def to_bytes(self) -> bytes:
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Profile:
        return cls.from_dict(json.loads(data))

    def table(self) -> Any:
        """One row per column: what a person reads in a notebook."""
        import pandas as pd

        rows = [_describe(c) for c in self.columns.values()]
        return pd.DataFrame(rows).set_index("column") if rows else pd.DataFrame()

    def _repr_html_(self) -> str:
        html: str = self.table().to_html()  # pandas escapes cell text
        return f"<p>profile of {self.rows} rows</p>{html}"

    def __repr__(self) -> str:
        return f"Profile(rows={self.rows}, columns={list(self.columns)})"


def _describe(column: ColumnProfile) -> dict[str, Any]:
    row: dict[str, Any] = {"column": column.name, "type": column.kind, "dtype": column.dtype,
                           "null_rate": round(column.null_rate, 4),
                           "distinct": round(column.distinct_estimate)}  # fmt: skip
    if column.kind == NUMBER and column.quantiles:
        q = sketches.load_quantiles(column.quantiles)
        row.update(min=column.minimum, p50=q.get_quantile(0.5) if column.count else None,
                   max=column.maximum, mean=column.mean)  # fmt: skip
    else:
        row["top"] = ", ".join(f"{k} ({v})" for k, v in column.top(3))
    return row


def profile_frame(frame: Any) -> Profile:
    """The profile of every column of ``frame`` (column names as text)."""
    return Profile(len(frame), {str(n): profile_column(str(n), frame[n]) for n in frame.columns})


def is_number(series: Any) -> bool:
    from pandas.api import types as pdt

    dtype = series.dtype
    return bool(
        (pdt.is_numeric_dtype(dtype) and not pdt.is_bool_dtype(dtype))
        or pdt.is_datetime64_any_dtype(dtype)
    )


def numeric_values(series: Any) -> Any:
    """Non-null values as float64 (datetimes as epoch seconds)."""
    import numpy as np
    from pandas.api import types as pdt

    present = series.dropna()
    if pdt.is_datetime64_any_dtype(present.dtype):
        return present.astype("int64").to_numpy(dtype=np.float64) / 1e9
    values = present.to_numpy(dtype=np.float64, na_value=np.nan)
    return values[np.isfinite(values)]


def profile_column(name: str, series: Any) -> ColumnProfile:
    import numpy as np

    nulls = int(series.isna().sum())
    if is_number(series):
        values = numeric_values(series)
        return ColumnProfile(
            name=name, kind=NUMBER, dtype=str(series.dtype), count=len(values), nulls=nulls,
            distinct=sketches.encode(sketches.distinct(np.unique(values).tolist())),
            quantiles=sketches.encode(sketches.quantiles(values)),
            minimum=float(values.min()) if len(values) else None,
            maximum=float(values.max()) if len(values) else None,
            total=float(values.sum()) if len(values) else 0.0,
        )  # fmt: skip
    counts = category_counts(series)
    return ColumnProfile(
        name=name, kind=CATEGORY, dtype=str(series.dtype), count=int(sum(counts.values())),
        nulls=nulls, distinct=sketches.encode(sketches.distinct(list(counts))),
        items=sketches.encode(sketches.items(counts)),
    )  # fmt: skip


def category_counts(series: Any) -> dict[str, int]:
    """Counts of each non-null value, keyed by its text (the sketch and the drift agree on it)."""
    counts = series.dropna().astype(str).value_counts()
    return {str(k): int(v) for k, v in counts.items()}


def finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None
