"""Hand runs to the tracker a team already has: ``nbtrail export --to mlflow``.

Runs (params, metrics with steps and times, tags, the cell's source, figures
and files, the notebook snapshot, the environment, input data as MLflow
dataset inputs) and registered model versions with their aliases are copied
into an MLflow tracking server or store, idempotently. The package reads the
nbtrail store only through ``Store`` and imports MLflow only when called.
"""

from __future__ import annotations

from collections.abc import Sequence

from nbtrail.export.connection import ExportError
from nbtrail.export.report import ExportReport
from nbtrail.export.selection import ExportSelection
from nbtrail.store import Store, open_store

__all__ = ["ExportError", "ExportReport", "ExportSelection", "export_to_mlflow"]


def export_to_mlflow(
    runs: Sequence[str] = (),
    *,
    batch: str | None = None,
    notebook: str | None = None,
    filter: str | None = None,
    tracking_uri: str | None = None,
    experiment: str | None = None,
    models: bool = True,
    trusted: Sequence[str] = (),
    store: Store | str | None = None,
) -> ExportReport:
    """Copy runs (all, or those selected) and their registered models into MLflow.

    ``tracking_uri`` defaults to MLflow's own (``$MLFLOW_TRACKING_URI``, else
    ``sqlite:///mlflow.db``); ``experiment`` to ``nbtrail`` (created when
    missing). A second call adds nothing; a run changed since is updated.
    ``trusted`` lists types a model's skops file needs beyond skops' defaults
    (as ``nbtrail models load --trust``). Problems with single runs or
    versions are listed in the report's ``notes``.
    """
    from nbtrail.export.mlflow import export

    selection = ExportSelection(tuple(runs), batch, notebook, filter)
    opened = store if isinstance(store, Store) else open_store(store, create=False)
    try:
        return export(opened, selection, tracking_uri, experiment, models=models, trusted=trusted)
    finally:
        if opened is not store:
            opened.close()
