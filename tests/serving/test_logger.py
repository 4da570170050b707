"""The inference logger: batches written whole, losses counted, never an exception to the caller."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from nbtrail.serving.entries import Entry
from nbtrail.serving.logger import InferenceLogger, LogSettings
from nbtrail.serving.reader import LogQuery, read_requests


def entry(i: int, at: float | None = None) -> Entry:
    frame = pd.DataFrame({"x": [float(i), float(i) + 0.5], "city": ["paris", "lyon"]})
    return Entry(f"r{i}", at or time.time(), 1.5, 200, frame, np.array([i % 2, 1]))


def test_batches_are_written_by_size_and_by_time(tmp_path: Path) -> None:
    logger = InferenceLogger(LogSettings(tmp_path, "m", 2, batch_requests=10, flush_seconds=0.2))
    for i in range(25):
        logger.submit(entry(i))
    deadline = time.monotonic() + 10
    while logger.stats.requests_logged < 25 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert logger.stats.requests_logged == 25 and logger.stats.files >= 3  # 10 + 10 + 5 later
    logger.close()
    frame = read_requests(LogQuery(tmp_path, "m", {2}))
    assert len(frame) == 50 and set(frame["request_id"]) == {f"r{i}" for i in range(25)}
    assert frame[frame["request_id"] == "r3"]["x"].tolist() == [3.0, 3.5]
    assert (frame["version"] == 2).all() and list(tmp_path.rglob(".tmp-*")) == []


def test_a_failing_disk_is_counted_and_never_raised(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    logger = InferenceLogger(LogSettings(blocked / "log", "m", 1, flush_seconds=0.05))
    for i in range(5):
        logger.submit(entry(i))
    logger.close()
    assert (logger.stats.failed, logger.stats.requests_logged) == (5, 0)
    assert logger.stats.last_error and "NotADirectoryError" in logger.stats.last_error
    assert logger.health()["log"]["failed"] == 5
    assert "0 requests (0 rows) logged, 0 dropped, 5 failed" in logger.summary()


def test_a_writer_that_falls_behind_drops_and_counts(tmp_path: Path) -> None:
    """A two-million-row request keeps the writer busy; a queue of 3 overflows meanwhile."""
    logger = InferenceLogger(LogSettings(tmp_path, "m", 1, queue_size=3, batch_requests=1))
    n = 2_000_000
    big = pd.DataFrame({"x": np.arange(n, dtype=float), "city": ["paris"] * n})
    logger.submit(Entry("big", time.time(), 1.0, 200, big, np.zeros(n, dtype=int)))
    for i in range(10):
        logger.submit(entry(i))  # microseconds apart; the big batch takes far longer
    logger.close()
    stats = logger.stats
    assert stats.dropped >= 1 and stats.failed == 0
    assert stats.requests_logged + stats.dropped == 11
    assert logger.health()["log"]["dropped"] == stats.dropped
