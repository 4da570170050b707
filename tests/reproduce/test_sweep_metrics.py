"""Sweeps over notebooks whose cells log the same metric key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from nbtrail.cli import main
from nbtrail.reproduce import sweep
from nbtrail.reproduce.errors import ParameterError
from nbtrail.reproduce.metrics import notebook_metrics, resolve_metric
from nbtrail.store import Store

SETUP = "%load_ext nbtrail\nimport nbtrail"
FOREST = (
    "%%track forest\nnbtrail.log_metric('accuracy', 0.5 + n / 10)\nnbtrail.log_metric('fit_s', 1)"
)
LOGISTIC = "%%track logistic\nnbtrail.log_metric('accuracy', 0.9 - n / 10)"


@pytest.fixture
def two_models(notebook: Callable[..., Path]) -> Path:
    return notebook([SETUP, FOREST, LOGISTIC], params="n = 1")


def test_the_notebooks_metrics_are_read_before_running(two_models: Path) -> None:
    metrics = notebook_metrics(two_models)
    assert metrics.by_cell == {
        "forest": frozenset({"accuracy", "fit_s"}),
        "logistic": frozenset({"accuracy"}),
    }
    assert not metrics.dynamic
    assert resolve_metric("forest.accuracy", metrics) == "forest.accuracy"
    assert resolve_metric("fit_s", metrics) == "fit_s"
    assert resolve_metric("forest.fit_s", metrics) == "fit_s"  # one cell: not qualified
    with pytest.raises(ParameterError, match=r"use forest\.accuracy or logistic\.accuracy"):
        resolve_metric("accuracy", metrics)
    with pytest.raises(ParameterError, match="no tracked cell logs a metric 'nosuch'"):
        resolve_metric("nosuch", metrics)


@pytest.mark.kernel
def test_a_sweep_picks_the_best_by_one_cells_metric(
    two_models: Path, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["sweep", str(two_models), "-p", "n=1,3", "--workers", "1"]
    assert main([*args, "--metric", "nosuch"]) == 2  # before the first execution
    assert "no tracked cell logs" in capsys.readouterr().err
    assert store.list_batches() == []

    result = sweep(two_models, {"n": [1, 3]}, metric="forest.accuracy", workers=1, store=store,
                   progress=False)  # fmt: skip
    best = result.best
    assert best is not None and best.params == {"n": 3}
    assert best.metrics["forest.accuracy"] == pytest.approx(0.8)
    assert best.metrics["logistic.accuracy"] == pytest.approx(0.6)
    assert "accuracy" not in best.metrics and best.metrics["fit_s"] == 1
    table = result.table()
    assert "forest.accuracy" in table and "best: n=3 (forest.accuracy=0.8)" in table
    runs = {run.id[-8:] for run in store.list_runs()}
    assert {row.runs[-1][-8:] for row in result.rows} <= runs
    assert all(row.runs[-1][-8:] in table for row in result.rows)
