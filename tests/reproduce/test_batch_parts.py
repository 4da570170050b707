"""The parts of a set of re-runs that need no kernel: targets, filter, summary, JUnit."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import junitparser
import pytest

from nbtrail.cli import main
from nbtrail.records import Batch, Reproduction, Run
from nbtrail.reproduce.batch import BatchReport, NotebookResult
from nbtrail.reproduce.batch_render import batch_summary
from nbtrail.reproduce.errors import ReproduceUsageError
from nbtrail.reproduce.junit import junit_xml
from nbtrail.reproduce.targets import Selection, parse_filter, select_targets
from nbtrail.store import Store
from nbtrail.store.filter_syntax import FilterError

T0 = 1_700_000_000.0


def run(n: int, notebook: str | None, session: str, **fields: Any) -> Run:
    base: dict[str, Any] = {
        "id": f"{int((T0 + n) * 1000):012x}{n:010x}",
        "name": f"cell{n}",
        "status": "finished",
        "started": T0 + n,
        "ended": T0 + n + 0.5,
        "notebook": notebook,
        "session": session,
        "source": "x = 1\n",
        "source_hash": "h",
    }
    return Run(**{**base, **fields})


@pytest.fixture
def runs(store: Store) -> list[Run]:
    """Two sessions of a.ipynb, one of b.ipynb, and a re-run of a.ipynb."""
    made = [
        run(1, "a.ipynb", "s1"),
        run(2, "a.ipynb", "s1", status="failed"),
        run(3, "b.ipynb", "s2", name="train"),
        run(4, "a.ipynb", "s3"),
        run(5, "a.ipynb", "s4", batch="abcdef0123"),
        run(6, None, "s5"),
    ]
    store.save_batch(Batch("abcdef0123", "rerun", "a.ipynb", T0))
    for r in made:
        store.save_run(r)
    return made


def test_parse_filter_takes_the_filter_language(store: Store, runs: list[Run]) -> None:
    query = parse_filter("notebook = a.ipynb AND status = 'finished'")
    assert query.filter == "notebook = a.ipynb AND status = 'finished'"
    assert {r.notebook for r in store.list_runs(query)} == {"a.ipynb"}
    with pytest.raises(ReproduceUsageError, match="needs an expression"):
        parse_filter(" ")
    for bad, why in (("notebook =", "expected a value"), ("tag=x", "unknown attribute .tag.")):
        with pytest.raises(FilterError, match=why):
            parse_filter(bad)


def test_targets_are_one_original_per_session(store: Store, runs: list[Run]) -> None:
    def ids(selection: Selection) -> list[str]:
        return [r.id for r in select_targets(store, selection)]

    r1, r2, r3, r4, _, _ = runs
    # --all: the latest original of each notebook (never the re-run's, never file-less cells).
    assert ids(Selection(all=True)) == [r3.id, r4.id]
    assert ids(Selection(notebooks=("a.ipynb",))) == [r4.id]
    # --filter: each matching session once, by its latest matching run.
    assert ids(Selection(filter="notebook=a.ipynb")) == [r2.id, r4.id]
    assert ids(Selection(filter="status=failed")) == [r2.id]
    # Runs of one session collapse; the order asked for is kept.
    assert ids(Selection(runs=(r3.id, r1.id, r2.id), all=True)) == [r3.id, r1.id, r4.id]
    with pytest.raises(ReproduceUsageError, match="no recorded runs of the notebook"):
        select_targets(store, Selection(notebooks=("c.ipynb",)))
    with pytest.raises(ReproduceUsageError, match="nothing to re-run"):
        select_targets(store, Selection(filter="name=nope"))
    with pytest.raises(ReproduceUsageError, match="give runs"):
        select_targets(store, Selection())


def test_usage_errors_exit_2(
    store: Store, runs: list[Run], capsys: pytest.CaptureFixture[str]
) -> None:
    for args in (
        ["rerun"],
        ["rerun", "--filter", "colour=red"],
        ["rerun", "--all", "-p", "x=1"],
        ["rerun", "--all", "--executor", "nope"],
        ["rerun", "--notebook", "missing.ipynb"],
    ):
        assert main(args) == 2, args
        assert "nbtrail: error:" in capsys.readouterr().err


def report(*results: NotebookResult, interrupted: bool = False) -> BatchReport:
    return BatchReport("0123batch", results, T0, T0 + 9.5, "local", interrupted)


RESULTS = (
    NotebookResult(0, "r0", "ok.ipynb", "reproduced", "b0", "2 cells reproduced", duration=2.0,
                   text="cell  result\nload  ok"),
    NotebookResult(1, "r1", "tol.ipynb", "reproduced within tolerance", "b1", duration=2.5),
    NotebookResult(2, "r2", "noisy.ipynb", "diverged", "b2", "cell 'fit' diverged", "fit",
                   "unseeded randomness: same inputs", duration=3.0, text="bad \x1b[31m\x00"),
    NotebookResult(3, "r3", "boom.ipynb", "failed", "b3", "the notebook failed",
                   error="cell 2: ValueError: <boom> & \"quotes\"", duration=1.0),
)  # fmt: skip


def test_summary_reads_like_a_test_run() -> None:
    text = batch_summary(report(*RESULTS))
    lines = text.splitlines()
    assert lines[2].startswith("ok.ipynb") and "reproduced" in lines[2]
    assert "DIVERGED" in lines[4] and "'fit'" in lines[4] and "unseeded randomness" in lines[4]
    assert "FAILED" in lines[5] and "ValueError" in lines[5]
    assert "boom.ipynb: cell 2: ValueError" in text
    assert lines[-1] == (
        "4 notebooks: 1 reproduced, 1 reproduced within tolerance, 1 diverged, 1 failed "
        "(batch 0123batch, 9.5 s)"
    )
    assert report(*RESULTS).exit_code == 1
    assert report(*RESULTS[:2]).exit_code == 0
    assert report().exit_code == 1  # nothing checked is no pass
    stopped = report(RESULTS[0], NotebookResult(1, "r1", "late.ipynb"), interrupted=True)
    assert stopped.exit_code == 130
    assert "interrupted: 1 of 2 notebooks ran; not run: late.ipynb" in batch_summary(stopped)


def test_junit_report_shape(tmp_path: Path) -> None:
    late = NotebookResult(4, "r4", "ok.ipynb", None, error="interrupted")
    xml = junit_xml(report(*RESULTS, late, interrupted=True))
    path = tmp_path / "report.xml"
    path.write_text(xml, encoding="utf-8")

    root = ET.parse(path).getroot()
    (suite,) = root.findall("testsuite")
    assert suite.get("tests") == "5" and suite.get("failures") == "2"
    assert suite.get("skipped") == "1" and suite.get("errors") == "0"
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props == {"batch": "0123batch", "executor": "local"}
    names = [case.get("name") for case in suite.findall("testcase")]
    # One notebook twice: told apart by its run.
    assert names == ["ok.ipynb (run r0)", "tol.ipynb", "noisy.ipynb", "boom.ipynb",
                     "ok.ipynb (run r4)"]  # fmt: skip
    cases = suite.findall("testcase")
    assert cases[0].findtext("system-out") == "cell  result\nload  ok"
    failure = cases[2].find("failure")
    assert failure is not None
    assert failure.get("message") == "diverged in cell 'fit': unseeded randomness: same inputs"
    assert cases[2].findtext("system-out") == "bad ?[31m?"  # control characters replaced
    failure = cases[3].find("failure")
    assert failure is not None and failure.get("type") == "failed"
    assert failure.get("message") == 'failed: cell 2: ValueError: <boom> & "quotes"'
    assert cases[4].find("skipped") is not None

    parsed = junitparser.JUnitXml.fromfile(str(path))
    (suite_parsed,) = list(parsed)
    outcomes = [type(case.result[0]).__name__ if case.result else "passed" for case in suite_parsed]
    assert outcomes == ["passed", "passed", "Failure", "Failure", "Skipped"]
    assert suite_parsed.time == pytest.approx(9.5)


def test_show_names_a_batch_when_no_run_matches(
    store: Store, runs: list[Run], capsys: pytest.CaptureFixture[str]
) -> None:
    store.save_reproduction(
        Reproduction("abcdef0123", runs[0].id, "diverged", T0, {"summary": "cell 'x' diverged"})
    )
    assert main(["show", "abcdef01"]) == 0
    out = capsys.readouterr().out
    assert "batch abcdef0123 (rerun, running)" in out
    assert "verdict: diverged - cell 'x' diverged" in out
    assert main(["show", "abcdef01", "--json"]) == 0
    assert '"kind": "rerun"' in capsys.readouterr().out
    assert main(["show", "fedcba98"]) == 1
    assert "no run" in capsys.readouterr().err
