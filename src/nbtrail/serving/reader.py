"""Reading a model's inference log back: rows of successful requests, or traffic facts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nbtrail.serving.labels import read_labels
from nbtrail.serving.layout import day_of, log_files
from nbtrail.serving.parquet_io import read_many


@dataclass(frozen=True)
class LogQuery:
    root: Path
    name: str
    versions: set[int] | None = None
    since: float | None = None  # seconds since the epoch


def read_requests(query: LogQuery, errors: bool = False) -> Any:
    """Every logged row as a DataFrame (``errors``: failed requests too), oldest first.

    Rows are filtered in Arrow before pandas sees them: a million-row log is
    mostly the cost of reading it.
    """
    import pandas as pd

    since_day = day_of(query.since) if query.since is not None else None
    files = [f for _, _, f in log_files(query.root, query.name, query.versions, since_day)]
    table = read_many(files)
    if table is None:
        return pd.DataFrame(columns=["prediction", "request_id", "row", "time", "latency_ms",
                                     "status", "version"])  # fmt: skip
    table = _filtered(table, query.since, errors)
    frame = table.to_pandas()
    if not frame["time"].is_monotonic_increasing:  # parts of several workers interleave
        frame = frame.sort_values("time", kind="stable")
    return frame.reset_index(drop=True)


def _filtered(table: Any, since: float | None, errors: bool) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    if since is not None:
        start = pa.scalar(int(since * 1e6), pa.timestamp("us", tz="UTC"))
        table = table.filter(pc.greater_equal(table["time"], start.cast(table["time"].type)))
    if not errors:
        answered = pc.equal(table["status"], 200)
        if "prediction" in table.column_names:  # a 200 MLflow answered without our model
            answered = pc.and_(answered, pc.is_valid(table["prediction"]))
        table = table.filter(answered)
        if table.num_rows:  # inputs of failed requests only: all null once those are gone
            empty = [n for n in table.column_names if table[n].null_count == table.num_rows]
            table = table.drop_columns(empty)
    return table


def with_labels(frame: Any, root: Path) -> Any:
    """``frame`` with a ``label`` column when any of its rows was labelled."""
    labels = read_labels(root)
    if labels is None or frame.empty:
        return frame
    return frame.merge(labels, on=["request_id", "row"], how="left")
