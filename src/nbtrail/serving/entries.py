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
        answered = [e for e in group if e.status == 200 and e.predictions is not None]
        failed = [e for e in group if not (e.status == 200 and e.predictions is not None)]
        parts = [t for t in (_answered(answered, version), _failed(failed, version)) if t]
        tables[day] = pa.concat_tables(parts, promote_options="permissive")
    return tables


def _answered(entries: list[Entry], version: int) -> Any:
    """One table for many answered requests: the frames concatenated once, converted once.

    The logging thread shares the GIL with the server; one ``pd.concat`` and
    one Arrow conversion per batch (not per request) keep its share small, so
    the served latency's tail does not grow with the batch.
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    if not entries:
        return None
    predictions = [prediction_column(e.predictions) for e in entries]
    counts = [len(p) for p in predictions]
    frames = [_rows(as_frame(e.data), n) for e, n in zip(entries, counts, strict=True)]
    inputs = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    inputs.columns = [str(c) for c in inputs.columns]
    try:
        table = pa.Table.from_pandas(inputs, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # one column of mixed types across requests
        table = pa.Table.from_pandas(inputs.astype(str).where(inputs.notna()), preserve_index=False)
    if all(isinstance(p, np.ndarray) for p in predictions):
        predicted = pa.array(np.concatenate(predictions), from_pandas=True)
    else:
        predicted = pa.array([v for p in predictions for v in _listed(p)])
    table = table.append_column("prediction", predicted)
    for name, column in _meta(entries, counts, version).items():
        table = table.append_column(name, column)
    return table


def _rows(frame: Any, n: int) -> Any:
    return frame if len(frame) == n else frame.iloc[:n]


def _listed(values: Any) -> list[Any]:
    return values.tolist() if hasattr(values, "tolist") else list(values)


def _failed(entries: list[Entry], version: int) -> Any:
    import pyarrow as pa

    return pa.table(_meta(entries, [1] * len(entries), version)) if entries else None


def _meta(entries: list[Entry], counts: list[int], version: int) -> dict[str, Any]:
    import numpy as np
    import pyarrow as pa

    def repeat(values: list[Any]) -> Any:
        return np.repeat(np.asarray(values), counts)

    total = sum(counts)
    return {
        "request_id": pa.array(repeat([e.request_id for e in entries]), pa.string()),
        "row": pa.array(np.concatenate([np.arange(n) for n in counts]), pa.int32()),
        "time": pa.array(repeat([int(e.time * 1e6) for e in entries]),
                         pa.timestamp("us", tz="UTC")),
        "latency_ms": pa.array(repeat([e.latency_ms for e in entries]), pa.float64()),
        "status": pa.array(repeat([e.status for e in entries]), pa.int16()),
        "version": pa.array(np.full(total, version), pa.int32()),
    }  # fmt: skip


def as_frame(data: Any) -> Any:
    """The parsed request as a DataFrame (MLflow gives a frame, a dict of lists or an array)."""
    import numpy as np
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return data  # only its columns are read: no copy
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
