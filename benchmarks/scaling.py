"""Figure group 6: how a tracked cell's overhead grows with its inputs and the store.

With input size the overhead must grow (every byte is hashed, never sampled),
but no faster than reading the input: the baseline is the trivial cell's
overhead plus one ``arr.sum()`` pass over the input, so a ratio near 1 means
nbtrail reads the data about once. With the number of runs already in the
store it should not grow at all: the baseline is the overhead with the smallest
store, and a ratio near 1 means flat.
"""

from __future__ import annotations

import numpy as np

from benchmarks.cell import added_ms
from benchmarks.context import MB, Context, point_store, size_label
from benchmarks.timing import Figure, median_seconds, ms

INPUT_CELL = "n = len(x)"
TRIVIAL_CELL = "x0 = 1 + 1"


def repeat_for(nbytes: int, default: int) -> int:
    """Fewer samples where one sample costs seconds."""
    if nbytes >= 500 * MB:
        return 3
    if nbytes >= 50 * MB:
        return 7
    return default


def input_figures(ctx: Context) -> list[Figure]:
    shell = ctx.shell()
    fixed = added_ms(shell, TRIVIAL_CELL, ctx.sizes.cell_repeat)["added_ms"]
    figures = []
    for nbytes in ctx.sizes.scaling_inputs:
        x = np.arange(nbytes // 8, dtype=np.float64)
        shell.user_ns["x"] = x
        read = ms(median_seconds(x.sum, repeat=3))
        timing = added_ms(shell, INPUT_CELL, repeat_for(nbytes, ctx.sizes.scaling_repeat))
        figures.append(
            Figure(
                key=f"scaling.input_{size_label(nbytes).replace(' ', '')}",
                title=f"%%track added, cell reading a {size_label(nbytes)} array, ms",
                value=timing["added_ms"],
                unit="ms",
                baseline=fixed + read,
                baseline_title="trivial-cell overhead + one arr.sum() pass over the input",
                note=f"one read pass {read:.3f} ms; `{INPUT_CELL}`",
                details=timing,
            )
        )
        del shell.user_ns["x"], x
    return figures


def store_figures(ctx: Context) -> list[Figure]:
    shell = ctx.shell()
    stores = ctx.stores()
    overhead = {}
    try:
        for count in ctx.sizes.store_runs:
            point_store(stores.paths[count])
            overhead[count] = added_ms(shell, TRIVIAL_CELL, ctx.sizes.cell_repeat)["added_ms"]
    finally:
        point_store(ctx.folder("shell-store") / ".nbtrail")
    smallest = ctx.sizes.store_runs[0]
    return [
        Figure(
            key=f"scaling.store_{count}",
            title=f"%%track added to a trivial cell, store of {count:,} runs, ms",
            value=value,
            unit="ms",
            baseline=overhead[smallest],
            baseline_title=f"the same with a store of {smallest:,} runs",
        )
        for count, value in overhead.items()
    ]


def collect(ctx: Context) -> list[Figure]:
    return [*input_figures(ctx), *store_figures(ctx)]
