"""Figure group: what ``%%track`` adds to a cell fitting a 100-tree random forest.

The cell a user runs most: fit a model. The tracker hashes the fitted forest
and keeps it for the registry (a snapshot in the cell, skops in a background
worker). Plain and tracked cells are sampled in turn, as in ``cell.py``; after
each tracked cell the background work is waited for *outside* the timed cell
(and timed on its own), so one sample's leftover conversion never lands in the
next sample. The baseline is the same cell untracked.
"""

from __future__ import annotations

import gc
import statistics
import time
from typing import Any

from benchmarks.context import Context
from benchmarks.shell import muted, run, tracked
from benchmarks.timing import Figure

SETUP = (
    "from sklearn.datasets import load_breast_cancer\n"
    "from sklearn.ensemble import RandomForestClassifier\n"
    "X, y = load_breast_cancer(return_X_y=True, as_frame=True)\nseed = 0"
)
#: Each sample fits a new forest: a model kept before (same hash) is not kept again.
NEXT_SEED = "seed += 1"
CELL = "forest = RandomForestClassifier(n_estimators=100, random_state=seed).fit(X, y)"
REPEAT = {"full": 21, "quick": 2}
SKIP_REASON = "scikit-learn or skops is not installed (the models extra)"


def available() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("sklearn", "skops"))


def wait_for_background() -> float:
    """Seconds spent waiting for the tracker's background model keeping (0 without one)."""
    from nbtrail.tracking import models

    flush = getattr(models, "flush_kept_models", None)
    start = time.perf_counter()
    if flush is not None:
        flush(timeout=60.0)
    return time.perf_counter() - start


def timed(shell: Any, source: str) -> float:
    start = time.perf_counter()
    run(shell, source)
    return time.perf_counter() - start


def forest_ms(shell: Any, repeat: int) -> dict[str, float]:
    """Median ms of the cell untracked and tracked, the difference, and the background wait."""
    times: dict[str, list[float]] = {"plain": [], "tracked": [], "background": []}
    with muted():
        run(shell, SETUP)
        for _ in range(2):  # warm up both paths (imports, the worker thread)
            run(shell, NEXT_SEED)
            run(shell, CELL)
            run(shell, tracked(CELL))
            wait_for_background()
        gc.collect()
        for _ in range(repeat):
            run(shell, NEXT_SEED)
            times["plain"].append(timed(shell, CELL))
            times["tracked"].append(timed(shell, tracked(CELL)))
            times["background"].append(wait_for_background())
    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    return {
        "plain_ms": medians["plain"],
        "tracked_ms": medians["tracked"],
        "added_ms": medians["tracked"] - medians["plain"],
        "background_wait_ms": medians["background"],
        "repeat": repeat,
    }


def collect(ctx: Context) -> list[Figure]:
    title = "tracked cell fitting a 100-tree forest, ms"
    if not available():
        ctx.skipped["models.forest_cell"] = SKIP_REASON
        return []
    timing = forest_ms(ctx.shell(), REPEAT.get(ctx.sizes.name, 2))
    return [
        Figure(
            key="models.forest_cell",
            title=title,
            # the whole tracked cell, not the difference: a difference of two noisy
            # medians can be 0 or negative, and then no ratio exists
            value=timing["tracked_ms"],
            unit="ms",
            baseline=timing["plain_ms"],
            baseline_title="the same cell untracked",
            note=(
                f"adds {timing['added_ms']:.1f} ms to untracked {timing['plain_ms']:.1f} ms; "
                f"background keeping waited "
                f"{timing['background_wait_ms']:.1f} ms after the cell (not in the figure)"
            ),
            details={**timing, "source": CELL},
        )
    ]
