"""Verdicts on realistic notebooks: no false alarm from timings, no missed change.

Each notebook is executed in a real kernel, then re-run with papermill. The
corpus uses scikit-learn's bundled datasets: timing code around fits, grid
searches whose ``cv_results_`` hold fit times, unseeded printed results, and
an input file that changes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from nbtrail.records import Run
from nbtrail.reproduce import reproduce
from nbtrail.reproduce.compare import Tolerance
from nbtrail.reproduce.printed import compare_printed
from nbtrail.reproduce.render import rerun_report
from nbtrail.store import Store

WriteNotebook = Callable[..., Path]
RunOriginal = Callable[..., list[Run]]

SETUP = (
    "%load_ext nbtrail\nimport time, datetime\nimport nbtrail\nimport numpy as np\n"
    "import pandas as pd\nfrom sklearn.datasets import load_iris"
)
WRITE_DATA = (
    "frame = load_iris(as_frame=True).frame\n"
    "frame.sample(frac=1.0, random_state=0).to_csv('iris.csv', index=False)"
)
LOAD = "%%track load\ndf = pd.read_csv('iris.csv')\nX, y = df.drop(columns='target'), df['target']"


def test_timing_code_and_grid_search_fit_times_reproduce(
    notebook: WriteNotebook, run_original: RunOriginal, store: Store
) -> None:
    timed = (
        '%%track "timed fit"\nfrom sklearn.linear_model import LogisticRegression\n'
        "t0 = time.time()\nstarted = datetime.datetime.now()\n"
        "model = LogisticRegression(max_iter=500).fit(X, y)\n"
        "elapsed = time.time() - t0\n"
        "nbtrail.log_metric('fit_seconds', elapsed)\n"
        "nbtrail.log_metric('accuracy', model.score(X, y))\n"
        "print(f'fit took {elapsed:.4f}s at {started}')\nprint('accuracy', model.score(X, y))"
    )
    grid = (
        "%%track grid\nfrom sklearn.model_selection import GridSearchCV\n"
        "from sklearn.svm import SVC\n"
        "search = GridSearchCV(SVC(), {'C': [0.1, 1, 10]}, cv=3).fit(X, y)\n"
        "results = pd.DataFrame(search.cv_results_)\n"
        "best_C = search.best_params_['C']\nresults[['param_C', 'mean_test_score']]"
    )
    path = notebook([SETUP, WRITE_DATA, LOAD, timed, grid])
    runs = run_original(path)
    report = reproduce(runs[-1].id, store=store)
    assert report.verdict == "reproduced", rerun_report(report)
    cells = {c.name: c for c in report.cells}
    assert cells["timed fit"].outcome == "same"
    notes = " ".join(cells["timed fit"].notes)
    assert "fit_seconds: a timing" in notes and "elapsed: a timing" in notes
    assert "results: differs only in fit/score times" in " ".join(cells["grid"].notes)


def test_a_grid_search_on_changed_data_diverges_in_its_own_cell(
    notebook: WriteNotebook, run_original: RunOriginal, store: Store, tmp_path: Path
) -> None:
    """A fitted search (masked arrays in ``cv_results_``) is compared, not skipped."""
    from sklearn.datasets import load_iris

    grid = (
        "%%track grid\nfrom sklearn.model_selection import GridSearchCV\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "search = GridSearchCV(LogisticRegression(max_iter=1000), {'C': [0.01, 1, 100]},"
        " cv=3).fit(X, y)"
    )
    frame = load_iris(as_frame=True).frame.sample(frac=1.0, random_state=0)
    frame.to_csv(tmp_path / "iris.csv", index=False)
    path = notebook([SETUP, LOAD, grid])
    runs = run_original(path)
    search = next(b for b in runs[-1].bindings if b.name == "search")
    assert search.kind == "model" and search.hash is not None

    frame.iloc[::2].to_csv(tmp_path / "iris.csv", index=False)
    report = reproduce(runs[-1].id, store=store)
    assert report.verdict == "diverged"
    cells = {c.name: c for c in report.cells}
    assert cells["load"].causes[0].kind == "input data changed"
    assert cells["grid"].outcome == "diverged"
    moved = {b.name for b in cells["grid"].bindings if b.decisive}
    assert "search" in moved
    assert cells["grid"].causes[0].kind == "input data changed"


def test_unseeded_printed_results_diverge_with_the_lines_shown(
    notebook: WriteNotebook, run_original: RunOriginal, store: Store
) -> None:
    cluster = (
        "%%track cluster\nfrom sklearn.cluster import KMeans\n"
        "from sklearn.metrics import silhouette_score\n"
        "labels = KMeans(n_clusters=3, n_init=3, random_state=0).fit_predict(X)\n"
        "print('silhouette', silhouette_score(X, labels, sample_size=60))"
    )
    path = notebook([SETUP, WRITE_DATA, LOAD, cluster])
    runs = run_original(path)
    report = reproduce(runs[-1].id, store=store)
    assert report.verdict == "diverged", rerun_report(report)
    cell = report.cells[report.first_divergent or 0]
    assert cell.name == "cluster"
    assert report.cause is not None and report.cause.kind == "printed output differs"
    assert "silhouette" in report.cause.detail
    assert "printed (stdout): 'silhouette" in rerun_report(report)


def test_a_changed_input_file_is_blamed_not_a_deterministic_model(
    notebook: WriteNotebook, run_original: RunOriginal, store: Store, tmp_path: Path
) -> None:
    fit = (
        "%%track fit\nfrom sklearn.pipeline import make_pipeline\n"
        "from sklearn.preprocessing import StandardScaler\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)\n"
        "nbtrail.log_metric('accuracy', model.score(X, y))"
    )
    path = notebook([SETUP, LOAD, fit])
    from sklearn.datasets import load_iris

    frame = load_iris(as_frame=True).frame
    frame.to_csv(tmp_path / "iris.csv", index=False)
    runs = run_original(path)
    fitted = next(b for b in runs[-1].bindings if b.name == "model")
    assert fitted.summary["fitted"] is True and fitted.summary["unseeded"] is False

    frame.iloc[10:].to_csv(tmp_path / "iris.csv", index=False)
    report = reproduce(runs[-1].id, store=store)
    assert report.verdict == "diverged"
    cells = {c.name: c for c in report.cells}
    assert cells["load"].causes[0].kind == "input data changed"
    kinds = [c.kind for c in cells["fit"].causes]
    assert kinds[0] == "input data changed" and "unseeded randomness" not in kinds, kinds


def test_default_tolerance_rejects_seconds_on_an_epoch_and_keeps_float_noise() -> None:
    tolerance = Tolerance()
    assert not tolerance.close(1_764_000_000.0, 1_764_000_001.0)
    assert tolerance.close(0.9736842105263158, 0.9736842105263159)
    assert tolerance.close(1e-17, -2e-17)


def test_printed_text_masks_timings_dates_and_addresses() -> None:
    close = Tolerance().close

    def diff(a: str, b: str) -> list[bool]:
        one = {"stdout": a, "stdout_size": len(a)}
        two = {"stdout": b, "stdout_size": len(b)}
        return [d.within_tolerance for d in compare_printed(one, two, close)]

    assert (
        diff("CPU times: user 1.2 s\nWall time: 3 s\n", "CPU times: user 2 s\nWall time: 4 s\n")
        == []
    )
    assert (
        diff("done in 12.5ms at 2026-12-01 10:00:01\n", "done in 9ms at 2026-12-02 11:00:00\n")
        == []
    )
    assert diff("<Model at 0x7f3a2b1c>\n", "<Model at 0x7f99aa00>\n") == []
    assert diff("accuracy 0.95\n", "accuracy 0.95\n") == []
    assert diff("accuracy 0.95\n", "accuracy 0.93\n") == [False]
    assert diff("loss 0.30000000000000004\n", "loss 0.3\n") == [True]
    assert diff("a\nb\n", "a\n") == [False]
    # Only what both kept is compared when the capture limit cut the text.
    assert (
        compare_printed({"stdout": "x 1\ny", "stdout_size": 99}, {"stdout": "x 1\nz"}, close) == ()
    )


def test_a_cell_printing_a_bare_timing_is_not_a_false_alarm(
    notebook: WriteNotebook, run_original: RunOriginal, store: Store
) -> None:
    timed = (
        "%%track bare\nt0 = time.perf_counter()\ntotal = sum(range(200_000))\n"
        "print(time.perf_counter() - t0)\nprint(total)"
    )
    path = notebook([SETUP, timed])
    runs = run_original(path)
    report = reproduce(runs[-1].id, store=store)
    assert report.verdict == "reproduced", rerun_report(report)
    assert "printed numbers not compared" in " ".join(report.cells[0].notes)
