"""A one-line progress bar for batches: done, failed, running, ETA.

On a terminal the line is redrawn in place; otherwise (CI logs, pipes) one
line is printed per finished execution so logs stay readable.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, total: int, workers: int, *, stream: TextIO | None = None,
                 label: str = "sweep") -> None:  # fmt: skip
        self.total = total
        self.workers = max(1, workers)
        self.done = 0
        self.failed = 0
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.started = time.monotonic()
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())

    @property
    def running(self) -> int:
        return min(self.workers, self.total - self.done - self.failed)

    def start(self) -> None:
        if self._tty:
            self._draw()

    def finished(self, ok: bool, note: str = "") -> None:
        if ok:
            self.done += 1
        else:
            self.failed += 1
        self._draw(note)

    def close(self) -> None:
        if self._tty:
            self.stream.write("\n")
            self.stream.flush()

    def line(self) -> str:
        finished = self.done + self.failed
        width = 20
        filled = width * finished // self.total if self.total else width
        bar = "#" * filled + "." * (width - filled)
        elapsed = time.monotonic() - self.started
        eta = "-"
        if finished and finished < self.total:
            eta = _clock(elapsed / finished * (self.total - finished))
        elif finished == self.total:
            eta = f"took {_clock(elapsed)}"
        return (
            f"{self.label} [{bar}] {finished}/{self.total}  done {self.done}  "
            f"failed {self.failed}  running {self.running}  eta {eta}"
        )

    def _draw(self, note: str = "") -> None:
        text = self.line()
        if self._tty:
            self.stream.write("\r\x1b[2K" + text)
        else:
            self.stream.write(text + (f"  ({note})" if note else "") + "\n")
        self.stream.flush()


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
