"""Stress: many writers into one store, random SIGKILLs of real kernels mid-cell.

``python -m reliability.stress`` (``make stress``) runs the full figures and
prints them as JSON; the tests in this folder run the same functions smaller.
Every count is checked by the caller: lost runs must be 0, always.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import signal
import sqlite3
import sys
import threading
import time
from pathlib import Path
from queue import Empty
from typing import Any

from jupyter_client.manager import KernelManager

from nbtrail.capture.hashing import hash_file
from nbtrail.records import RunQuery
from nbtrail.store import open_store

WRITER_CELL = "%%track w{writer}\nvalue_{writer} = {i} * 2\nnbtrail.log_metric('m', {i})"


def _writer(store: str, writer: int, cells: int, out: Any) -> None:
    """One process: an IPython shell with nbtrail, ``cells`` tracked cells."""
    import contextlib
    import io

    from IPython.core.interactiveshell import InteractiveShell

    os.environ["NBTRAIL_STORE"] = store
    shell = InteractiveShell.instance()
    shell.extension_manager.load_extension("nbtrail")
    shell.run_cell("import nbtrail")
    warnings = 0
    for i in range(cells):
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            result = shell.run_cell(WRITER_CELL.format(writer=writer, i=i))
        if not result.success:
            warnings += 1
        warnings += err.getvalue().count("nbtrail:")
    out.put((writer, warnings))


def writers(store: Path, processes: int, cells: int) -> dict[str, Any]:
    """``processes`` x ``cells`` tracked cells into one store, a reader listing throughout."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    open_store(str(store)).close()  # created once, as a first kernel would
    stop = threading.Event()
    waits: list[float] = []

    def read() -> None:
        reader = open_store(str(store))
        while not stop.is_set():
            started = time.perf_counter()
            reader.list_runs(RunQuery(limit=50))  # a sidebar's page, newest first
            waits.append(time.perf_counter() - started)
            time.sleep(0.01)
        reader.close()

    reading = threading.Thread(target=read)
    started = time.monotonic()
    reading.start()
    procs = [
        context.Process(target=_writer, args=(str(store), n, cells, queue))
        for n in range(processes)
    ]
    for proc in procs:
        proc.start()
    reports = [queue.get(timeout=1800) for _ in procs]
    for proc in procs:
        proc.join()
    stop.set()
    reading.join()
    elapsed = time.monotonic() - started
    runs = open_store(str(store)).list_runs()
    per_writer = {name: sum(r.name == name for r in runs) for name in {r.name for r in runs}}
    return {
        "expected": processes * cells,
        "stored": len(runs),
        "distinct_ids": len({r.id for r in runs}),
        "finished": sum(r.status == "finished" for r in runs),
        "per_writer_min": min(per_writer.values(), default=0),
        "warnings": sum(w for _, w in reports),
        "reader_max_s": round(max(waits, default=0.0), 3),
        "seconds": round(elapsed, 1),
    }


KILL_CELL = """%%track step{i}
import numpy as np, matplotlib.pyplot as plt
arr = np.random.default_rng({i}).random(50_000)
np.save("out{i}.npy", arr)
fig, ax = plt.subplots(); ax.plot(arr[:200]); plt.show()
total = float(arr.sum())
"""


def _kill_once(store: Path, folder: Path, rng: random.Random, cells: int) -> dict[str, Any]:
    """Start a kernel, send tracked cells, SIGKILL it at a random moment, drain."""
    km = KernelManager(kernel_name="python3")
    km.start_kernel(cwd=str(folder), env={**os.environ, "NBTRAIL_STORE": str(store)})
    kc = km.client()
    kc.start_channels()
    acknowledged: set[str] = set()
    try:
        kc.wait_for_ready(timeout=60)
        kc.execute_interactive("%load_ext nbtrail\nimport matplotlib.pyplot", timeout=60)
        for i in range(cells):
            kc.execute(KILL_CELL.format(i=i))
        # die after a random number of written runs, a random moment into the next cell
        wait_for = rng.randrange(cells)
        deadline = time.monotonic() + 120
        while len(acknowledged) < wait_for and time.monotonic() < deadline:
            _collect(kc, acknowledged, 0.05)
        pause = time.monotonic() + rng.uniform(0.0, 0.3)
        while time.monotonic() < pause:
            _collect(kc, acknowledged, 0.01)
        os.kill(int(km.provisioner.process.pid), signal.SIGKILL)  # type: ignore[union-attr]
        _collect(kc, acknowledged, 0.5, until_empty=True)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return {"acknowledged": acknowledged}


def _collect(kc: Any, acknowledged: set[str], timeout: float, until_empty: bool = False) -> None:
    """Runs the kernel announced as written (nbtrail's summary line and its metadata)."""
    while True:
        try:
            msg = kc.get_iopub_msg(timeout=timeout)
        except Empty:
            return
        meta = (
            msg["content"].get("metadata", {}).get("nbtrail")
            if msg["msg_type"] == ("display_data")
            else None
        )
        if meta and meta.get("status") == "finished":
            acknowledged.add(meta["run"])
        if not until_empty:
            return


def check_store(store: Path) -> dict[str, Any]:
    """integrity_check, and every artifact's object present with its full content."""
    conn = sqlite3.connect(store / "nbtrail.db")
    integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    conn.close()
    opened = open_store(str(store))
    bad_objects = 0
    runs = opened.list_runs()
    for run in runs:
        for artifact in opened.get_run(run.id).artifacts:
            path = store / "objects" / artifact.hash[:2] / artifact.hash[2:]
            if not path.is_file() or hash_file(path) != artifact.hash:
                bad_objects += 1
    return {"integrity": integrity, "bad_objects": bad_objects, "runs": runs}


def kills(store: Path, folder: Path, count: int, cells: int = 4, seed: int = 16) -> dict[str, Any]:
    """``count`` kernels SIGKILLed during tracked cells writing files and figures."""
    rng = random.Random(seed)
    acknowledged: set[str] = set()
    started = time.monotonic()
    integrity_failures = bad_objects = 0
    for _ in range(count):
        acknowledged |= _kill_once(store, folder, rng, cells)["acknowledged"]
        check = check_store(store)
        integrity_failures += check["integrity"] != "ok"
        bad_objects += check["bad_objects"]
    runs = {r.id: r for r in check_store(store)["runs"]}
    return {
        "kills": count,
        "acknowledged": len(acknowledged),
        "lost": len(acknowledged - set(runs)),
        "acknowledged_not_finished": sum(
            runs[i].status != "finished" for i in acknowledged if i in runs
        ),
        "interrupted": sum(r.status == "interrupted" for r in runs.values()),
        "left_running": len(list((store / "running").glob("*.json"))),
        "integrity_failures": integrity_failures,
        "bad_objects": bad_objects,
        "seconds": round(time.monotonic() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reliability.stress")
    parser.add_argument("folder", type=Path, help="a scratch folder (created)")
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--cells", type=int, default=250)
    parser.add_argument("--kills", type=int, default=30)
    args = parser.parse_args(argv)
    args.folder.mkdir(parents=True, exist_ok=True)
    figures = {
        "writers": writers(args.folder / "writers" / ".nbtrail", args.writers, args.cells),
        "kills": kills(args.folder / "kills" / ".nbtrail", args.folder, args.kills),
    }
    print(json.dumps(figures, indent=2))
    w, k = figures["writers"], figures["kills"]
    ok = (
        w["stored"] == w["expected"] == w["distinct_ids"] == w["finished"]
        and w["warnings"] == 0
        and k["lost"] == 0
        and k["acknowledged_not_finished"] == 0
        and k["left_running"] == 0
        and k["integrity_failures"] == 0
        and k["bad_objects"] == 0
    )
    print("stress:", "ok" if ok else "FAILED", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
