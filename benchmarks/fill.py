"""Run stores of 1,000 to 100,000 synthetic runs, written through ``Store.save_run``.

The runs look like what a tracked cell writes (10 params, 10 metrics, 4
bindings with table summaries, the execution history and RNG digests in
``extra``), spread over 10 notebooks, one in ten failed. Each is written by
``save_run`` as its own transaction, exactly as a cell writes it, so the time
per write is also the per-run write cost; one store grows and is copied at each
size, so the whole ladder costs one fill.
"""

from __future__ import annotations

import shutil
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from nbtrail.records import Binding, ExceptionInfo, Metric, Param, Run, new_run_id
from nbtrail.store.sqlite import SQLiteStore

NOTEBOOKS = tuple(f"analysis/notebook-{i}.ipynb" for i in range(10))
SOURCE = "# train\nmodel = fit(df, lr=lr, depth=depth)\nscore = evaluate(model, test)\n"
SUMMARY = {
    "type": "pandas.DataFrame",
    "shape": [1000, 3],
    "columns": {
        c: {"dtype": "float64", "min": 0.0, "max": 1.0, "mean": 0.5, "nulls": 0} for c in "abc"
    },
}


def synthetic_run(n: int) -> Run:
    """The ``n``-th run of a fill: deterministic values, a fresh time-sortable id."""
    failed = n % 10 == 9
    now = time.time()
    return Run(
        id=new_run_id(),
        name=f"train {n % 50}",
        status="failed" if failed else "finished",
        started=now,
        ended=now + 0.25,
        notebook=NOTEBOOKS[n % len(NOTEBOOKS)],
        cell_id=f"cell-{n % 20}",
        execution_count=n % 100,
        source=SOURCE,
        source_hash=f"{n % 20:032x}",
        exception=ExceptionInfo("ValueError", "bad input", "Traceback ...") if failed else None,
        env_hash="e" * 32,
        session="s" * 22,
        tags=("bench", f"group-{n % 5}"),
        params=tuple(Param(f"p{i}", (n * 7 + i) % 97 / 10, "api") for i in range(10)),
        metrics=tuple(Metric(f"m{i}", (n + i) / 1000, None, now) for i in range(10)),
        bindings=(
            Binding("df", "in", "dataframe", f"{n:032x}", SUMMARY),
            Binding("lr", "in", "scalar", f"{n + 1:032x}", {"value": 0.1}),
            Binding("model", "out", "model", f"{n + 2:032x}", {"type": "sklearn.Ridge"}),
            Binding("score", "out", "scalar", f"{n + 3:032x}", {"value": n / 1000}),
        ),
        extra={
            "random_state": {"numpy": "f" * 32, "python": "a" * 32},
            "history": {"previous_run": None, "cells": [[n, f"cell-{n % 20}", "abcdef012345"]]},
            "output": {"stdout": "", "stdout_size": 0, "stderr": "", "stderr_size": 0},
        },
    )


@dataclass
class StoreSet:
    """Store folders by run count, and what writing them cost."""

    paths: dict[int, Path] = field(default_factory=dict)
    write_ms: dict[int, float] = field(default_factory=dict)  # median ms per save_run, by tier
    write_mean_ms: dict[int, float] = field(default_factory=dict)  # mean: WAL checkpoints included
    fill_seconds: float = 0.0


def build_stores(folder: Path, counts: tuple[int, ...]) -> StoreSet:
    """One store grown to each count in turn, copied aside at every count."""
    result = StoreSet()
    live = folder / "live"
    store = SQLiteStore(live)
    written = 0
    started = time.perf_counter()
    for count in sorted(counts):
        times = []
        for n in range(written, count):
            run = synthetic_run(n)
            t0 = time.perf_counter()
            store.save_run(run)
            times.append(time.perf_counter() - t0)
        written = count
        result.write_ms[count] = statistics.median(times) * 1e3 if times else 0.0
        result.write_mean_ms[count] = statistics.fmean(times) * 1e3 if times else 0.0
        store.close()  # the last connection closing checkpoints the WAL into the db
        result.paths[count] = folder / f"runs-{count}"
        shutil.copytree(live, result.paths[count])
        store = SQLiteStore(live)
    store.close()
    result.fill_seconds = time.perf_counter() - started
    return result
