"""Figure group: what the inference log costs a served model, and ``nbtrail monitor`` at scale.

Two ``nbtrail serve`` processes over the same package, one logging and one
with ``--no-log`` (MLflow's scoring server as it comes), answer the same
one-row ``dataframe_split`` requests in turn (A B A B ..., one keep-alive
connection each), so a drift of the machine hits both alike. Figures: p50
and p99 latency and requests per second, each against the unlogged server.

``nbtrail monitor`` then compares one million logged rows (200 Parquet parts,
as a server flushing every second writes them) with the training profile,
as a fresh process; its baseline is a fresh process that only reads the
same log with pandas, the least any check of that log costs.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.context import Context
from benchmarks.timing import Figure, at_most, ratio_at_least

REQUESTS = {"full": 3000, "quick": 60}
LOG_ROWS = {"full": 1_000_000, "quick": 20_000}
MONITOR_REPEAT = {"full": 3, "quick": 1}
COLUMNS = ["income", "age", "score", "tenure"]
SKIP_REASON = "the serve extra (mlflow, uvicorn, datasketches) is not installed"


def available() -> bool:
    import importlib.util

    needed = ("mlflow", "uvicorn", "datasketches", "skops")
    return all(importlib.util.find_spec(m) is not None for m in needed)


def training(n: int, seed: int = 0) -> Any:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    return pd.DataFrame({c: rng.normal(10.0 * (i + 1), 3.0, n) for i, c in enumerate(COLUMNS)})


def register_version(store_path: Path) -> None:
    """A fitted pipeline registered with its example and training profile (no kernel needed)."""
    import numpy as np
    import skops.io
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    import nbtrail
    from nbtrail.capture.hashing import hash_bytes
    from nbtrail.models import serialize
    from nbtrail.records import ModelVersion, Run
    from nbtrail.store.sqlite import SQLiteStore

    frame = training(5000)
    labels = (frame["income"] + frame["score"] > 40).astype(int)
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(frame, labels)
    store = SQLiteStore(store_path)
    data = skops.io.dumps(model)
    store.put_object(data, hash_bytes(data))
    profile = nbtrail.profile(frame)
    profile.columns["prediction"] = nbtrail.profile(
        frame.assign(prediction=np.asarray(model.predict(frame)))[["prediction"]]
    ).columns["prediction"]
    profiled = profile.to_bytes()
    store.put_object(profiled, hash_bytes(profiled))
    run = f"{int(time.time() * 1000):012x}{1:010x}"
    store.save_run(Run(id=run, name="fit", status="finished", started=time.time(), source="",
                       source_hash=""))  # fmt: skip
    store.add_model_version(ModelVersion(
        name="bench", version=0, run=run, binding="model", model_hash=None,
        object=hash_bytes(data), class_name="sklearn.pipeline.Pipeline",
        input_example=serialize.keep_example(store, frame.head(5)), created=time.time(),
        lineage={"columns": COLUMNS, "profile": {"object": hash_bytes(profiled), "rows": 5000}},
    ))  # fmt: skip
    store.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(store: Path, log_dir: Path, *extra: str) -> Iterator[int]:
    port = _free_port()
    serve = ["serve", "models:/bench/1", "--port", str(port), "--log-dir", str(log_dir), *extra]
    command = [sys.executable, "-m", "nbtrail.cli", "--store", str(store), *serve]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/ping")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("nbtrail serve did not answer /ping in 180 s")
        yield port
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def latencies(ports: dict[str, int], body: bytes, count: int) -> dict[str, list[float]]:
    """Seconds per request of each server, sampled in turn on one keep-alive connection each."""
    connections = {k: http.client.HTTPConnection("127.0.0.1", p) for k, p in ports.items()}
    headers = {"Content-Type": "application/json"}
    times: dict[str, list[float]] = {k: [] for k in ports}
    for i in range(count + 100):  # the first 100 warm both up
        for name, connection in connections.items():
            start = time.perf_counter()
            connection.request("POST", "/invocations", body, headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{name} server answered {response.status}")
            if i >= 100:
                times[name].append(time.perf_counter() - start)
    for connection in connections.values():
        connection.close()
    return times


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def serving_figures(ctx: Context, store: Path) -> list[Figure]:
    count = REQUESTS.get(ctx.sizes.name, 60)
    row = training(1, seed=1)
    body = json.dumps({"dataframe_split": json.loads(row.to_json(orient="split", index=False))})
    log_dir = ctx.folder("serving-log")
    with serving(store, log_dir) as logged, serving(store, log_dir, "--no-log") as plain:
        times = latencies({"logged": logged, "plain": plain}, body.encode(), count)
    ms = {k: [t * 1000 for t in v] for k, v in times.items()}
    p50 = {k: statistics.median(v) for k, v in ms.items()}
    p99 = {k: percentile(v, 0.99) for k, v in ms.items()}
    rps = {k: len(v) / (sum(v) / 1000) for k, v in ms.items()}
    details = {"requests": count, "p50_ms": p50, "p99_ms": p99, "requests_per_s": rps}
    baseline = "the same server with --no-log"
    return [
        Figure("serving.p50_logged", "served request with the inference log: p50", p50["logged"],
               "ms", p50["plain"], baseline,
               checks=(ratio_at_least(1 / 1.05, "logging adds < 5% at p50"),),
               details=details),
        Figure("serving.p99_logged", "served request with the inference log: p99", p99["logged"],
               "ms", p99["plain"], baseline, details=details),
        Figure("serving.rps_logged", "requests per second with the inference log (1 client)",
               rps["logged"], "req/s", rps["plain"], baseline, better="higher", details=details),
    ]  # fmt: skip


def write_log(log_dir: Path, rows: int) -> None:
    """``rows`` logged rows in 200 parts, through the serving layer's own writer."""
    import numpy as np

    from nbtrail.serving.entries import Entry
    from nbtrail.serving.logger import InferenceLogger, LogSettings

    per_request = max(1, rows // 1000)
    requests = rows // per_request
    logger = InferenceLogger(LogSettings(log_dir, "bench", 1, queue_size=requests + 1,
                                         batch_requests=max(1, requests // 200)))  # fmt: skip
    frame = training(rows, seed=2)
    predictions = (frame["income"] + frame["score"] > 40).astype(int).to_numpy()
    now = time.time()
    for i in range(requests):
        part = slice(i * per_request, (i + 1) * per_request)
        logger.submit(Entry(f"r{i}", now, 2.0, 200, frame.iloc[part], predictions[part]))
    logger.close(timeout=600)
    assert logger.stats.rows_logged == requests * per_request and not np.isnan(now)


def fresh_process_seconds(command: list[str], repeat: int) -> tuple[float, float]:
    """Median wall and CPU (user + system) seconds of ``command`` run ``repeat`` times.

    The CPU time says what the figure would be on an idle machine when other
    work shares the cores (the wall time then includes waiting for one).
    """
    import resource

    wall, cpu = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, check=False, capture_output=True, env=os.environ.copy())
        wall.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(wall), statistics.median(cpu)


def monitor_figure(ctx: Context, store: Path) -> Figure:
    rows = LOG_ROWS.get(ctx.sizes.name, 20_000)
    log_dir = ctx.folder("monitor-log")
    write_log(log_dir, rows)
    repeat = MONITOR_REPEAT.get(ctx.sizes.name, 1)
    monitor = [sys.executable, "-m", "nbtrail.cli", "--store", str(store), "monitor",
               "models:/bench/1", "--log-dir", str(log_dir), "--json"]  # fmt: skip
    done = subprocess.run(monitor, capture_output=True, text=True, check=False)
    report = json.loads(done.stdout)
    if report["rows"]["current"] != rows:
        raise RuntimeError(f"monitor compared {report['rows']['current']} rows, not {rows}")
    value, cpu = fresh_process_seconds(monitor, repeat)
    read = [sys.executable, "-c", f"import pandas; pandas.read_parquet({str(log_dir / 'bench')!r})"]
    baseline, baseline_cpu = fresh_process_seconds(read, repeat)
    return Figure(
        "monitor.log_rows", f"nbtrail monitor over {rows:,} logged rows", value, "s", baseline,
        "a fresh process reading the same log with pandas",
        checks=(at_most(5.0, "< 5 s"),) if ctx.sizes.name == "full" else (),
        note=(f"CPU {cpu:.2f} s (reading alone {baseline_cpu:.2f} s); drifted="
              f"{report['drifted']} (same distribution: expect False)"),
        details={"rows": rows, "repeat": repeat, "drifted": report["drifted"], "cpu_s": cpu,
                 "baseline_cpu_s": baseline_cpu, "load_average": os.getloadavg()[0]},
    )  # fmt: skip


def collect(ctx: Context) -> list[Figure]:
    if not available():
        ctx.skipped["serving"] = SKIP_REASON
        return []
    store = ctx.folder("serving-store") / ".nbtrail"
    register_version(store)
    return [*serving_figures(ctx, store), monitor_figure(ctx, store)]
