"""The quickstart notebook, executed headless by papermill as `make demo` does."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import papermill
import pytest

from nbtrail.records import Run
from nbtrail.store import Store, open_store

pytestmark = pytest.mark.kernel

NOTEBOOK = Path(__file__).parents[1] / "example_notebooks" / "quickstart.ipynb"
SECRET = "s3cr3t-value-that-must-never-be-stored"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git project holding the quickstart, executed once with secrets in the environment."""
    root = tmp_path_factory.mktemp("project")
    shutil.copy(NOTEBOOK, root / "quickstart.ipynb")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "."], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "quickstart"], cwd=root, check=True)
    saved = dict(os.environ)
    os.environ.pop("NBTRAIL_STORE", None)
    os.environ.update(
        MY_API_TOKEN=SECRET,
        NBTRAIL_TOKEN=SECRET,
        DB_PASSWORD=SECRET,
        OMP_NUM_THREADS="1",
    )
    try:
        papermill.execute_notebook(
            str(root / "quickstart.ipynb"), str(root / "out.ipynb"), cwd=str(root),
            progress_bar=False, kernel_name="python3",
        )  # fmt: skip
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return root


@pytest.fixture(scope="module")
def store(project: Path) -> Store:
    return open_store(str(project / ".nbtrail"), create=False)


def runs_by_name(store: Store) -> dict[str, Run]:
    return {run.name: store.get_run(run.id) for run in store.list_runs()}


def test_every_tracked_cell_is_a_finished_run(store: Store) -> None:
    runs = runs_by_name(store)
    expected = {"export", "load", "clean", "split", "random-forest", "logistic-regression"}
    assert expected | {"compare-plot"} == set(runs)
    for run in runs.values():
        assert run.status == "finished" and run.source and run.cell_id
        assert run.notebook == "quickstart.ipynb"
    forest = runs["random-forest"]
    assert 0.8 < forest.latest_metrics()["accuracy"] <= 1.0
    assert forest.param_dict()["model"] == "random_forest"
    assert forest.param_dict()["seed"] == 42  # from the parameters cell


def test_inputs_outputs_files_models_and_figures_are_recorded(store: Store) -> None:
    runs = runs_by_name(store)
    export = {(b.direction, b.name): b for b in runs["export"].bindings}
    load = {(b.direction, b.name): b for b in runs["load"].bindings}
    csv_out, csv_in = export[("out", "data/cancer.csv")], load[("in", "data/cancer.csv")]
    assert csv_out.kind == csv_in.kind == "file" and csv_out.hash == csv_in.hash
    assert load[("out", "df")].kind == "dataframe" and load[("out", "df")].summary["shape"] == [
        569,
        31,
    ]
    split = {(b.direction, b.name): b for b in runs["split"].bindings}
    assert (
        split[("in", "clean")].hash
        == {(b.direction, b.name): b for b in runs["clean"].bindings}[("out", "clean")].hash
    )
    forest = {(b.direction, b.name): b for b in runs["random-forest"].bindings}
    model = forest[("out", "forest")]
    assert model.kind == "model" and model.summary["params"]["n_estimators"] == 100
    assert model.summary["unseeded"] is False
    assert forest[("in", "X_train")].kind == "dataframe"
    (figure,) = runs["compare-plot"].artifacts
    assert figure.media_type == "image/png"
    assert store.object_path(figure.hash).read_bytes().startswith(b"\x89PNG")


def test_environment_has_packages_and_git_but_no_secrets(project: Path, store: Store) -> None:
    run = store.list_runs()[0]
    env = store.get_environment(run.env_hash or "")
    assert env is not None
    assert env.packages["scikit-learn"] and env.packages["pandas"]
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=project, capture_output=True, text=True)
    assert env.git["commit"] == head.stdout.strip()
    assert env.env_vars.get("OMP_NUM_THREADS") == "1"
    assert not any("TOKEN" in k or "PASSWORD" in k for k in env.env_vars)
    for path in (project / ".nbtrail").rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def test_cli_and_dataframe_list_the_same_runs(project: Path, store: Store) -> None:
    env = {**os.environ, "NBTRAIL_STORE": str(project / ".nbtrail")}
    listed = subprocess.run(
        [sys.executable, "-m", "nbtrail.cli", "runs", "--json"], env=env, capture_output=True,
        text=True, check=True,
    )  # fmt: skip
    ids = [row["id"] for row in json.loads(listed.stdout)]
    assert ids == [run.id for run in store.list_runs()]
    script = "import nbtrail; df = nbtrail.runs(); print(df.to_json(orient='records'))"
    frame = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    rows = json.loads(frame.stdout)
    assert [row["run_id"] for row in rows] == ids
    forest = next(row for row in rows if row["name"] == "random-forest")
    assert forest["params.model"] == "random_forest" and forest["metrics.accuracy"] > 0.8
