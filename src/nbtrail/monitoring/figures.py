"""A matplotlib figure per drifted column: the reference's distribution against the current one.

Built with ``matplotlib.figure.Figure`` (never pyplot), as ``widgets/plots.py`` does.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from nbtrail.monitoring.distributions import categories_of, numbers_of
from nbtrail.monitoring.profiles import NUMBER, ColumnProfile
from nbtrail.monitoring.report import ColumnDrift

BINS = 30
TOP = 15


def drift_figure(reference: ColumnProfile, current: Any, result: ColumnDrift) -> Any:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 3.5), layout="constrained")
    axes = figure.add_subplot()
    if reference.kind == NUMBER:
        _numbers(axes, reference, current)
    else:
        _categories(axes, reference, current)
    axes.set_title(f"{result.name}: {result.method} {result.statistic:.3g} "
                   f"(threshold {result.threshold:g})")  # fmt: skip
    axes.legend()
    return figure


def _numbers(axes: Any, reference: ColumnProfile, current: Any) -> None:
    ref, cur = numbers_of(reference), numbers_of(current)
    grid = np.array([0.001, 0.999])
    low = min(ref.quantiles(grid)[0], cur.quantiles(grid)[0])
    high = max(ref.quantiles(grid)[1], cur.quantiles(grid)[1])
    edges = np.linspace(low, high if high > low else low + 1.0, BINS + 1)
    width = np.diff(edges)
    for side, label in ((ref, "training"), (cur, "current")):
        share = np.diff(side.cdf(edges))
        axes.stairs(share / width, edges, label=label, fill=label == "training", alpha=0.5)
    axes.set_ylabel("density")


def _categories(axes: Any, reference: ColumnProfile, current: Any) -> None:
    ref, cur = categories_of(reference), categories_of(current)
    keys = sorted(set(ref.counts) | set(cur.counts), key=lambda k: -ref.counts.get(k, 0))[:TOP]
    x = np.arange(len(keys))
    for offset, side, label in ((-0.2, ref, "training"), (0.2, cur, "current")):
        total = max(side.n, 1)
        axes.bar(x + offset, [side.counts.get(k, 0) / total for k in keys], 0.4, label=label)
    axes.set_xticks(x, keys, rotation=45, ha="right")
    axes.set_ylabel("share")


def save_figures(
    folder: str | Path, reference: Any, current: Any, drifted: list[ColumnDrift]
) -> list[Path]:
    """One PNG per drifted column in ``folder``; returns the files written."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for result in drifted:
        figure = drift_figure(reference.columns[result.name], current[result.name], result)
        path = out / f"drift-{re.sub(r'[^A-Za-z0-9_.-]+', '_', result.name)}.png"
        figure.savefig(path, dpi=100)
        written.append(path)
    return written
