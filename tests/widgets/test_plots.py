"""Plots return matplotlib figures holding the runs' data, and render to PNG."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from nbtrail.store import Store
from nbtrail.widgets import plots
from widgets.sweep_records import SWEEP


def finished(store: Store) -> list:  # type: ignore[type-arg]
    return [run for run in store.list_runs() if run.status == "finished"]


def test_metric_over_time_plots_runs_in_start_order(store: Store) -> None:
    fig = plots.metric_over_time(store.list_runs(), "acc")
    assert isinstance(fig, Figure)
    (line,) = fig.axes[0].get_lines()
    assert list(line.get_ydata()) == [s["acc"] for s in SWEEP]
    assert fig.axes[0].get_ylabel() == "acc"


def test_metric_by_numeric_param_draws_points_and_means(store: Store) -> None:
    fig = plots.metric_by_param(store.list_runs(), "acc", "lr")
    ax = fig.axes[0]
    (mean,) = ax.get_lines()
    assert list(mean.get_xdata()) == [0.01, 0.1, 1.0]
    assert np.allclose(mean.get_ydata(), [0.81, 0.88, 0.725])
    assert len(ax.collections[0].get_offsets()) == 6  # every run is a point
    assert ax.get_xscale() == "log"  # learning rates over two decades


def test_metric_by_categorical_param_draws_bars(store: Store) -> None:
    runs = [r for r in finished(store) if r.param_dict()]
    from dataclasses import replace

    from nbtrail.records import Param

    labelled = [
        replace(r, params=(Param("model", "forest" if i % 2 else "linear"),))
        for i, r in enumerate(runs)
    ]
    fig = plots.metric_by_param(labelled, "acc", "model")
    bars = fig.axes[0].patches
    assert [b.get_height() for b in bars] == pytest.approx([0.80, 0.81])  # forest, linear
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["forest", "linear"]


def test_heatmap_holds_the_mean_of_each_cell(store: Store) -> None:
    fig = plots.metric_heatmap(store.list_runs(), "acc", "lr", "depth")
    grid = fig.axes[0].images[0].get_array()
    assert np.allclose(grid, [[0.80, 0.86, 0.70], [0.82, 0.90, 0.75]])
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["3", "5"]
    assert len(fig.axes) == 2  # the colorbar


def test_parallel_coordinates_has_one_line_per_run(store: Store) -> None:
    fig = plots.parallel_coordinates(store.list_runs(), "acc", ["lr", "depth"])
    lines = fig.axes[0].get_lines()
    assert len(lines) == 6
    best = next(line for line in lines if line.get_ydata()[-1] == 1.0)
    assert list(best.get_ydata()) == pytest.approx([(0.1 - 0.01) / 0.99, 1.0, 1.0])


def test_metric_by_step_draws_each_runs_curve(store: Store) -> None:
    fig = plots.metric_by_step(store.list_runs(), "loss")
    lines = fig.axes[0].get_lines()
    assert len(lines) == 6
    assert list(lines[0].get_xdata()) == [0, 1, 2, 3, 4]
    assert lines[0].get_ydata()[0] == 1.0 and lines[0].get_ydata()[-1] < 1.0


def test_plot_runs_dispatches_on_by(store: Store) -> None:
    runs = store.list_runs()
    assert plots.plot_runs(runs, "loss", "step").axes[0].get_xlabel() == "step"
    assert plots.plot_runs(runs, "acc", ["lr", "depth"]).axes[0].images
    assert len(plots.plot_runs(runs, "acc", ["lr", "depth", "lr"]).axes[0].get_lines()) == 6
    with pytest.raises(ValueError, match=r"no run logged metric 'nope' \(known: acc, loss\)"):
        plots.plot_runs(runs, "nope")
    with pytest.raises(ValueError, match="with steps"):
        plots.metric_by_step(runs, "acc")


def test_figures_render_to_png(store: Store, tmp_path: Path) -> None:
    runs = store.list_runs()
    figures = {
        "over_time": plots.plot_runs(runs, "acc"),
        "by_lr": plots.plot_runs(runs, "acc", "lr"),
        "heatmap": plots.plot_runs(runs, "acc", ["lr", "depth"]),
        "parallel": plots.plot_runs(runs, "acc", ["lr", "depth", "lr"]),
        "by_step": plots.plot_runs(runs, "loss", "step"),
    }
    for name, fig in figures.items():
        path = tmp_path / f"{name}.png"
        fig.savefig(path, dpi=60)
        data = path.read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 5_000, name
