"""Ground truth that arrives after the prediction, joined to the log by request id.

A label names a row as ``REQUEST_ID`` (its first row, the usual one-row
request) or ``REQUEST_ID#ROW``. Labels are appended as Parquet parts of
``ROOT/labels/``; a later label for the same row wins.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from nbtrail.errors import NbtrailError
from nbtrail.serving.layout import LABELS
from nbtrail.serving.parquet_io import read_many, write_atomic


def split_id(text: str) -> tuple[str, int]:
    request, sep, row = str(text).partition("#")
    if not request or (sep and not row.isdigit()):
        raise NbtrailError(f"not a request id: {text!r} (REQUEST_ID or REQUEST_ID#ROW)")
    return request, int(row) if sep else 0


def write_labels(root: Path, request_ids: Sequence[str], labels: Sequence[Any]) -> int:
    import pyarrow as pa

    ids, values = list(request_ids), list(labels)
    if len(ids) != len(values):
        raise NbtrailError(f"{len(ids)} request ids but {len(values)} labels")
    if not ids:
        return 0
    pairs = [split_id(i) for i in ids]
    try:
        table = pa.table({
            "request_id": pa.array([p[0] for p in pairs], pa.string()),
            "row": pa.array([p[1] for p in pairs], pa.int32()),
            "label": pa.array(values),
            "labelled": pa.array([int(time.time() * 1e6)] * len(ids), pa.timestamp("us", tz="UTC")),
        })  # fmt: skip
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise NbtrailError(f"labels must be numbers or text of one type: {exc}") from None
    write_atomic(table, root / LABELS)
    return len(ids)


def read_labels(root: Path) -> Any | None:
    """The latest label of each (request_id, row), or None when none was logged."""
    table = read_many(sorted((root / LABELS).glob("part-*.parquet")))
    if table is None:
        return None
    frame = table.to_pandas()
    frame = frame.sort_values("labelled", kind="stable")
    return frame.drop_duplicates(["request_id", "row"], keep="last")[["request_id", "row", "label"]]
