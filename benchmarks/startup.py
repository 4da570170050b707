"""Figure group 4: the environment snapshot and ``%load_ext nbtrail`` in fresh processes.

Both are first-time costs that in-process timing would hide (warm imports,
warm file-system caches of site-packages), so each sample is a new interpreter
that prints its own timings as JSON. The snapshot's baseline is the obvious way
to list installed packages (``importlib.metadata``); ``%load_ext``'s peer is
``import mlflow``, the comparable first step with MLflow.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from typing import Any

from benchmarks import peers
from benchmarks.context import Context
from benchmarks.timing import Figure, at_most

SNAPSHOT = """
import json, time
t0 = time.perf_counter()
from nbtrail.capture.environment import EnvironmentCache
t1 = time.perf_counter()
cache = EnvironmentCache()
snap = cache.get()
t2 = time.perf_counter()
n = 2000
for _ in range(n):
    cache.get()
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "first": t2 - t1, "cached": (t3 - t2) / n,
                  "packages": len(snap.packages)}))
"""

METADATA = """
import json, time, importlib.metadata
t0 = time.perf_counter()
found = {d.metadata["Name"]: d.version for d in importlib.metadata.distributions()}
print(json.dumps({"metadata": time.perf_counter() - t0, "packages": len(found)}))
"""

LOAD_EXT = """
import json, sys, time
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
before = set(sys.modules)
t0 = time.perf_counter()
shell.run_line_magic("load_ext", "nbtrail")
t1 = time.perf_counter()
new = sorted({m.split(".")[0] for m in set(sys.modules) - before})
print(json.dumps({"load_ext": t1 - t0, "new_packages": new}))
"""

IMPORT_MLFLOW = """
import json, time, warnings
warnings.simplefilter("ignore")
t0 = time.perf_counter()
import mlflow
print(json.dumps({"import_mlflow": time.perf_counter() - t0}))
"""

HEAVY = ("pandas", "pyarrow", "sklearn", "matplotlib", "scipy", "jupyter_server", "tornado")


def fresh(script: str, repeat: int) -> dict[str, Any]:
    """Run ``script`` in ``repeat`` new interpreters; numbers become their median."""
    results = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True
        ).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
    merged: dict[str, Any] = {}
    for key, value in results[0].items():
        numeric = isinstance(value, int | float)
        merged[key] = statistics.median(r[key] for r in results) if numeric else value
    return merged


def collect(ctx: Context) -> list[Figure]:
    repeat = ctx.sizes.subprocess_repeat
    snap = fresh(SNAPSHOT, repeat)
    meta = fresh(METADATA, repeat)
    load = fresh(LOAD_EXT, repeat)
    heavy = [name for name in load["new_packages"] if name in HEAVY]
    peer, skipped = None, peers.SKIP_REASON
    if peers.available():
        peer, skipped = fresh(IMPORT_MLFLOW, repeat)["import_mlflow"] * 1e3, ""
    metadata_ms = meta["metadata"] * 1e3
    return [
        Figure(
            key="env.first_snapshot",
            title="first environment snapshot in a fresh process, ms",
            value=snap["first"] * 1e3,
            unit="ms",
            baseline=metadata_ms,
            baseline_title=f"importlib.metadata over {meta['packages']} distributions",
            checks=(at_most(100, "<= 100 ms"),),
            note=f"{snap['packages']} packages; importing the module took "
            f"{snap['import'] * 1e3:.0f} ms more",
        ),
        Figure(
            key="env.cached_snapshot",
            title="later environment snapshots (cached), ms",
            value=snap["cached"] * 1e3,
            unit="ms",
            baseline=metadata_ms,
            baseline_title="importlib.metadata scan (what an uncached snapshot would redo)",
            checks=(at_most(1, "<= 1 ms"),),
        ),
        Figure(
            key="startup.load_ext",
            title="%load_ext nbtrail in a fresh interpreter, ms",
            value=load["load_ext"] * 1e3,
            unit="ms",
            baseline=peer,
            baseline_title="import mlflow in a fresh interpreter",
            checks=(at_most(300, "<= 300 ms"),),
            note="heavy imports pulled in: " + (", ".join(heavy) or "none"),
            skipped=skipped,
            details={"new_packages": load["new_packages"]},
        ),
    ]
