"""Figure group 6: a set of re-runs on 2 workers against the same re-runs one after another.

Three tracked notebooks are executed once with papermill (the originals),
then re-run and judged twice: one ``nbtrail.reproduce`` after another (what a
team's script looping over notebooks does), and as one ``nbtrail rerun --all
--workers 2`` set. Both re-run the same three snapshots into the same store.

The notebooks hold a busy cell standing in for their own work (1x, 1x and 3x
a unit), because notebooks of a folder rarely take equally long: three equal
notebooks on two workers can never beat 1.5x (two rounds instead of three),
which the second figure (full mode only) shows.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from benchmarks.context import Context, point_store
from benchmarks.timing import Figure, ratio_at_least

WORKERS = 2
BUSY = (
    "%%track work\nimport time\nend = time.perf_counter() + {seconds}\n"
    "while time.perf_counter() < end:\n    pass\nnbtrail.log_metric('done', 1.0)"
)


def write_notebook(path: Path, seconds: float) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.metadata["language_info"] = {"name": "python"}
    # Distinct sources: the kernel finds its notebook by content, so twins would merge.
    sources = [f"%load_ext nbtrail\nimport nbtrail  # {path.stem}", BUSY.format(seconds=seconds)]
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(nb, path)
    return path


def execute_original(notebook: str) -> None:
    import papermill

    out = notebook.removesuffix(".ipynb") + ".out.ipynb"
    papermill.execute_notebook(notebook, out, progress_bar=False, log_output=False,
                               cwd=str(Path(notebook).parent))  # fmt: skip


def sequential_seconds(store: str) -> tuple[float, list[float], int]:
    """Each notebook re-run and judged after the previous one; per-notebook times."""
    from nbtrail.reproduce import reproduce
    from nbtrail.reproduce.targets import Selection, select_targets
    from nbtrail.store import open_store

    opened = open_store(store)
    targets = select_targets(opened, Selection(all=True))
    each, failed = [], 0
    for target in targets:
        start = time.perf_counter()
        failed += reproduce(target.id, store=opened).exit_code != 0
        each.append(time.perf_counter() - start)
    return sum(each), each, failed


def parallel_seconds(store: str) -> tuple[float, int]:
    from nbtrail.reproduce.batch import BatchOptions, rerun_many
    from nbtrail.reproduce.targets import Selection
    from nbtrail.store import open_store

    start = time.perf_counter()
    report = rerun_many(open_store(store), Selection(all=True), BatchOptions(workers=WORKERS),
                        show_progress=False)  # fmt: skip
    return time.perf_counter() - start, report.exit_code


def ideal(each: list[float]) -> float:
    """The best two workers can do with these durations (longest first)."""
    lanes = [0.0] * WORKERS
    for seconds in sorted(each, reverse=True):
        lanes[lanes.index(min(lanes))] += seconds
    return max(lanes)


def measure(ctx: Context, name: str, work: tuple[float, ...]) -> tuple[float, float, str]:
    folder = ctx.folder(name)
    notebooks = [write_notebook(folder / f"nb{i}.ipynb", s) for i, s in enumerate(work)]
    store = folder / ".nbtrail"
    point_store(store)
    previous = os.getcwd()
    os.chdir(folder)
    try:
        with ProcessPoolExecutor(WORKERS) as pool:
            list(pool.map(execute_original, [str(path) for path in notebooks]))
        one_by_one, each, failed = sequential_seconds(str(store))
        together, code = parallel_seconds(str(store))
    finally:
        os.chdir(previous)
        point_store(ctx.folder("shell-store") / ".nbtrail")
    note = (
        f"work {', '.join(f'{s:g}' for s in work)} s; re-runs took "
        f"{', '.join(f'{s:.1f}' for s in each)} s one by one, best possible on "
        f"{WORKERS} workers {one_by_one / ideal(each):.2f}x; {len(each)} notebooks; "
        f"{failed} did not reproduce one by one, set exit code {code}"
    )
    return together, one_by_one, note


def collect(ctx: Context) -> list[Figure]:
    full = ctx.sizes.name == "full"
    unit = 1.5 if full else 0.5
    together, one_by_one, note = measure(ctx, "reruns", (unit, unit, 3 * unit))
    figures = [
        Figure(
            key="rerun.set_vs_sequential",
            title=f"nbtrail rerun --all of 3 notebooks on {WORKERS} workers, s",
            value=together,
            unit="s",
            baseline=one_by_one,
            baseline_title="the same 3 re-runs one after another",
            checks=(ratio_at_least(1.6, ">= 1.6x faster"),),
            note=note,
        )
    ]
    if full:
        together, one_by_one, note = measure(ctx, "reruns-equal", (unit, unit, unit))
        figures.append(
            Figure(
                key="rerun.set_vs_sequential_equal",
                title=f"nbtrail rerun --all of 3 equal notebooks on {WORKERS} workers, s",
                value=together,
                unit="s",
                baseline=one_by_one,
                baseline_title="the same 3 re-runs one after another (at most 1.5x)",
                note=note,
            )
        )
    return figures
