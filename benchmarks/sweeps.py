"""Figure group 5: a parameter sweep of trivial notebooks on 2 workers.

A trivial notebook's cost is almost all kernel start and shutdown, so this
measures the sweep machinery itself: ideal is N single executions divided
among the workers; the peer is plain papermill in a process pool, the way one
would parallelise without nbtrail. Both run the same tracked notebook into a
scratch store, so they do the same work.

The three are timed in one fresh, single-threaded process (``measure``), as
``nbtrail sweep`` runs from a terminal: the benchmark's own process has
threads by then (a model keeper, timers), with which the sweep's workers come
from a fork server (a kernel's case, measured apart in docs/performance.md)
while a ``ProcessPoolExecutor`` forks regardless.

The kernels run with bytecode caching on (``PYTHONDONTWRITEBYTECODE``
removed, as ``cli`` does): an installed nbtrail has its ``.pyc`` files, and
without them each kernel compiles nbtrail's sources again at ``%load_ext``
(0.45 s of CPU instead of 0.22 s here), for the pool and the sweep alike.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from benchmarks.context import Context, point_store
from benchmarks.timing import Figure, median_seconds, ratio_at_least

WORKERS = 2
CELLS = (
    ("parameters", "i = 0"),
    ("", "%load_ext nbtrail"),
    ("", "%%track\nimport nbtrail\nnbtrail.log_metric('score', i * 2.0)"),
)


def write_notebook(path: Path) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.metadata["language_info"] = {"name": "python"}
    for tag, source in CELLS:
        cell = nbformat.v4.new_code_cell(source)
        if tag:
            cell.metadata["tags"] = [tag]
        nb.cells.append(cell)
    nbformat.write(nb, path)
    return path


def papermill_once(notebook: str, output: str, i: int) -> None:
    import papermill

    papermill.execute_notebook(
        notebook, output, parameters={"i": i}, progress_bar=False, log_output=False
    )


def pool_seconds(notebook: Path, folder: Path, count: int) -> float:
    start = time.perf_counter()
    with ProcessPoolExecutor(WORKERS) as pool:
        jobs = [
            pool.submit(papermill_once, str(notebook), str(folder / f"out-{i}.ipynb"), i)
            for i in range(count)
        ]
        for job in jobs:
            job.result()
    return time.perf_counter() - start


def sweep_seconds(notebook: Path, store: Path, count: int) -> tuple[float, int]:
    from nbtrail.reproduce.sweep import sweep

    start = time.perf_counter()
    result = sweep(notebook, {"i": list(range(count))}, workers=WORKERS, store=str(store),
                   progress=False)  # fmt: skip
    return time.perf_counter() - start, result.failed


def measure(folder: Path, count: int, repeat: int) -> dict[str, float]:
    """One execution (median of ``repeat``), the pool and the sweep, in this process."""
    notebook = write_notebook(folder / "trivial.ipynb")
    store = folder / ".nbtrail"
    point_store(store)
    os.chdir(folder)
    once = str(folder / "one.ipynb")
    one = median_seconds(lambda: papermill_once(str(notebook), once, 0), repeat=repeat, warmup=0)
    pool = pool_seconds(notebook, folder, count)
    swept, failed = sweep_seconds(notebook, store, count)
    return {"one": one, "pool": pool, "swept": swept, "failed": failed}


def measured_apart(folder: Path, count: int, repeat: int) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    code = (
        "import json, sys; from pathlib import Path; import papermill; "
        "from benchmarks.sweeps import measure; "
        f"print(json.dumps(measure(Path({str(folder)!r}), {count}, {repeat})))"
    )
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, check=True, cwd=folder)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def collect(ctx: Context) -> list[Figure]:
    full = ctx.sizes.name == "full"
    count = 8 if full else 2
    times = measured_apart(ctx.folder("sweeps"), count, 3 if full else 1)
    one, pool, swept, failed = times["one"], times["pool"], times["swept"], int(times["failed"])
    ideal = count * one / WORKERS
    note = f"{count} notebooks, {WORKERS} workers; one execution {one:.2f} s; {failed} failed"
    return [
        Figure(
            key="sweep.vs_ideal",
            title=f"nbtrail sweep of {count} trivial notebooks on {WORKERS} workers, s",
            value=swept,
            unit="s",
            baseline=ideal,
            baseline_title=f"ideal: {count} x one papermill execution / {WORKERS}",
            checks=(ratio_at_least(0.95, ">= 95% of ideal"),),
            note=note,
        ),
        Figure(
            key="sweep.vs_papermill_pool",
            title=f"nbtrail sweep of {count} trivial notebooks on {WORKERS} workers, s",
            value=swept,
            unit="s",
            baseline=pool,
            baseline_title=f"papermill in a {WORKERS}-process pool, same notebooks",
            checks=(ratio_at_least(1.3, ">= 1.3x faster than the pool"),),
            note=note,
        ),
    ]
