"""``nbtrail export --to mlflow`` into a real MLflow store (SQLite tracking URI).

Runs recorded by a real kernel (tests/export/conftest.py) are exported once
per module; the tests read them back through MLflow's own API.
"""

from __future__ import annotations

import dataclasses
import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from nbtrail.cli import main
from nbtrail.records import Metric

if TYPE_CHECKING:  # tests/export/conftest.py, not importable by name
    from conftest import Project

pytestmark = pytest.mark.kernel

EXPERIMENT = "nb"


@dataclasses.dataclass(frozen=True)
class Exported:
    uri: str
    first: dict[str, Any]  # the first export's --json report
    client: Any  # MlflowClient


def export(project: Project, uri: str, *args: str) -> int:
    return main(["--store", str(project.store_path), "export", "--to", "mlflow",
                 "--tracking-uri", uri, "--experiment", EXPERIMENT, *args])  # fmt: skip


@pytest.fixture(scope="module")
def exported(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exported]:
    import io
    from contextlib import redirect_stdout

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MLflow's and SQLAlchemy's deprecations
        from mlflow import MlflowClient

    uri = f"sqlite:///{tmp_path_factory.mktemp('mlflow') / 'mlflow.db'}"
    out = io.StringIO()
    with redirect_stdout(out):
        assert export(project, uri, "--json") == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield Exported(uri, json.loads(out.getvalue()), MlflowClient(uri, registry_uri=uri))


def search(exported: Exported) -> Any:
    import mlflow

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlflow.set_tracking_uri(exported.uri)
        try:
            return mlflow.search_runs(experiment_names=[EXPERIMENT])
        finally:
            mlflow.set_tracking_uri(None)


def mlflow_run(exported: Exported, nbtrail_id: str) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return exported.client.get_run(exported.first["mlflow_runs"][nbtrail_id])


def artifact_paths(exported: Exported, run_id: str, path: str | None = None) -> set[str]:
    found: set[str] = set()
    for item in exported.client.list_artifacts(run_id, path):
        found |= artifact_paths(exported, run_id, item.path) if item.is_dir else {item.path}
    return found


def test_exported_runs_appear_in_search_runs_with_params_metrics_tags_and_status(
    project: Project, exported: Exported
) -> None:
    train, broken = project.runs["train"], project.runs["broken"]
    assert sorted(exported.first["created"]) == sorted([train.id, broken.id])
    frame = search(exported).set_index("tags.nbtrail.run_id")
    assert set(frame.index) == {train.id, broken.id}
    row = frame.loc[train.id]
    assert row["params.C"] == "0.5" and row["params.solver"] == "lbfgs"
    assert row["metrics.accuracy"] == pytest.approx(train.latest_metrics()["accuracy"])
    assert row["tags.mlflow.runName"] == "train" and row["status"] == "FINISHED"
    assert row["tags.stage"] == "candidate" and row["tags.baseline"] == ""
    assert row["tags.nbtrail.source_hash"] == train.source_hash
    assert row["tags.nbtrail.notebook"] == "train.ipynb" == row["tags.mlflow.source.name"]
    assert row["tags.nbtrail.cell_id"] == train.cell_id
    assert row["start_time"].timestamp() == pytest.approx(train.started, abs=1e-3)
    failed = frame.loc[broken.id]
    assert failed["status"] == "FAILED"
    assert failed["tags.nbtrail.exception"] == "ValueError: no such column"


def test_metrics_keep_every_step_and_time(project: Project, exported: Exported) -> None:
    train = project.runs["train"]
    run = mlflow_run(exported, train.id)
    history = exported.client.get_metric_history(run.info.run_id, "accuracy")
    assert [(m.step, m.value, m.timestamp) for m in history] == [
        (m.step, m.value, round(m.time * 1000)) for m in train.metrics if m.key == "accuracy"
    ]
    assert len(history) == 3


def test_source_figures_environment_and_data_hashes_are_exported(
    project: Project, exported: Exported
) -> None:
    train = project.runs["train"]
    run = mlflow_run(exported, train.id)
    paths = artifact_paths(exported, run.info.run_id)
    assert {f"artifacts/{a.name}" for a in train.artifacts} <= paths
    assert any(a.media_type == "image/png" for a in train.artifacts)  # the figure
    assert {"source/cell.py", "environment/requirements.txt", "environment/snapshot.json",
            "notebook/train.ipynb"} <= paths  # fmt: skip
    local = Path(exported.client.download_artifacts(run.info.run_id, "source/cell.py"))
    assert local.read_text() == train.source
    requirements = exported.client.download_artifacts(
        run.info.run_id, "environment/requirements.txt"
    )
    assert "scikit-learn==" in Path(requirements).read_text()
    inputs = {d.dataset.name: d for d in run.inputs.dataset_inputs}
    data = {b.name: b for b in train.bindings if b.direction == "in" and b.kind == "dataframe"}
    assert data and set(data) <= set(inputs)
    for name, binding in data.items():
        assert inputs[name].dataset.digest == binding.hash
        assert json.loads(inputs[name].dataset.profile)["shape"] == [150, 4]


def test_registered_versions_reach_the_registry_with_their_aliases(
    project: Project, exported: Exported
) -> None:
    import mlflow.pyfunc
    from sklearn.datasets import load_iris

    assert exported.first["models_registered"] == [project.version.uri]
    registered = exported.client.get_registered_model("iris")
    assert registered.aliases == {"champion": 1}
    (version,) = exported.client.search_model_versions("name = 'iris'")
    assert version.run_id == exported.first["mlflow_runs"][project.version.run]
    assert version.tags["nbtrail.uri"] == "models:/iris/1"
    X, _ = load_iris(return_X_y=True, as_frame=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlflow.set_tracking_uri(exported.uri)
        try:
            model = mlflow.pyfunc.load_model("models:/iris@champion")
        finally:
            mlflow.set_tracking_uri(None)
    assert list(model.predict(X.head(5))) == [0, 0, 0, 0, 0]


def test_a_second_export_adds_nothing(
    project: Project, exported: Exported, capsys: pytest.CaptureFixture[str]
) -> None:
    before = search(exported)
    client = exported.client
    versions = len(client.search_model_versions("name = 'iris'"))
    assert export(project, exported.uri) == 0
    out = capsys.readouterr().out
    assert "0 created, 0 updated, 2 unchanged" in out and "registered" not in out
    after = search(exported)
    assert len(after) == len(before) == 2
    columns = sorted(before.columns)
    assert after[columns].sort_values("run_id").equals(before[columns].sort_values("run_id"))
    assert len(client.search_model_versions("name = 'iris'")) == versions == 1


def test_a_changed_run_is_updated_in_place(
    project: Project, exported: Exported, capsys: pytest.CaptureFixture[str]
) -> None:
    store = project.open()
    try:
        train = store.get_run(project.runs["train"].id)
        extra = Metric("accuracy", 0.99, step=3, time=max(m.time for m in train.metrics) + 1)
        store.save_run(dataclasses.replace(train, metrics=(*train.metrics, extra)))
        store.set_tags(train.id, {"stage": "production", "owner": "ana"})
        store.remove_tags(train.id, ["baseline"])
        store.update_run(train.id, name="train-final", note="the one we ship")
    finally:
        store.close()
    assert export(project, exported.uri) == 0
    assert "0 created, 1 updated, 1 unchanged" in capsys.readouterr().out
    run = mlflow_run(exported, train.id)
    assert run.info.run_name == "train-final"
    assert run.data.tags["stage"] == "production" and run.data.tags["owner"] == "ana"
    assert "baseline" not in run.data.tags
    assert run.data.tags["mlflow.note.content"] == "the one we ship"
    history = exported.client.get_metric_history(run.info.run_id, "accuracy")
    assert sorted(m.step for m in history) == [0, 1, 2, 3]  # the new point only, once
    assert len(search(exported)) == 2
    assert export(project, exported.uri) == 0
    assert "0 created, 0 updated, 2 unchanged" in capsys.readouterr().out


def test_a_filter_selects_what_is_exported_through_the_python_api(
    project: Project, exported: Exported
) -> None:
    import nbtrail

    report = nbtrail.export_to_mlflow(
        filter="attributes.status = 'failed'", tracking_uri=exported.uri,
        experiment="failures", store=str(project.store_path),
    )  # fmt: skip
    assert report.created == [project.runs["broken"].id] and report.exit_code == 0
    experiment = exported.client.get_experiment_by_name("failures")
    (run,) = exported.client.search_runs([experiment.experiment_id])
    assert run.info.run_id == report.mlflow_runs[project.runs["broken"].id]
    assert run.info.status == "FAILED"


def test_a_new_version_and_a_moved_alias_follow(project: Project, exported: Exported) -> None:
    from nbtrail.models import aliases, registry

    store = project.open()
    try:
        second = registry.register(store, project.runs["train"].id, "iris")
        aliases.promote(store, "iris", "champion", second.version, force=True, who="test")
    finally:
        store.close()
    report = nbtrail_export(project, exported)
    assert report.models_registered == ["models:/iris/2"]
    assert report.aliases_set == ["iris@champion -> 2"]
    assert exported.client.get_registered_model("iris").aliases == {"champion": 2}
    assert nbtrail_export(project, exported).models_registered == []


def nbtrail_export(project: Project, exported: Exported) -> Any:
    import nbtrail

    return nbtrail.export_to_mlflow(
        tracking_uri=exported.uri, experiment=EXPERIMENT, store=str(project.store_path)
    )
