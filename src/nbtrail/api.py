"""The Python API: log from inside a tracked cell, query from anywhere."""

from __future__ import annotations

import contextlib
import io
import math
import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nbtrail.capture.hashing import hash_bytes, hash_file
from nbtrail.diff import RunDiff, diff_runs
from nbtrail.errors import StoreNotFound
from nbtrail.records import RUN_TABLE_COLUMNS, Artifact, Metric, Param, Run, RunQuery, RunsTable
from nbtrail.store import Store, open_store
from nbtrail.tracking import active_run, current_tracker

if TYPE_CHECKING:
    import pandas as pd


def _store(create: bool = False) -> Store:
    tracker = current_tracker()
    if tracker is not None:
        return tracker.store
    return open_store(create=create)


def log_metric(key: str, value: float, step: int | None = None) -> None:
    """Record a metric of the running tracked cell (several steps allowed)."""
    run = active_run()
    if not isinstance(key, str) or not key:
        raise ValueError("metric key must be a non-empty string")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"metric {key!r} must be a number, got {type(value).__name__}") from None
    if step is not None and not isinstance(step, int):
        raise TypeError("step must be an int")
    run.metrics.append(Metric(key, number, step, time.time()))
    tracker = current_tracker()
    if tracker is not None:
        tracker.progress(run)  # running cells show their step metrics live


def log_metrics(metrics: dict[str, float], step: int | None = None) -> None:
    for key, value in metrics.items():
        log_metric(key, value, step)


def log_param(key: str, value: Any) -> None:
    """Record a parameter of the running tracked cell (JSON-serialisable value)."""
    run = active_run()
    if not isinstance(key, str) or not key:
        raise ValueError("param key must be a non-empty string")
    run.params.append(Param(key, _jsonable(value), "api"))


def log_params(params: dict[str, Any] | None = None, **kwargs: Any) -> None:
    for key, value in {**(params or {}), **kwargs}.items():
        log_param(key, value)


def log_artifact(path_or_figure: Any, name: str | None = None) -> Artifact:
    """Keep a file or a matplotlib figure with the running tracked cell."""
    run = active_run()
    store = _store(create=True)
    if hasattr(path_or_figure, "savefig"):
        buffer = io.BytesIO()
        path_or_figure.savefig(buffer, format="png")
        data = buffer.getvalue()
        digest = hash_bytes(data)
        store.put_object(data, digest)
        artifact = Artifact(
            name or f"figure-{len(run.artifacts) + 1}.png", digest, "image/png", len(data)
        )
    else:
        path = Path(os.fspath(path_or_figure))
        if not path.is_file():
            raise FileNotFoundError(f"no file {path}")
        digest = hash_file(path)
        store.put_file(path, digest)
        artifact = Artifact(
            name or path.name, digest, "application/octet-stream", path.stat().st_size
        )
    run.artifacts.append(artifact)
    return artifact


def get_run(run_id: str) -> Run:
    """One run, everything recorded.

    ``run_id`` is any run reference: the id as displayed (last 8 digits) or in
    full, a unique prefix, a name (``NAME~1``: the run before its newest) or
    ``@last``; see :meth:`nbtrail.store.Store.resolve_run_id`.
    """
    return _store().get_run(run_id)


def diff(a: str, b: str) -> RunDiff:
    """What differs between two runs (params, metrics, data, environment, code)."""
    return diff_runs(_store(), a, b)


def runs(
    filter: str | None = None,
    *,
    order_by: str | None = None,
    notebook: str | None = None,
    status: str | None = None,
    name: str | None = None,
    text: str | None = None,
    batch: str | None = None,
    limit: int | None = None,
    lifecycle: str = "active",
) -> pd.DataFrame:
    """Runs as a DataFrame, newest first, with ``params.K``, ``metrics.K`` and ``tags.K`` columns.

    ``filter`` is the filter language every surface shares (MLflow's search
    syntax: ``"params.lr = '0.05' AND metrics.accuracy > 0.9"``, plus free
    text); ``order_by`` a metric, param or attribute (``"metrics.accuracy
    DESC"``); ``lifecycle`` ``"archived"``, ``"deleted"`` or ``"all"`` to see
    runs hidden from the default list.
    """
    try:
        store = _store()
    except StoreNotFound:
        return runs_frame(RunsTable([], [], []))
    query = RunQuery(
        notebook=notebook, status=status, name=name, text=text, batch=batch, limit=limit,
        filter=filter, order_by=order_by, lifecycle=lifecycle,
    )  # fmt: skip
    return runs_frame(store.runs_table(query))


def runs_frame(table: RunsTable) -> pd.DataFrame:
    """One row per run, named the way MLflow's ``search_runs`` names them.

    Built column-wise from the store's rows: each param, metric (its latest
    value) and tag key becomes one list indexed by the run's row, and the
    frame is made once from those columns (no long frame, no pivot).
    """
    import numpy as np  # lazy: loading the extension must stay cheap
    import pandas as pd

    frame = pd.DataFrame(table.runs, columns=list(RUN_TABLE_COLUMNS))
    for column in ("start_time", "end_time"):
        frame[column] = pd.to_datetime(frame[column], unit="s", utc=True)
    frame.insert(8, "duration", (frame["end_time"] - frame["start_time"]).dt.total_seconds())
    columns: dict[str, Any] = {}
    for prefix, per_run in (("params.", table.params), ("metrics.", table.metrics),
                            ("tags.", list(frame["tags"]))):  # fmt: skip
        wide = _columns(per_run)
        for key in sorted(wide):
            values = wide[key]
            columns[prefix + key] = (
                np.array(values, dtype="float64") if prefix == "metrics." else _objects(values)
            )
    if not columns:
        return frame
    return pd.concat([frame, pd.DataFrame(columns, index=frame.index)], axis=1)


def _columns(per_run: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """One mapping per row -> key -> values in row order (None where a row lacks the key)."""
    wide: dict[str, list[Any]] = {}
    count = len(per_run)
    for row, values in enumerate(per_run):
        for key, value in values.items():
            column = wide.get(key)
            if column is None:
                column = wide[key] = [None] * count
            column[row] = value
    return wide


def _objects(values: list[Any]) -> Any:
    """An object column that keeps lists and dicts as values (numpy would nest them)."""
    import numpy as np

    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _jsonable(value: Any) -> Any:
    """Params are JSON: numpy scalars become Python ones, others their repr."""
    if hasattr(value, "item") and callable(value.item):
        with contextlib.suppress(TypeError, ValueError):
            value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return value
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return repr(value)
