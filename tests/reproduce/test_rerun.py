"""``nbtrail rerun`` against real kernels: each verdict and cause the issue names."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from nbtrail.cli import main
from nbtrail.records import Run, RunQuery
from nbtrail.report import show_run
from nbtrail.reproduce import JobManager, reproduce
from nbtrail.reproduce.render import rerun_report
from nbtrail.store import Store

pytestmark = pytest.mark.kernel

WriteNotebook = Callable[..., Path]  # the ``notebook`` fixture
RunOriginal = Callable[..., list[Run]]  # the ``run_original`` fixture

SETUP = "%load_ext nbtrail\nimport nbtrail\nimport numpy as np\nimport pandas as pd"
LOAD = "%%track load\ndf = pd.read_csv('data.csv')"
FIT = (
    "%%track fit\nrng = np.random.default_rng(seed)\n"
    "noise = rng.normal(size=len(df))\n"
    "score = float((df['x'] * scale + noise).mean())\n"
    "nbtrail.log_metric('score', score)"
)


def nbtrail_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nbtrail.cli", *args],
        cwd=cwd, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def seeded(tmp_path: Path, notebook: WriteNotebook, run_original: RunOriginal) -> str:
    """A seeded notebook reading data.csv, executed once; returns its 'fit' run id."""
    (tmp_path / "data.csv").write_text("x\n1\n2\n3\n")
    path = notebook([SETUP, LOAD, FIT], params="seed = 0\nscale = 2.0")
    runs = run_original(path)
    assert [r.name for r in runs] == ["load", "fit"]
    return runs[-1].id


def test_seeded_notebook_reproduces_then_diverges_when_its_csv_changes(
    seeded: str, store: Store, tmp_path: Path
) -> None:
    report = reproduce(seeded, store=store)
    assert report.verdict == "reproduced", rerun_report(report)
    assert [c.outcome for c in report.cells] == ["same", "same"]
    assert report.exit_code == 0
    # The re-run's runs are attributed to the original notebook, batch and parents.
    reruns = store.list_runs(RunQuery(batch=report.batch))
    assert {r.notebook for r in reruns} == {"analysis.ipynb"}
    parents = {store.get_run(r.id).name: store.get_run(r.id).parent for r in reruns}
    originals = {r.id: r.name for r in store.list_runs() if r.batch is None}
    assert {name: originals[parent] for name, parent in parents.items()} == {
        "load": "load",
        "fit": "fit",
    }
    stored = store.get_reproduction(report.batch)
    assert stored is not None and stored.verdict == "reproduced" and stored.run == seeded

    (tmp_path / "data.csv").write_text("x\n1\n2\n3\n4\n")
    report = reproduce(seeded, store=store)
    assert report.verdict == "diverged"
    assert report.exit_code == 1
    first = report.cells[report.first_divergent or 0]
    assert first.name == "load"
    assert report.cause is not None and report.cause.kind == "input data changed"
    assert "data.csv" in report.cause.detail
    text = rerun_report(report)
    assert "DIVERGED" in text and "'load'" in text and "data.csv" in text
    shown = show_run(store, store.get_run(seeded))  # nbtrail show lists both re-runs
    assert shown.count("re-run") == 2 and "diverged" in shown and "reproduced" in shown


def test_cli_rerun_exit_codes_json_and_usage_errors(
    seeded: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    done = nbtrail_cli("rerun", seeded[:16], "--json", cwd=tmp_path)  # the real command
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["verdict"] == "reproduced" and data["exit_code"] == 0

    code, out, _ = cli(capsys, "rerun", seeded, "-p", "scale=3")
    assert code == 1
    assert "parameters changed: scale 2.0 -> 3" in out

    for args, message in [
        (("rerun", "ffff0000"), "no run 'ffff0000'"),
        (("rerun", seeded, "-p", "nosuch=1"), "unknown parameter 'nosuch'"),
        (("rerun", seeded, "-p", "scale"), "-p expects NAME=VALUE"),
    ]:
        code, _, err = cli(capsys, *args)
        assert code == 2, err
        assert err.count("\n") == 1 and message in err, err
        assert "Traceback" not in err


def test_unseeded_randomness_is_named(notebook: WriteNotebook, run_original: RunOriginal,
                                      store: Store) -> None:  # fmt: skip
    path = notebook(
        ["%load_ext nbtrail\nimport nbtrail\nimport numpy as np",
         "%%track draw\nvalues = np.random.rand(4)\nnbtrail.log_metric('mean', values.mean())"]
    )  # fmt: skip
    runs = run_original(path)
    report = reproduce(runs[-1].id, store=store)
    assert report.verdict == "diverged"
    assert report.cause is not None and report.cause.kind == "unseeded randomness"
    assert "same inputs, code and environment" in report.cause.detail


def test_out_of_order_original_is_flagged(notebook: WriteNotebook, run_original: RunOriginal,
                                          store: Store) -> None:  # fmt: skip
    path = notebook(["%load_ext nbtrail", "x = 1", "%%track use\ny = x * 10", "x = 5"])
    runs = run_original(path, order=[0, 1, 3, 2])  # the last cell ran before 'use'
    assert [r.name for r in runs] == ["use"]
    report = reproduce(runs[0].id, store=store)
    assert [f.name for f in report.out_of_order] == ["use"]
    assert "comes later in the notebook" in report.out_of_order[0].detail
    assert report.verdict == "diverged"
    assert report.cause is not None and report.cause.kind == "out-of-order execution"
    assert "out-of-order" in rerun_report(report)


def test_failing_cell_gives_failed(seeded: str, store: Store, tmp_path: Path) -> None:
    (tmp_path / "data.csv").unlink()
    report = reproduce(seeded, store=store)
    assert report.verdict == "failed" and report.exit_code == 1
    failed = report.cells[report.first_divergent or 0]
    assert failed.name == "load" and "FileNotFoundError" in (failed.error or "")
    assert "FileNotFoundError" in report.summary


def test_job_manager_runs_a_rerun_in_the_background(seeded: str, store: Store) -> None:
    jobs = JobManager(store)
    seen: list[int] = []  # cells re-run so far, each time the job was asked
    try:
        job = jobs.start_rerun(seeded)
        while (status := jobs.status(job)).state not in ("finished", "failed"):
            seen.append(sum(cell["rerun"] is not None for cell in status.cells))
            time.sleep(0.05)
    finally:
        jobs.shutdown()
    assert status.state == "finished", status
    assert status.verdict == "reproduced" and status.progress == 1.0
    assert status.batch is not None and store.get_reproduction(status.batch) is not None
    assert seen == sorted(seen)  # per-cell progress only grows
    originals = store.get_run(seeded)
    assert status.cells and all(cell["status"] == "finished" for cell in status.cells)
    assert any(cell["original"] == originals.id for cell in status.cells)
    for cell in status.cells:  # each links to the new run of that cell
        assert store.get_run(cell["rerun"]).parent == cell["original"]
