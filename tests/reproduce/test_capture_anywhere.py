"""Notebooks run by plain papermill, nbconvert, ``jupyter execute`` or nbclient, with no
``NBTRAIL_*`` variable set, know their notebook, cells and parameters, and re-run.

Every execution here is a real kernel started by the real tool, from a project
folder holding a ``.nbtrail/`` store, the way a person would type it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from nbtrail.records import Run, RunQuery
from nbtrail.store import Store, open_store

pytestmark = pytest.mark.kernel

BIN = Path(sys.executable).parent

SETUP = "%load_ext nbtrail\nimport nbtrail\nimport pandas as pd"
PARAMS = "seed = 0\nC = 0.5\nn_estimators = 10\ndata_file = 'data/iris.csv'"
LOAD = "%%track load\ndf = pd.read_csv(data_file)\nX, y = df.drop(columns='target'), df['target']"
FOREST = (
    "%%track forest\nfrom sklearn.ensemble import RandomForestClassifier\n"
    "forest = RandomForestClassifier(n_estimators=n_estimators, random_state=seed).fit(X, y)\n"
    "nbtrail.log_metric('accuracy', forest.score(X, y))"
)
LOGISTIC = (
    "%%track logistic\nfrom sklearn.linear_model import LogisticRegression\n"
    "logistic = LogisticRegression(C=C, max_iter=500).fit(X, y)\n"
    "nbtrail.log_metric('accuracy', logistic.score(X, y))"
)
REPORT = '%%track "summary table" -t "my tag" -p note="x y"\nprint(len(X), X.shape[1])'


def clean_env() -> dict[str, str]:
    """The environment a person's shell has: no NBTRAIL_* variable at all."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NBTRAIL_")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def run(args: list[str], cwd: Path, timeout: int = 180) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        args, cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=timeout
    )
    return done


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with a store and ``nb/clinic.ipynb`` reading ``nb/data/iris.csv``."""
    from sklearn.datasets import load_iris

    for name in [k for k in os.environ if k.startswith("NBTRAIL_")]:
        monkeypatch.delenv(name)
    root = tmp_path / "proj"
    (root / ".nbtrail").mkdir(parents=True)
    (root / "nb" / "data").mkdir(parents=True)
    frame = load_iris(as_frame=True).frame
    frame.to_csv(root / "nb" / "data" / "iris.csv", index=False)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    params = nbformat.v4.new_code_cell(PARAMS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_code_cell(SETUP), params] + [
        nbformat.v4.new_code_cell(source) for source in (LOAD, FOREST, LOGISTIC, REPORT)
    ]
    nbformat.write(nb, root / "nb" / "clinic.ipynb")
    return root


def cell_ids(path: Path) -> dict[str, str]:
    """Tracked cells' names -> the notebook's own cell ids."""
    nb = nbformat.read(path, as_version=4)
    names = {LOAD: "load", FOREST: "forest", LOGISTIC: "logistic", REPORT: "summary table"}
    return {names[c.source]: c.id for c in nb.cells if c.source in names}


def session(store: Store) -> dict[str, Run]:
    """The newest session's runs by name, in full."""
    runs = sorted(store.list_runs(), key=lambda r: r.id)
    last = runs[-1].session
    return {r.name: store.get_run(r.id) for r in runs if r.session == last}


def params(run: Run) -> dict[str, tuple[object, str]]:
    return {p.key: (p.value, p.origin) for p in run.params}


def test_papermill_cli_records_notebook_cells_and_params_and_reruns(project: Path) -> None:
    done = run(
        [
            str(BIN / "papermill"),
            "--log-level",
            "WARNING",
            "clinic.ipynb",
            "../out.ipynb",
            "-p",
            "n_estimators",
            "30",
        ],
        cwd=project / "nb",
    )
    assert done.returncode == 0, done.stderr
    store = open_store(str(project / ".nbtrail"), create=False)
    runs = session(store)
    assert set(runs) == {"load", "forest", "logistic", "summary table"}
    assert {r.notebook for r in runs.values()} == {"nb/clinic.ipynb"}
    assert {name: r.cell_id for name, r in runs.items()} == cell_ids(project / "nb/clinic.ipynb")
    assert {r.extra["notebook"]["found_by"] for r in runs.values()} == {"papermill"}
    assert {r.extra["notebook"]["snapshot"] for r in runs.values()} == {"file"}
    # Each run has the notebook parameters its cell reads, with the value in effect.
    assert params(runs["forest"]) == {"n_estimators": (30, "notebook"), "seed": (0, "notebook")}
    assert params(runs["logistic"]) == {"C": (0.5, "notebook")}
    assert params(runs["load"]) == {"data_file": ("data/iris.csv", "notebook")}
    assert params(runs["summary table"]) == {"note": ("x y", "magic")}
    assert runs["summary table"].tags == {"my tag": ""}
    shown = run([str(BIN / "nbtrail"), "show", runs["forest"].id], cwd=project)
    assert "found by papermill" in shown.stdout, shown.stdout

    done = run([str(BIN / "nbtrail"), "rerun", runs["forest"].id, "--json"], cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["verdict"] == "reproduced", report["summary"]
    assert report["parameters"] == {"n_estimators": 30}  # what papermill injected, again
    rerun = {r.name: store.get_run(r.id) for r in store.list_runs(RunQuery(batch=report["batch"]))}
    for name, original in runs.items():  # identical re-runs record identical params
        assert params(rerun[name]) == params(original), name
        assert rerun[name].cell_id == original.cell_id
    diff = run([str(BIN / "nbtrail"), "diff", runs["forest"].id, rerun["forest"].id], cwd=project)
    assert diff.returncode == 0 and "are the same" in diff.stdout, diff.stdout


@pytest.mark.parametrize(
    ("command", "method"),
    [
        (
            [
                "jupyter",
                "nbconvert",
                "--to",
                "notebook",
                "--execute",
                "nb/clinic.ipynb",
                "--output-dir",
                "out",
            ],
            "nbconvert",
        ),
        (["jupyter", "execute", "nb/clinic.ipynb"], "jupyter execute"),
    ],
)
def test_nbconvert_and_jupyter_execute_know_their_notebook(
    project: Path, command: list[str], method: str
) -> None:
    done = run([str(BIN / command[0]), *command[1:]], cwd=project)
    assert done.returncode == 0, done.stderr
    runs = session(open_store(str(project / ".nbtrail"), create=False))
    assert {r.notebook for r in runs.values()} == {"nb/clinic.ipynb"}
    assert {name: r.cell_id for name, r in runs.items()} == cell_ids(project / "nb/clinic.ipynb")
    assert {r.extra["notebook"]["found_by"] for r in runs.values()} == {method}
    assert params(runs["forest"]) == {"n_estimators": (10, "notebook"), "seed": (0, "notebook")}


def test_papermill_from_python_elsewhere_then_deleted_reruns_from_its_snapshot(
    project: Path, tmp_path: Path
) -> None:
    """The kernel ran in ``work/`` (where its data is); the notebook is gone at re-run time."""
    work = project / "work"
    (work / "data").mkdir(parents=True)
    (project / "nb" / "data" / "iris.csv").rename(work / "data" / "iris.csv")
    output = str(tmp_path / "elsewhere.out.ipynb")
    script = (
        "import papermill\n"
        f"papermill.execute_notebook('../nb/clinic.ipynb', {output!r}, parameters={{'C': 2.0}},"
        " progress_bar=False)\n"
    )
    done = run([sys.executable, "-c", script], cwd=work)
    assert done.returncode == 0, done.stderr
    store = open_store(str(project / ".nbtrail"), create=False)
    runs = session(store)
    assert {r.notebook for r in runs.values()} == {"nb/clinic.ipynb"}
    assert {r.extra["notebook"]["found_by"] for r in runs.values()} == {"content match"}
    assert {r.extra["cwd"] for r in runs.values()} == {str(work)}
    assert params(runs["logistic"]) == {"C": (2.0, "notebook")}

    (project / "nb" / "clinic.ipynb").unlink()
    done = run([str(BIN / "nbtrail"), "rerun", runs["logistic"].id, "--json"], cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["verdict"] == "reproduced", report["summary"]
    assert report["source"] == "snapshot" and report["parameters"] == {"C": 2.0}


def test_cells_never_saved_rerun_from_the_cells_the_kernel_executed(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """nbclient driven from Python on a notebook that exists only in memory."""
    scratch = project / "scratch"
    scratch.mkdir()
    (scratch / "data").mkdir()
    (project / "nb" / "data" / "iris.csv").rename(scratch / "data" / "iris.csv")
    nb = nbformat.v4.new_notebook()
    cells = [SETUP, "# an unsaved experiment\n" + PARAMS, LOAD, FOREST]
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    client = NotebookClient(
        nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(scratch)}}
    )
    client.execute()
    store = open_store(str(project / ".nbtrail"), create=False)
    runs = session(store)
    assert set(runs) == {"load", "forest"}
    assert {r.notebook for r in runs.values()} == {None}
    assert {r.extra["notebook"]["snapshot"] for r in runs.values()} == {"reconstructed"}
    assert params(runs["forest"]) == {}  # no parameters cell is known: nothing is a parameter

    from nbtrail.cli import main

    monkeypatch.chdir(project)
    assert main(["rerun", runs["load"].id, "--json"]) == 0  # the session's later cells too
    report = json.loads(capsys.readouterr().out)
    assert report["verdict"] == "reproduced", report["summary"]
    assert report["source"] == "reconstructed snapshot"
    assert [c["name"] for c in report["cells"]] == ["load", "forest"]
