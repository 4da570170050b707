"""Plots of runs as matplotlib figures.

Every function takes records and returns a :class:`matplotlib.figure.Figure`
built with the object-oriented API (``Figure()``, never ``pyplot``): no global
figure state is created or changed, nothing is shown behind the caller's back,
and the same figure works in a notebook, in papermill output and in a report
(``fig.savefig``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from nbtrail.records import Run
from nbtrail.widgets.model import sort_value

_LABEL_BOX = {"facecolor": "white", "alpha": 0.7, "linewidth": 0, "pad": 1}

#: How ``plot(by=...)`` spells "the step a metric was logged at".
STEP = "step"


def _figure(width: float = 6.4, height: float = 3.6) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def _with_metric(runs: Sequence[Run], metric: str) -> list[Run]:
    found = [run for run in runs if metric in run.latest_metrics()]
    if not found:
        known = sorted({key for run in runs for key in run.latest_metrics()})
        raise ValueError(f"no run logged metric {metric!r} (known: {', '.join(known) or 'none'})")
    return found


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _param_values(runs: Sequence[Run], param: str) -> list[Any]:
    values = [run.param_dict().get(param) for run in runs]
    if all(value is None for value in values):
        raise ValueError(f"no run has param {param!r}")
    return values


def metric_over_time(runs: Sequence[Run], metric: str) -> Figure:
    """The metric's last value of each run, in the order the runs started."""
    found = sorted(_with_metric(runs, metric), key=lambda run: run.started)
    fig, ax = _figure()
    x = np.array([datetime.fromtimestamp(run.started) for run in found], dtype="datetime64[ms]")
    y = [run.latest_metrics()[metric] for run in found]
    ax.plot(x, y, marker="o")
    ax.set_xlabel("run started")
    ax.set_ylabel(metric)
    ax.set_title(f"{metric} across {len(found)} runs")
    fig.autofmt_xdate()
    return fig


def metric_by_param(runs: Sequence[Run], metric: str, param: str) -> Figure:
    """A one-parameter sweep: every run as a point, and the mean per parameter value.

    Numeric parameters go on a numeric axis (log scale when they span more than
    two decades, as learning rates do); others become bars, one per value.
    """
    found = [r for r in _with_metric(runs, metric) if r.param_dict().get(param) is not None]
    if not found:
        raise ValueError(f"no run with metric {metric!r} has param {param!r}")
    values = [run.param_dict()[param] for run in found]
    ys = [run.latest_metrics()[metric] for run in found]
    groups: dict[Any, list[float]] = {}
    for value, y in zip(values, ys, strict=True):
        groups.setdefault(_hashable(value), []).append(y)
    keys = sorted(groups, key=sort_value)
    means = [float(np.mean(groups[k])) for k in keys]
    fig, ax = _figure()
    if all(_is_number(k) for k in keys):
        ax.scatter(values, ys, alpha=0.5, label="runs")
        ax.plot(keys, means, marker="o", label="mean")
        positive = [k for k in keys if k > 0]
        if len(positive) == len(keys) and max(keys) / min(keys) >= 100:
            ax.set_xscale("log")
        ax.legend()
    else:
        positions = np.arange(len(keys))
        ax.bar(positions, means, label="mean")
        ax.set_xticks(positions, [str(k) for k in keys])
        index = {k: i for i, k in enumerate(keys)}
        ax.scatter([index[_hashable(v)] for v in values], ys, color="black", s=12, label="runs")
    ax.set_xlabel(param)
    ax.set_ylabel(metric)
    ax.set_title(f"{metric} by {param} ({len(found)} runs)")
    return fig


def metric_heatmap(runs: Sequence[Run], metric: str, x: str, y: str) -> Figure:
    """A two-parameter sweep: the mean metric of each (x, y) cell, annotated."""
    found = [
        r
        for r in _with_metric(runs, metric)
        if r.param_dict().get(x) is not None and r.param_dict().get(y) is not None
    ]
    if not found:
        raise ValueError(f"no run with metric {metric!r} has both params {x!r} and {y!r}")
    xs = sorted({_hashable(r.param_dict()[x]) for r in found}, key=sort_value)
    ys = sorted({_hashable(r.param_dict()[y]) for r in found}, key=sort_value)
    cells: dict[tuple[int, int], list[float]] = {}
    for run in found:
        params = run.param_dict()
        at = (ys.index(_hashable(params[y])), xs.index(_hashable(params[x])))
        cells.setdefault(at, []).append(run.latest_metrics()[metric])
    grid = np.full((len(ys), len(xs)), np.nan)
    for (row, col), scores in cells.items():
        grid[row, col] = float(np.mean(scores))
    fig, ax = _figure(1.6 + 1.1 * len(xs), 1.4 + 0.6 * len(ys))
    image = ax.imshow(grid, cmap="viridis", origin="lower", aspect="auto")
    ax.set_xticks(range(len(xs)), [str(v) for v in xs])
    ax.set_yticks(range(len(ys)), [str(v) for v in ys])
    middle = np.nanmean(grid)
    for row, col in cells:
        value = grid[row, col]
        ax.text(col, row, f"{value:.3g}", ha="center", va="center",
                color="black" if value >= middle else "white", fontsize=8)  # fmt: skip
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(f"mean {metric}")
    fig.colorbar(image, ax=ax, label=metric)
    return fig


def parallel_coordinates(runs: Sequence[Run], metric: str, params: Sequence[str]) -> Figure:
    """Many parameters at once: one line per run across the param axes and the metric.

    Each axis is scaled to [0, 1] on its own; categorical values are spread
    evenly in sorted order. Lines are coloured by the metric.
    """
    found = _with_metric(runs, metric)
    axes_names = [*params, metric]
    columns: list[list[Any]] = [_param_values(found, p) for p in params]
    columns.append([run.latest_metrics()[metric] for run in found])
    scaled, labels = zip(*(_scale(column) for column in columns), strict=True)
    data = np.array(scaled).T  # one row per run
    scores = np.array(columns[-1], dtype=float)
    low, high = float(scores.min()), float(scores.max())
    fig, ax = _figure(1.2 + 1.5 * len(axes_names), 3.8)
    cmap = colormaps["viridis"]
    for row, score in zip(data, scores, strict=True):
        shade = 0.5 if high == low else (score - low) / (high - low)
        ax.plot(range(len(axes_names)), row, color=cmap(shade), alpha=0.8)
    ax.vlines(range(len(axes_names)), 0, 1, color="#888", linewidth=0.8)
    for i, ticks in enumerate(labels):
        for position, text in ticks:
            ax.text(i, position, f" {text}", fontsize=7, va="center", color="#333", bbox=_LABEL_BOX)
    ax.set_xticks(range(len(axes_names)), axes_names)
    ax.set_yticks([])
    ax.set_ylim(-0.05, 1.05)
    ax.set_title(f"{metric} across {', '.join(params)} ({len(found)} runs)")
    return fig


def _scale(values: list[Any]) -> tuple[list[float], list[tuple[float, str]]]:
    """Values mapped to [0, 1], and (position, label) ticks for the axis."""
    present = [v for v in values if v is not None]
    if present and all(_is_number(v) for v in present):
        low, high = min(present), max(present)
        span = (high - low) or 1
        scaled = [math.nan if v is None else (v - low) / span for v in values]
        return scaled, [(0.0, f"{low:.3g}"), (1.0, f"{high:.3g}")]
    keys = sorted({_hashable(v) for v in present}, key=sort_value)
    step = 1 / max(len(keys) - 1, 1)
    position = {k: i * step for i, k in enumerate(keys)}
    scaled = [math.nan if v is None else position[_hashable(v)] for v in values]
    return scaled, [(position[k], str(k)) for k in keys]


def metric_by_step(runs: Sequence[Run], metric: str) -> Figure:
    """One line per run: the metric at each step it was logged (training curves)."""
    fig, ax = _figure()
    drawn = 0
    for run in runs:
        points = sorted(
            (m.step, m.value) for m in run.metrics if m.key == metric and m.step is not None
        )
        if not points:
            continue
        steps, values = zip(*points, strict=True)
        ax.plot(steps, values, marker="." if len(points) < 30 else None, label=_label(run))
        drawn += 1
    if not drawn:
        raise ValueError(f"no run logged {metric!r} with steps (log_metric(..., step=...))")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(STEP)
    ax.set_ylabel(metric)
    ax.set_title(f"{metric} by step ({drawn} runs)")
    if drawn <= 12:
        ax.legend(fontsize=7)
    return fig


def _label(run: Run) -> str:
    params = ", ".join(f"{k}={v}" for k, v in list(run.param_dict().items())[:3])
    return f"{run.name} ({params})" if params else f"{run.name} {run.id[-6:]}"


def _hashable(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool | None) else repr(value)


def plot_runs(runs: Sequence[Run], metric: str, by: str | Sequence[str] | None = None) -> Figure:
    """Pick the plot for ``by``: None (over time), "step", one, two or more params."""
    if by is None:
        return metric_over_time(runs, metric)
    names = [by] if isinstance(by, str) else list(by)
    if names == [STEP]:
        return metric_by_step(runs, metric)
    if len(names) == 1:
        return metric_by_param(runs, metric, names[0])
    if len(names) == 2:
        return metric_heatmap(runs, metric, names[0], names[1])
    return parallel_coordinates(runs, metric, names)
