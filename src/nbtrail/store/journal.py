"""Start records of runs in progress: ``.nbtrail/running/<pid>-<token>.json``.

A tracked cell's run is written to the database when the cell ends, in one
transaction. So that a kernel killed inside a cell still leaves its run behind,
``Store.start_run`` first records what is known at the start (source, inputs,
params) in this process's journal file, next to its owner (host, pid, process
start time); ``save_run`` marks the file idle again. Whoever opens or lists the
store later saves the run of a dead owner (:mod:`nbtrail.store.liveness`) as
``interrupted`` and removes the file.

Cheap on purpose, because it runs before every tracked cell: the file is
created once per process and store and then overwritten in place (one
``pwrite``, no fsync, no truncation: ext4 flushes a truncated file's data, which
costs milliseconds), padded with spaces that JSON ignores. A SIGKILL keeps what
was written (it is in the page cache); a record torn by a kill mid-write does
not parse and is dropped.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import secrets
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from nbtrail.records import ExceptionInfo, Run
from nbtrail.store.liveness import DIED, owner_alive, this_owner

FOLDER = "running"
SUFFIX = ".json"


class Journal:
    def __init__(self, store_folder: Path) -> None:
        self.folder = store_folder / FOLDER
        self._fd: int | None = None
        self._path: Path | None = None
        self._size = 0  # bytes in the file: shorter records are padded to it
        self._current: str | None = None  # the run in progress
        self._lock = threading.Lock()

    def start(self, run: Run) -> None:
        """Record ``run`` (status ``running``) as this process's run in progress."""
        self._write({"owner": this_owner(), "run": start_record(run)}, run.id)

    def end(self, run_id: str) -> None:
        """The run was written (or given up): nothing of this process is in progress."""
        if self._current == run_id:
            self._write_bytes(_idle(), None)

    def _write(self, record: dict[str, Any], current: str | None) -> None:
        self._write_bytes(json.dumps(record, default=str).encode(), current)

    def _write_bytes(self, data: bytes, current: str | None) -> None:
        with self._lock:
            fd = self._open()
            padded = data.ljust(self._size) if len(data) < self._size else data
            os.pwrite(fd, padded, 0)
            self._size = max(self._size, len(data))
            self._current = current

    def _open(self) -> int:
        if self._fd is not None and self._path is not None and self._path.exists():
            return self._fd
        self.close()
        self.folder.mkdir(parents=True, exist_ok=True)
        self._path = self.folder / f"{os.getpid()}-{secrets.token_hex(4)}{SUFFIX}"
        self._fd = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._size = 0
        return self._fd

    def close(self) -> None:
        """Close this process's file and remove it (nothing can be in progress now)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            if self._path is not None:
                self._path.unlink(missing_ok=True)
        self._fd = self._path = None

    def in_progress(self) -> list[str]:
        """Ids of the runs in progress in this folder, of live and dead owners alike."""
        ids = []
        for path in sorted(self.folder.glob(f"*{SUFFIX}")):
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                run = json.loads(path.read_bytes())["run"]
                if run:
                    ids.append(run["id"])
        return ids

    def live(self) -> list[Run]:
        """The runs in progress of live owners (cells running now), newest first."""
        runs = []
        for path in self.folder.glob(f"*{SUFFIX}"):
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                record = json.loads(path.read_bytes())
                if record["run"] and owner_alive(record["owner"]):
                    runs.append(Run.from_dict(record["run"]))
        return sorted(runs, key=lambda run: run.id, reverse=True)

    def dead(self) -> list[tuple[Path, Run | None]]:
        """Files of dead owners, each with its run in progress as an ``interrupted`` run.

        The caller saves the runs, then removes exactly these files.
        """
        return list(self._dead_files())

    def _dead_files(self) -> Iterator[tuple[Path, Run | None]]:
        try:
            names = sorted(os.listdir(self.folder))
        except FileNotFoundError:
            return
        for name in names:
            path = self.folder / name
            if not name.endswith(SUFFIX) or path == self._path:
                continue
            try:
                record = json.loads(path.read_bytes())
                owner = record["owner"]
            except FileNotFoundError:
                continue
            except (ValueError, KeyError, TypeError):
                yield path, None  # torn by a kill mid-write
                continue
            if owner_alive(owner):
                continue
            run = record.get("run")
            yield path, _interrupted(run) if isinstance(run, dict) else None


@functools.cache
def _idle() -> bytes:
    return json.dumps({"owner": this_owner(), "run": None}).encode()


def start_record(run: Run) -> dict[str, Any]:
    """What ``Run.from_dict`` reads, built by hand (``dataclasses.asdict`` is slower)."""
    return {
        "id": run.id,
        "name": run.name,
        "status": run.status,
        "started": run.started,
        "notebook": run.notebook,
        "cell_id": run.cell_id,
        "execution_count": run.execution_count,
        "source": run.source,
        "source_hash": run.source_hash,
        "env_hash": run.env_hash,
        "session": run.session,
        "parent": run.parent,
        "batch": run.batch,
        "tags": run.tags,
        "params": [{"key": p.key, "value": p.value, "origin": p.origin} for p in run.params],
        "metrics": [
            {"key": m.key, "value": m.value, "step": m.step, "time": m.time} for m in run.metrics
        ],
        "bindings": [
            {
                "name": b.name,
                "direction": b.direction,
                "kind": b.kind,
                "hash": b.hash,
                "summary": b.summary,
            }
            for b in run.bindings
        ],
        "extra": run.extra,
    }


def _interrupted(data: dict[str, Any]) -> Run | None:
    try:
        run = Run.from_dict(data)
    except (KeyError, TypeError, ValueError):
        return None
    return replace(run, status="interrupted", ended=None, exception=ExceptionInfo(*DIED, ""))
