"""What the JupyterLab Models view shows for one served version: traffic, drift, labels."""

from __future__ import annotations

from typing import Any

from nbtrail.errors import NbtrailError
from nbtrail.models import registry
from nbtrail.models.uris import ModelRef
from nbtrail.monitoring.labels import label_metric
from nbtrail.monitoring.monitor import MonitorRequest, monitor
from nbtrail.monitoring.traffic import daily_traffic
from nbtrail.serving.layout import log_root
from nbtrail.serving.reader import LogQuery, read_requests, with_labels
from nbtrail.store import Store


def version_overview(store: Store, name: str, version: int, since: float | None) -> dict[str, Any]:
    """``{"traffic": [...], "drift": {...} | null, "drift_error": str | null, "labels": [...]}``.

    A version never served, or without a training profile, still answers: the
    parts that cannot be computed are empty and ``drift_error`` says why.
    """
    found = registry.resolve(store, ModelRef(name, version))
    root = log_root(store)
    query = LogQuery(root, found.name, {found.version}, since)
    traffic = daily_traffic(query)
    drift, error = None, None
    if traffic:
        try:
            drift = monitor(store, MonitorRequest(found.uri, since)).report.to_dict()
        except NbtrailError as exc:
            error = str(exc)
    else:
        error = f"no logged requests for {found.uri}"
    labels = _daily_labels(query, found.lineage.get("metrics") or {}) if traffic else []
    return {"version": found.uri, "traffic": traffic, "drift": drift, "drift_error": error,
            "labels": labels}  # fmt: skip


def _daily_labels(query: LogQuery, training: dict[str, Any]) -> list[dict[str, Any]]:
    frame = with_labels(read_requests(query), query.root)
    if "label" not in frame:
        return []
    rows = []
    for day, group in frame.groupby(frame["time"].dt.strftime("%Y-%m-%d"), sort=True):
        metric = label_metric(group, training)
        if metric is not None:
            rows.append({"day": day, **metric})
    return rows
