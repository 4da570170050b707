"""``nbtrail rerun --all``: many notebooks re-run in parallel as one check, in real kernels."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import junitparser
import pytest

from nbtrail.cli import main
from nbtrail.records import Run
from nbtrail.store import Store

pytestmark = pytest.mark.kernel

WriteNotebook = Callable[..., Path]  # the ``notebook`` fixture
RunOriginal = Callable[..., list[Run]]  # the ``run_original`` fixture

LOAD = "%load_ext nbtrail\nimport nbtrail, random"
SEEDED = "%%track draw\nrandom.seed(7)\nx = random.random()\nnbtrail.log_metric('x', x)"
UNSEEDED = "%%track draw\nx = random.random()\nnbtrail.log_metric('x', x)"
READ = "%%track read\ntext = open('input.txt').read()\nn = len(text)"
FINE = "%%track fine\ny = 1 + 1"
CHECK = "%%track check\nassert open('flag.txt').read() == 'ok', 'flag.txt changed'"
CRASH = "%%track crash\nimport os\nif open('flag.txt').read() != 'ok':\n    os._exit(1)"
WAIT = "%%track wait\nimport time\ntime.sleep(float(open('delay.txt').read()))"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def line_of(text: str, notebook: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(notebook))


def test_three_notebooks_one_check_summary_junit_and_stored_batch(
    tmp_path: Path,
    notebook: WriteNotebook,
    run_original: RunOriginal,
    store: Store,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "input.txt").write_text("abc")
    for name, cell in (("seeded", SEEDED), ("noisy", UNSEEDED), ("data", READ)):
        assert run_original(notebook([LOAD, cell], name=name))
    (tmp_path / "input.txt").write_text("abcdef")  # the data notebook's input changed
    junit = tmp_path / "reports" / "rerun.xml"

    code, out, err = cli(capsys, "rerun", "--all", "--workers", "2", "--junit", str(junit))

    assert code == 1, out + err
    assert "reproduced" in line_of(out, "seeded.ipynb")
    noisy, data = line_of(out, "noisy.ipynb"), line_of(out, "data.ipynb")
    assert "DIVERGED" in noisy and "'draw'" in noisy and "unseeded randomness" in noisy
    assert "DIVERGED" in data and "'read'" in data and "input data changed" in data
    assert "3 notebooks: 1 reproduced, 2 diverged" in out
    assert "rerun [" in err  # the sweep's progress line

    # JUnit: the shape checked with ElementTree, the meaning with a JUnit consumer.
    root = ET.parse(junit).getroot()
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "2", "0")
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert set(cases) == {"seeded.ipynb", "noisy.ipynb", "data.ipynb"}
    assert cases["seeded.ipynb"].find("failure") is None
    failure = cases["data.ipynb"].find("failure")
    assert failure is not None and failure.get("type") == "diverged"
    assert "cell 'read'" in failure.get("message", "")
    assert "input data changed" in failure.get("message", "")
    assert "input.txt" in (cases["data.ipynb"].findtext("system-out") or "")
    xml = junitparser.JUnitXml.fromfile(str(junit))
    parsed = list(xml)
    assert len(parsed) == 1 and parsed[0].tests == 3 and parsed[0].failures == 2
    results = {case.name: case.result for case in parsed[0]}
    assert results["seeded.ipynb"] == []
    (noisy_failure,) = results["noisy.ipynb"]
    assert isinstance(noisy_failure, junitparser.Failure)
    assert "cell 'draw'" in (noisy_failure.message or "")
    assert "unseeded randomness" in (noisy_failure.message or "")

    # Stored: one set batch; each notebook's re-run batch and Reproduction as today.
    (batch,) = [b for b in store.list_batches() if b.kind == "rerun-set"]
    assert batch.status == "finished" and batch.executor == "local"
    verdicts = {r["notebook"]: r["verdict"] for r in batch.spec["results"]}
    assert verdicts == {
        "seeded.ipynb": "reproduced",
        "noisy.ipynb": "diverged",
        "data.ipynb": "diverged",
    }
    for result in batch.spec["results"]:
        reproduction = store.get_reproduction(result["batch"])
        assert reproduction is not None and reproduction.run == result["run"]
        assert store.get_batch(result["batch"]).spec["set"] == batch.id
        reruns = [r for r in store.list_runs() if r.batch == result["batch"]]
        assert reruns and all(store.get_run(r.id).parent for r in reruns)

    code, out, _ = cli(capsys, "show", batch.id)
    assert code == 0 and "rerun-set" in out and "3 notebooks: 1 reproduced, 2 diverged" in out
    code, out, _ = cli(capsys, "show", batch.id, "--json")
    shown = json.loads(out)
    assert shown["exit_code"] == 1 and shown["counts"] == {"reproduced": 1, "diverged": 2}
    assert all(r["report"]["cells"] for r in shown["results"])  # from each Reproduction

    # --notebook picks the latest recorded execution (not a re-run), --json the report.
    code, out, _ = cli(capsys, "rerun", "--notebook", str(tmp_path / "seeded.ipynb"), "--json")
    report = json.loads(out)
    assert code == 0 and report["exit_code"] == 0
    assert [r["verdict"] for r in report["results"]] == ["reproduced"]
    assert report["results"][0]["run"] == batch.spec["results"][0]["run"]


def test_raising_slow_crashing_and_unstartable_notebooks_fail_alone(
    tmp_path: Path,
    notebook: WriteNotebook,
    run_original: RunOriginal,
    store: Store,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "flag.txt").write_text("ok")
    (tmp_path / "delay.txt").write_text("0")
    (tmp_path / "gone").mkdir()
    assert run_original(notebook([LOAD, FINE], name="fine"))
    assert run_original(notebook([LOAD, CHECK], name="raising"))
    # Each of its cells stays under --timeout; together they exceed it.
    assert run_original(notebook([LOAD, WAIT, WAIT.replace("wait", "wait_more", 1)], name="slow"))
    assert run_original(notebook([LOAD, CRASH], name="crashing"))
    assert run_original(notebook([LOAD, FINE], name="gone/moved"))
    (tmp_path / "flag.txt").write_text("changed")  # the second cells now raise or crash
    (tmp_path / "delay.txt").write_text("8")
    shutil.rmtree(tmp_path / "gone")  # its working folder: it cannot start
    junit = tmp_path / "rerun.xml"

    started = time.monotonic()
    code, out, err = cli(capsys, "rerun", "--all", "--workers", "2", "--timeout", "12",
                         "--junit", str(junit))  # fmt: skip

    assert code == 1, out + err
    assert time.monotonic() - started < 90
    assert "reproduced" in line_of(out, "fine.ipynb")
    raising = line_of(out, "raising.ipynb")
    assert "FAILED" in raising and "'check'" in raising and "AssertionError" in raising
    assert "FAILED" in line_of(out, "slow.ipynb") and "timed out after 12 s" in out
    assert "FAILED" in line_of(out, "crashing.ipynb") and "DeadKernelError" in out
    assert "FAILED" in line_of(out, "gone/moved.ipynb") and "does not exist" in out
    assert "5 notebooks: 1 reproduced, 4 failed" in out
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "4"
    failed = {c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None}
    assert failed == {"raising.ipynb", "slow.ipynb", "crashing.ipynb", "gone/moved.ipynb"}


def test_ctrl_c_stops_the_set_and_says_what_ran(
    tmp_path: Path, notebook: WriteNotebook, run_original: RunOriginal, store: Store
) -> None:
    (tmp_path / "delay.txt").write_text("0")
    # Sets run longest first: "first" must take longer than "second" did originally.
    nap = "%%track nap\nimport time\ntime.sleep(1.0)"
    assert run_original(notebook([LOAD, FINE, nap], name="first"))
    assert run_original(notebook([LOAD, WAIT], name="second"))
    (tmp_path / "delay.txt").write_text("120")
    process = subprocess.Popen(
        [sys.executable, "-m", "nbtrail.cli", "rerun", "--all", "--workers", "1"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )  # fmt: skip
    assert process.stderr is not None
    try:
        progress = ""
        while "1/2" not in progress:  # the first notebook is judged
            line = process.stderr.readline()
            assert line, "the re-run ended before the first notebook finished"
            progress += line
        time.sleep(3)  # the second notebook's kernel is running its slow cell
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, out + err
    assert (
        "first.ipynb" in out and "interrupted: 1 of 2 notebooks ran; not run: second.ipynb" in out
    )
    (batch,) = [b for b in store.list_batches() if b.kind == "rerun-set"]
    assert batch.status == "failed" and batch.spec["interrupted"] is True
    assert [item.status for item in batch.items] == ["finished", "failed"]


def test_a_set_runs_on_a_dask_cluster(
    notebook: WriteNotebook, run_original: RunOriginal, store: Store
) -> None:
    from distributed import LocalCluster

    from nbtrail.reproduce.batch import BatchOptions, rerun_many
    from nbtrail.reproduce.targets import Selection

    for name in ("one", "two"):  # told apart by content: the kernel finds its notebook so
        assert run_original(notebook([f"{LOAD}  # {name}", SEEDED], name=name))
    with LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        options = BatchOptions(executor="dask", scheduler=cluster.scheduler_address)
        report = rerun_many(store, Selection(all=True), options, show_progress=False)
    assert report.exit_code == 0, [r.summary for r in report.results]
    assert [r.verdict for r in report.results] == ["reproduced", "reproduced"]
    assert store.get_batch(report.batch).executor == "dask"
