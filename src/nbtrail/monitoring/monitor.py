"""``nbtrail monitor``: a version's inference log (or a file) against its training profile."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from nbtrail.errors import NbtrailError
from nbtrail.models import registry
from nbtrail.monitoring.data import read_table
from nbtrail.monitoring.drift import DriftOptions, compare
from nbtrail.monitoring.labels import label_metric
from nbtrail.monitoring.profiles import Profile, profile_frame
from nbtrail.monitoring.registration import reference_profile
from nbtrail.monitoring.report import DriftReport
from nbtrail.records import ModelVersion
from nbtrail.serving.entries import META_COLUMNS
from nbtrail.serving.layout import log_root
from nbtrail.serving.reader import LogQuery, read_requests, with_labels
from nbtrail.store import Store


@dataclass(frozen=True)
class MonitorRequest:
    uri: str
    since: float | None = None
    data: str | None = None  # a CSV/Parquet file instead of the log
    reference: str | None = None  # a CSV/Parquet file instead of the training profile
    options: DriftOptions = dataclasses.field(default_factory=DriftOptions)
    log_dir: str | None = None


@dataclass(frozen=True)
class Monitored:
    version: ModelVersion
    reference: Profile
    current: Any  # the rows compared (inputs + prediction [+ label])
    report: DriftReport


def monitor(store: Store, request: MonitorRequest) -> Monitored:
    version = registry.resolve(store, request.uri)
    if request.reference:
        reference = profile_frame(read_table(request.reference))
    else:
        reference = reference_profile(store, version)
    current = _current(store, version, request)
    report = compare_rows(version, reference, current, request.options)
    source = {"version": version.uri, "reference": request.reference or "training profile",
              "current": request.data or "inference log", "since": request.since}  # fmt: skip
    return Monitored(version, reference, current, dataclasses.replace(report, source=source))


def compare_rows(
    version: ModelVersion, reference: Profile, current: Any, options: DriftOptions
) -> DriftReport:
    """Logged (or given) rows against the reference on the model's columns, labels included."""
    inputs = current.drop(columns=[c for c in (*META_COLUMNS, "label") if c != "prediction"],
                          errors="ignore")  # fmt: skip
    report = compare(reference, inputs, options, _model_columns(version, reference))
    labels = label_metric(current, version.lineage.get("metrics") or {})
    return dataclasses.replace(report, labels=labels)


def _current(store: Store, version: ModelVersion, request: MonitorRequest) -> Any:
    if request.data:
        return read_table(request.data)
    root = log_root(store, request.log_dir)
    frame = read_requests(LogQuery(root, version.name, {version.version}, request.since))
    if frame.empty:
        window = " in that time" if request.since is not None else ""
        raise NbtrailError(f"no logged requests for {version.uri}{window} (in {root})")
    return with_labels(frame, root)


def _model_columns(version: ModelVersion, reference: Profile) -> list[str]:
    """The model's input columns when the reference has them all, else the reference's."""
    columns = [str(c) for c in version.lineage.get("columns") or []]
    if columns and all(c in reference.columns for c in columns):
        return columns
    return [c for c in reference.columns if c != "prediction"]
