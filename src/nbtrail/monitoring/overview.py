"""What the JupyterLab Models view shows for one served version: traffic, drift, labels."""

from __future__ import annotations

from typing import Any

from nbtrail.errors import NbtrailError
from nbtrail.models import registry
from nbtrail.models.uris import ModelRef
from nbtrail.monitoring.drift import DriftOptions
from nbtrail.monitoring.monitor import Monitored, MonitorRequest, compare_rows, monitor
from nbtrail.monitoring.report import DriftReport
from nbtrail.monitoring.traffic import daily_traffic
from nbtrail.serving.layout import log_root
from nbtrail.serving.reader import LogQuery
from nbtrail.store import Store


def version_overview(store: Store, name: str, version: int, since: float | None) -> dict[str, Any]:
    """``{"traffic": [...], "drift": {...} | null, "drift_error": str | null, "labels": [...]}``.

    ``traffic`` has a row per day (``requests``, ``errors``, ``p50_ms``, and
    ``drifted`` / ``drifted_columns`` for that day's rows), ``drift`` is the
    whole window's report, ``labels`` the label metric per day. A version never
    served, or without a training profile, still answers: the parts that
    cannot be computed are empty and ``drift_error`` says why.
    """
    found = registry.resolve(store, ModelRef(name, version))
    traffic = daily_traffic(LogQuery(log_root(store), found.name, {found.version}, since))
    if not traffic:
        return {"version": found.uri, "traffic": [], "drift": None, "labels": [],
                "drift_error": f"no logged requests for {found.uri}"}  # fmt: skip
    try:
        window = monitor(store, MonitorRequest(found.uri, since))
    except NbtrailError as exc:
        return {"version": found.uri, "traffic": traffic, "drift": None, "labels": [],
                "drift_error": str(exc)}  # fmt: skip
    days = _by_day(window)
    for row in traffic:
        report = days.get(row["day"])
        row["drifted"] = report.drifted if report else None
        row["drifted_columns"] = report.drifted_columns if report else []
    labels = [{"day": day, **r.labels} for day, r in days.items() if r.labels is not None]
    return {"version": found.uri, "traffic": traffic, "drift": window.report.to_dict(),
            "drift_error": None, "labels": labels}  # fmt: skip


def _by_day(window: Monitored) -> dict[str, DriftReport]:
    """Each day's rows of the window against the same reference."""
    rows = window.current
    return {
        day: compare_rows(window.version, window.reference, group, DriftOptions())
        for day, group in rows.groupby(rows["time"].dt.strftime("%Y-%m-%d"), sort=True)
    }
