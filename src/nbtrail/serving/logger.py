"""The inference logger: a bounded queue and one thread writing batches of requests.

The request path does one ``put_nowait``. When the queue is full (the disk
is slower than the traffic) the request is still answered and the entry is
counted as dropped; when a write fails its rows are counted as failed. The
counts are what ``/health`` and the stop line report, so a loss is never
silent.
"""

from __future__ import annotations

import queue
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from nbtrail.serving.entries import Entry, tables_by_day
from nbtrail.serving.layout import partition
from nbtrail.serving.parquet_io import write_atomic

_STOP = object()


@dataclass(frozen=True)
class LogSettings:
    root: Path
    name: str
    version: int
    queue_size: int = 10_000  # requests waiting to be written
    batch_requests: int = 2_000  # a batch is written when this many requests wait...
    flush_seconds: float = 1.0  # ...or this long after its first request


@dataclass
class LogStats:
    requests_logged: int = 0
    rows_logged: int = 0
    dropped: int = 0  # the queue was full
    failed: int = 0  # requests whose batch could not be written
    files: int = 0
    last_error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class InferenceLogger:
    def __init__(self, settings: LogSettings) -> None:
        self.settings = settings
        self.stats = LogStats()
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=settings.queue_size)
        self._thread = threading.Thread(target=self._run, name="nbtrail-inference-log", daemon=True)
        self._thread.start()

    def submit(self, entry: Entry) -> None:
        """Never blocks and never raises: a full queue counts the entry as dropped."""
        try:
            self._queue.put_nowait(entry)
        except queue.Full:
            self.stats.dropped += 1

    @property
    def queued(self) -> int:
        return self._queue.qsize()

    def health(self) -> dict[str, Any]:
        return {"status": "ok", "log": {**self.stats.to_dict(), "queued": self.queued,
                                        "folder": str(self.settings.root)}}  # fmt: skip

    def close(self, timeout: float = 30.0) -> None:
        """Write what is queued, then stop the thread (at most ``timeout`` seconds)."""
        if not self._thread.is_alive():
            return
        try:
            self._queue.put(_STOP, timeout=timeout)
        except queue.Full:
            return
        self._thread.join(timeout)

    def summary(self) -> str:
        s = self.stats
        logged = f"{s.requests_logged} requests ({s.rows_logged} rows) logged"
        return f"nbtrail: inference log: {logged}, {s.dropped} dropped, {s.failed} failed"

    def _run(self) -> None:
        batch: list[Entry] = []
        deadline = None
        while True:
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                item = self._queue.get(timeout=timeout)
            except queue.Empty:
                item = None
            if item is _STOP:
                self._write(batch)
                return
            if item is not None:
                batch.append(item)
                deadline = deadline or time.monotonic() + self.settings.flush_seconds
            full = len(batch) >= self.settings.batch_requests
            if batch and (full or time.monotonic() >= (deadline or 0)):
                self._write(batch)
                batch, deadline = [], None

    def _write(self, batch: list[Entry]) -> None:
        if not batch:
            return
        s = self.settings
        try:
            for day, table in tables_by_day(batch, s.version).items():
                write_atomic(table, partition(s.root, s.name, s.version, day))
                self.stats.files += 1
        except Exception as exc:  # the server keeps answering; the loss is counted
            self.stats.failed += len(batch)
            self.stats.last_error = f"{type(exc).__name__}: {exc}"
            if self.stats.failed == len(batch):
                print(f"nbtrail: could not write the inference log: {exc}", file=sys.stderr)
            return
        self.stats.requests_logged += len(batch)
        self.stats.rows_logged += sum(e.rows for e in batch)
