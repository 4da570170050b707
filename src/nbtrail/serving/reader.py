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
    """Every logged row as a DataFrame (``errors``: failed requests too), oldest first."""
    import pandas as pd

    since_day = day_of(query.since) if query.since is not None else None
    files = [f for _, _, f in log_files(query.root, query.name, query.versions, since_day)]
    table = read_many(files)
    if table is None:
        return pd.DataFrame(columns=["prediction", "request_id", "row", "time", "latency_ms",
                                     "status", "version"])  # fmt: skip
    frame = table.to_pandas()
    if query.since is not None:
        frame = frame[frame["time"] >= pd.Timestamp(query.since, unit="s", tz="UTC")]
    if not errors:
        frame = frame[frame["status"] == 200]
        frame = frame.dropna(axis=1, how="all") if len(frame) else frame
    return frame.sort_values("time", kind="stable").reset_index(drop=True)


def with_labels(frame: Any, root: Path) -> Any:
    """``frame`` with a ``label`` column when any of its rows was labelled."""
    labels = read_labels(root)
    if labels is None or frame.empty:
        return frame
    return frame.merge(labels, on=["request_id", "row"], how="left")
