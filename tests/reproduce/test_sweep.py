"""``nbtrail sweep``: grids in parallel, failures recorded, resume, Dask."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nbtrail.cli import main
from nbtrail.records import RunQuery
from nbtrail.reproduce import sweep
from nbtrail.store import Store

pytestmark = pytest.mark.kernel

EXAMPLE = Path(__file__).parents[2] / "example_notebooks" / "sweep.ipynb"


@pytest.fixture
def sweep_notebook(tmp_path: Path) -> Path:
    return Path(shutil.copy(EXAMPLE, tmp_path / "sweep.ipynb"))


def nbtrail_sweep(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "nbtrail.cli", "sweep", *args],
        cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip


def test_a_2x3_sweep_tracks_six_runs_in_one_batch_and_prints_the_best(
    sweep_notebook: Path, store: Store
) -> None:
    proc = nbtrail_sweep(
        "sweep.ipynb", "-p", "lr=0.01,0.1", "-p", "depth=2,4,-1", "--metric", "score",
        cwd=sweep_notebook.parent,
    )  # fmt: skip
    out, err = proc.communicate(timeout=150)
    assert proc.returncode == 1, err  # two executions fail (depth=-1): exit 1, batch complete
    assert "best: lr=0.1 depth=4 (score=0.939794)" in out
    assert "6/6  done 4  failed 2" in err
    (batch,) = store.list_batches()
    assert batch.kind == "sweep" and batch.status == "finished"
    assert [item.status for item in batch.items].count("failed") == 2
    runs = store.list_runs(RunQuery(batch=batch.id))
    assert len(runs) == 6
    assert {r.status for r in runs} == {"finished", "failed"}
    assert {(r.param_dict()["lr"], r.param_dict()["depth"]) for r in runs} == {
        (lr, depth) for lr in (0.01, 0.1) for depth in (2, 4, -1)
    }
    assert all(r.notebook == "sweep.ipynb" for r in runs)
    lines = out.splitlines()
    assert lines[2].split()[:3] == ["4", "0.1", "4"]  # best first: index, lr, depth


def test_a_killed_sweep_resumes_only_the_missing_executions(
    sweep_notebook: Path, store: Store
) -> None:
    proc = nbtrail_sweep(
        "sweep.ipynb", "-p", "lr=0.01,0.05,0.1", "-p", "depth=2,4", "--workers", "1",
        cwd=sweep_notebook.parent,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    done = 0
    while time.monotonic() < deadline and done < 2:
        time.sleep(0.2)
        batches = store.list_batches()
        done = sum(i.status == "finished" for i in batches[0].items) if batches else 0
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    (batch,) = store.list_batches()
    finished = [i.index for i in batch.items if i.status == "finished"]
    assert 2 <= len(finished) < 6

    code = main(["sweep", "--resume", batch.id[:14], "--json"])
    assert code == 0
    result = sweep(resume=batch.id, store=store, progress=False)  # nothing left to run
    assert result.executed == 0
    assert [row.status for row in result.rows] == ["finished"] * 6
    resumed = store.get_batch(batch.id)
    assert all(item.status == "finished" for item in resumed.items)
    assert [resumed.items[i].ended for i in finished] == [batch.items[i].ended for i in finished]
    params = {(r.param_dict()["lr"], r.param_dict()["depth"])
              for r in store.list_runs(RunQuery(batch=batch.id))}  # fmt: skip
    assert len(params) == 6


def test_the_dask_executor_runs_a_sweep_on_a_local_cluster(
    sweep_notebook: Path, store: Store
) -> None:
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        result = sweep(
            sweep_notebook, {"lr": [0.01, 0.1], "depth": [4]}, executor="dask",
            scheduler=cluster.scheduler_address, metric="score", store=store, progress=False,
        )  # fmt: skip
    assert result.executed == 2 and result.failed == 0
    assert result.best is not None and result.best.params == {"lr": 0.1, "depth": 4}
    assert store.count_runs(RunQuery(batch=result.batch)) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-p", "nosuch=1,2"], "unknown parameter 'nosuch'"),
        (["-p", "lr"], "-p expects NAME=VALUE"),
        (["-p", "lr=0.1,"], "empty value"),
        ([], "a sweep needs at least one -p"),
        (["-p", "lr=1", "--executor", "spark"], "unknown executor 'spark'"),
        (["-p", "lr=1", "--executor", "dask"], "needs --scheduler"),
    ],
)
def test_bad_sweep_input_is_one_line_and_exit_2(
    sweep_notebook: Path, store: Store, capsys: pytest.CaptureFixture[str],
    args: list[str], message: str,
) -> None:  # fmt: skip
    code = main(["sweep", str(sweep_notebook), *args])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and message in err, err


def test_resume_of_unknown_batch_is_a_usage_error(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sweep", "--resume", "abc123"]) == 2
    assert "no batch 'abc123'" in capsys.readouterr().err


def test_sweep_json_lists_rows(sweep_notebook: Path, store: Store,
                               capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    # A metric no tracked cell logs is a usage error before anything runs.
    assert main(["sweep", str(sweep_notebook), "-p", "depth=3", "--metric", "x"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        "nbtrail: error: no tracked cell logs a metric 'x' (logged: loss, score)"
    )
    assert store.list_batches() == []
    assert main(["sweep", str(sweep_notebook), "-p", "depth=3", "--json", "--metric", "score"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["executed"] == 1 and data["rows"][0]["params"] == {"depth": 3}
    assert data["best"]["metrics"]["score"] == data["rows"][0]["metrics"]["score"]
    assert len(data["rows"][0]["runs"]) == 1
