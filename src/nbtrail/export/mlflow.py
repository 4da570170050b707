"""The export to MLflow, start to end: select, connect, copy runs, then models.

Bad input (a selection naming nothing, an unreachable tracking URI) is found
before the first write. Runs go oldest first; the registered versions of the
exported runs follow, since a version is registered from its run's MLflow run.
"""

from __future__ import annotations

from collections.abc import Sequence

from nbtrail.errors import NbtrailError
from nbtrail.export.connection import ExportError, Target, connect, first_line, quiet, shown
from nbtrail.export.models import export_models
from nbtrail.export.payload import build_payload
from nbtrail.export.report import ExportReport
from nbtrail.export.runs import export_run, exported_runs
from nbtrail.export.selection import ExportSelection, select_runs
from nbtrail.records import EnvSnapshot, Run
from nbtrail.store import Store


def export(
    store: Store,
    selection: ExportSelection,
    tracking_uri: str | None,
    experiment: str | None,
    *,
    models: bool = True,
    trusted: Sequence[str] = (),
) -> ExportReport:
    runs = select_runs(store, selection)
    target = connect(tracking_uri, experiment)
    report = ExportReport(shown(target.tracking_uri), target.experiment_name,
                          target.experiment_id)  # fmt: skip
    try:
        with quiet():
            _export_runs(target, store, runs, report)
            if models:
                _export_models(target, store, report, trusted)
    except NbtrailError:
        raise
    except Exception as exc:  # MLflow's own errors (a server gone mid-way, a refusal)
        raise ExportError(f"MLflow at {report.tracking_uri} failed: {first_line(exc)}") from None
    return report


def _export_runs(target: Target, store: Store, runs: Sequence[Run], report: ExportReport) -> None:
    existing = exported_runs(target)
    environments: dict[str, EnvSnapshot | None] = {}
    for run in runs:
        if run.env_hash and run.env_hash not in environments:
            environments[run.env_hash] = store.get_environment(run.env_hash)
        payload = build_payload(run, environments.get(run.env_hash or ""))
        result = export_run(target, store, payload, existing.get(run.id))
        getattr(report, result.outcome).append(run.id)
        report.mlflow_runs[run.id] = result.mlflow_id
        report.notes += [f"run {run.id[-8:]}: {note}" for note in result.notes]


def _export_models(
    target: Target, store: Store, report: ExportReport, trusted: Sequence[str]
) -> None:
    versions = [v for v in store.list_model_versions() if v.run in report.mlflow_runs]
    if not versions:
        return
    result = export_models(target, store, versions, report.mlflow_runs, trusted)
    report.models_registered += result.registered
    report.aliases_set += result.aliases
    report.notes += result.notes
