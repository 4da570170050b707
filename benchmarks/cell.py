"""Figure group 1: what ``%%track`` adds to a cell, against an MLflow run.

Each cell is timed with and without ``%%track`` in the same real IPython shell;
the figure is the difference of the medians. The peer is the MLflow code a
user would write to record the same cell by hand, against MLflow's default
SQLite store. Plain and tracked are sampled in turn (plain, tracked, plain,
...) because on a shared machine the load moves by the second and the figure
is their difference; MLflow is sampled in a pass of its own (see added_ms).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

from benchmarks import peers
from benchmarks.context import Context
from benchmarks.shell import muted, run, runner, tracked
from benchmarks.timing import Figure, at_most, interleaved, ms, ratio_at_least

CELLS = {
    "trivial": ("x = 1 + 1", None),
    "dataframe_1k": (
        "total = df['a'].sum()",
        "import numpy as np, pandas as pd\n"
        "df = pd.DataFrame({'a': np.arange(1000.0), 'b': np.arange(1000), "
        "'c': np.arange(1000) % 7 == 0, 'd': [f's{i}' for i in range(1000)]})",
    ),
}


def added_ms(
    shell: Any, source: str, repeat: int, peer: Callable[[], Any] | None = None
) -> dict[str, float]:
    """Median ms of the cell untracked and tracked, the difference, and the peer's.

    Plain and tracked are interleaved with each other only: MLflow's garbage
    and background threads, sampled in between, would otherwise be collected
    during nbtrail's cells and charged to them. The peer gets its own pass.
    """
    variants = {"plain": runner(shell, source), "tracked": runner(shell, tracked(source))}
    with muted():
        gc.collect()
        times = {name: ms(value) for name, value in interleaved(variants, repeat).items()}
        if peer is not None:
            gc.collect()
            times["peer"] = ms(interleaved({"peer": peer}, repeat)["peer"])
    return {
        "plain_ms": times["plain"],
        "tracked_ms": times["tracked"],
        "added_ms": times["tracked"] - times["plain"],
        **({"mlflow_run_ms": times["peer"]} if peer is not None else {}),
    }


def mlflow_peer(ctx: Context) -> tuple[Callable[[], Any] | None, dict[str, Any]]:
    """One MLflow fluent run as a callable, on a store created now (creation timed)."""
    if not peers.available():
        return None, {}
    mlflow, _, created = peers.open_tracking(ctx.folder("mlflow"))
    return (lambda: peers.fluent_run(mlflow)), {"mlflow_store_create_ms": ms(created)}


def collect(ctx: Context) -> list[Figure]:
    shell = ctx.shell()
    peer, peer_details = mlflow_peer(ctx)
    skipped = "" if peer is not None else peers.SKIP_REASON
    figures = []
    for name, (source, setup) in CELLS.items():
        if setup:
            run(shell, setup)
        timing = added_ms(shell, source, ctx.sizes.cell_repeat, peer)
        checks = ()
        if name == "trivial":
            checks = (at_most(1.5, "<= 1.5 ms"), ratio_at_least(15, "MLflow/nbtrail >= 15x"))
        figures.append(
            Figure(
                key=f"cell.{name}",
                title=f"%%track added to a cell ({name}), ms",
                value=timing["added_ms"],
                unit="ms",
                baseline=timing.get("mlflow_run_ms"),
                baseline_title="MLflow run: start + 10 params + 10 metrics + 5 tags + end",
                checks=checks,
                note=f"untracked cell {timing['plain_ms']:.3f} ms; `{source}`",
                skipped=skipped,
                details={**timing, **peer_details, "source": source},
            )
        )
    return figures
