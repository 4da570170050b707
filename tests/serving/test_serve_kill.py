"""A server killed mid-traffic loses at most its unflushed batch; a stopped one loses nothing."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pyarrow.parquet as pq

import nbtrail
from serving.conftest import FEATURES, MODEL, Trained, start_server, wait_for  # type: ignore[import-not-found]

URI = f"models:/{MODEL}/1"
FLUSH = 0.3  # seconds: the longest a request waits in the queue before its batch is written


def test_killed_mid_traffic_then_restarted_and_stopped(trained: Trained, tmp_path: Path) -> None:
    log_dir = tmp_path / "log"
    server = start_server(trained, log_dir, "--flush-seconds", str(FLUSH), uri=URI)
    body = {"dataframe_records": trained.test[FEATURES].iloc[:1].to_dict(orient="records")}
    answered: list[tuple[str, float]] = []
    stop = threading.Event()

    def traffic() -> None:
        while not stop.is_set():
            try:
                status, _, request_id = server.post(body)
            except OSError:
                return  # the server is gone
            if status == 200:
                answered.append((request_id, time.monotonic()))

    sender = threading.Thread(target=traffic)
    sender.start()
    assert wait_for(lambda: len(answered) >= 150, timeout=60)
    server.process.kill()  # SIGKILL: no shutdown, no flush
    killed_at = time.monotonic()
    server.process.wait()
    stop.set()
    sender.join()

    for part in log_dir.rglob("part-*.parquet"):
        pq.read_table(part)  # every complete file is readable; temp files are hidden
    logged = set(
        nbtrail.inference_log(URI, store=str(trained.store), log_dir=log_dir)["request_id"]
    )
    lost = [(rid, at) for rid, at in answered if rid not in logged]
    assert logged <= {rid for rid, _ in answered}
    assert all(killed_at - at < FLUSH + 1.0 for _, at in lost), "only the last batch may be lost"
    assert len(logged) >= len(answered) - len(lost) > 0

    again = start_server(trained, log_dir, "--flush-seconds", "30", uri=URI)
    status, _, request_id = again.post(body)
    printed = again.stop()
    assert status == 200 and again.process.returncode == 0
    assert "1 requests (1 rows) logged, 0 dropped, 0 failed" in printed
    after = set(nbtrail.inference_log(URI, store=str(trained.store), log_dir=log_dir)["request_id"])
    assert after == logged | {request_id}
