"""What one request leaves in the log, and a batch of them as Arrow tables by day.

The request path only keeps references (the parsed input frame, the
predictions); every conversion happens here, in the logging thread.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from nbtrail.serving.layout import day_of

#: Columns the log adds to the request's own input columns.
META_COLUMNS = ("prediction", "request_id", "row", "time", "latency_ms", "status", "version")


@dataclass
class Entry:
    """One ``/invocations`` request; ``data``/``predictions`` are set only when it succeeded."""

    request_id: str
    time: float  # seconds since the epoch, when the request arrived
    latency_ms: float = 0.0
    status: int = 0
    data: Any = None
    predictions: Any = None

    @property
    def rows(self) -> int:
        return _length(self.predictions) if self.status == 200 else 0


def _length(values: Any) -> int:
    try:
        return len(values)
    except TypeError:
        return 1


def tables_by_day(entries: list[Entry], version: int) -> dict[str, Any]:
    """``{day: pyarrow.Table}``: input columns, ``prediction`` and the request's facts.

    A failed request is one row with its status and latency and no inputs (so
    traffic and error counts see it, while ``inference_log`` leaves it out).
    """
    import pyarrow as pa

    by_day: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_day[day_of(entry.time)].append(entry)
    tables = {}
    for day, group in by_day.items():
        parts = [_table(e, version) for e in group]
        tables[day] = pa.concat_tables(parts, promote_options="permissive")
    return tables


def _table(entry: Entry, version: int) -> Any:
    import pyarrow as pa

    if entry.status == 200 and entry.predictions is not None:
        predictions = prediction_column(entry.predictions)
        n = len(predictions)
        frame = as_frame(entry.data).iloc[:n].reset_index(drop=True)
        frame.columns = [str(c) for c in frame.columns]
        table = pa.Table.from_pandas(frame.assign(prediction=predictions), preserve_index=False)
    else:
        n = 1
        table = pa.table({})
    meta = {
        "request_id": pa.array([entry.request_id] * n, pa.string()),
        "row": pa.array(range(n), pa.int32()),
        "time": pa.array([int(entry.time * 1e6)] * n, pa.timestamp("us", tz="UTC")),
        "latency_ms": pa.array([entry.latency_ms] * n, pa.float64()),
        "status": pa.array([entry.status] * n, pa.int16()),
        "version": pa.array([version] * n, pa.int32()),
    }
    for name, column in meta.items():
        table = table.append_column(name, column) if table.num_columns else pa.table({name: column})
    return table


def as_frame(data: Any) -> Any:
    """The parsed request as a DataFrame (MLflow gives a frame, a dict of lists or an array)."""
    import numpy as np
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return data.reset_index(drop=True)
    if isinstance(data, dict):
        return pd.DataFrame({k: np.atleast_1d(np.asarray(v)) for k, v in data.items()})
    array = np.asarray(data)
    if array.ndim == 1:
        array = array.reshape(1, -1)
    return pd.DataFrame(array.reshape(array.shape[0], -1)).rename(columns=str)


def prediction_column(predictions: Any) -> list[Any] | Any:
    """One value per row: a 1-D output as is, a 2-D one as lists, a frame's first column."""
    import numpy as np
    import pandas as pd

    if isinstance(predictions, pd.DataFrame):
        predictions = predictions.iloc[:, 0] if predictions.shape[1] == 1 else predictions.values
    array = np.asarray(predictions)
    if array.ndim == 0:
        return array.reshape(1)
    if array.ndim == 1:
        return array
    return [list(row) for row in array.reshape(array.shape[0], -1)]
