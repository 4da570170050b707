"""Figure group: the first tracked read of a big frame, end to end, for both string kinds.

A cell that reads a 10-million-row frame for the first time makes nbtrail hash
every row and summarise every column (nulls, min/max/mean, distinct values).
The figure is the frame's deep size divided by what ``%%track`` adds to the
cell ``n = len(df)``: the tracked cell minus the same cell untracked, with
nbtrail's summary cache emptied before each tracked sample so every sample is
a first read. The frame is 6 float, 2 int, a categorical and a string column,
once with pandas' arrow-backed ``str`` strings and once with ``object``
strings. The baseline is the machine's read bandwidth (``arr.sum()`` over a
float64 array as large as the frame's numeric part), measured in the same run.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.context import Context, size_label
from benchmarks.shell import muted, run, tracked
from benchmarks.timing import Figure, at_least, median_seconds

CELL = "n = len(df)"
REPEAT = {"full": 5, "quick": 2}
TARGETS = {"str": 4.0, "object": 1.8}


def first_read_frame(rows: int, strings: str) -> pd.DataFrame:
    """6 float, 2 int, a categorical of 8 labels, and short strings of 100,000 values."""
    rng = np.random.default_rng(0)
    columns: dict[str, Any] = {f"f{i}": rng.normal(size=rows) for i in range(6)}
    columns |= {f"i{i}": rng.integers(0, 1_000_000, size=rows) for i in range(2)}
    columns["cat"] = pd.Categorical.from_codes(rng.integers(0, 8, rows), list("abcdefgh"))
    words = np.array([f"s{i}" for i in range(100_000)], dtype=object)
    columns["text"] = pd.Series(words[rng.integers(0, len(words), rows)], dtype=strings)
    return pd.DataFrame(columns)


def forget_summaries() -> None:
    """Empty nbtrail's summary cache, so the next read of the frame is a first read."""
    from nbtrail.capture import values

    for name in ("_SUMMARIES", "_SEEN"):
        cache = getattr(values, name, None)
        if cache is not None:
            cache.clear()


def added_seconds(shell: Any, repeat: int) -> dict[str, float]:
    """Median seconds of the cell untracked and tracked (each tracked sample a first read)."""
    plain, first = [], []
    with muted():
        run(shell, CELL)
        forget_summaries()
        run(shell, tracked(CELL))  # warm: the tracker's own first-cell work
        for _ in range(repeat):
            start = time.perf_counter()
            run(shell, CELL)
            plain.append(time.perf_counter() - start)
            forget_summaries()
            start = time.perf_counter()
            run(shell, tracked(CELL))
            first.append(time.perf_counter() - start)
    p, t = statistics.median(plain), statistics.median(first)
    return {"plain_s": p, "tracked_s": t, "added_s": t - p}


def collect(ctx: Context) -> list[Figure]:
    shell = ctx.shell()
    rows = ctx.sizes.frame_rows
    figures = []
    for strings in ("str", "object"):
        df = first_read_frame(rows, strings)
        deep = int(df.memory_usage(deep=True).sum())
        numeric = np.ones(int(df.select_dtypes("number").memory_usage(index=False).sum()) // 8)
        bandwidth = numeric.nbytes / 1e9 / median_seconds(numeric.sum, repeat=3)
        del numeric
        shell.user_ns["df"] = df
        timing = added_seconds(shell, REPEAT.get(ctx.sizes.name, 2))
        del shell.user_ns["df"]
        value = deep / 1e9 / timing["added_s"] if timing["added_s"] > 0 else float("inf")
        figures.append(
            Figure(
                key=f"firstread.{strings}",
                title=f"first tracked read of a {rows:,}-row frame, {strings} strings, GB/s",
                value=value,
                unit="GB/s",
                baseline=bandwidth,
                baseline_title="arr.sum() over a float64 array of the frame's numeric size",
                better="higher",
                checks=(at_least(TARGETS[strings], f">= {TARGETS[strings]:g} GB/s"),),
                note=f"{size_label(deep)} deep; added {timing['added_s']:.3f} s to "
                f"`{CELL}` (hash and summary of every row, caches emptied)",
                details={"rows": rows, "deep_bytes": deep, **timing},
            )
        )
        del df
    return figures
