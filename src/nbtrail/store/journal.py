"""Start records of runs in progress: ``.nbtrail/running/<run id>.json``.

A tracked cell's run is written to the database when the cell ends, in one
transaction. So that a kernel killed inside a cell still leaves its run behind,
``Store.start_run`` first drops what is known at the start (source, inputs,
params, the owner process) into one small file here: a write of a few hundred
bytes, no transaction, no fsync, so the tracked cell stays as cheap as before.
``save_run`` removes it. Whoever opens or lists the store later turns the files
of dead owners (:mod:`nbtrail.store.liveness`) into ``interrupted`` runs.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from nbtrail.records import ExceptionInfo, Run
from nbtrail.store.liveness import DIED, owner_alive

FOLDER = "running"
SUFFIX = ".json"


class Journal:
    def __init__(self, store_folder: Path) -> None:
        self.folder = store_folder / FOLDER

    def start(self, run: Run) -> None:
        """Record ``run`` (status ``running``, ``extra.owner`` set) as in progress."""
        data = json.dumps(run.to_dict(), default=str).encode()
        path = self.folder / f"{run.id}{SUFFIX}"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        except FileNotFoundError:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)

    def end(self, run_id: str) -> None:
        """The run was written (or abandoned): it is no longer in progress."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.folder / f"{run_id}{SUFFIX}")

    def in_progress(self) -> Iterator[Run]:
        """Every start record, oldest first; unreadable ones (a kill mid-write) are dropped."""
        try:
            names = sorted(os.listdir(self.folder))
        except FileNotFoundError:
            return
        for name in names:
            if not name.endswith(SUFFIX):
                continue
            path = self.folder / name
            try:
                yield Run.from_dict(json.loads(path.read_bytes()))
            except FileNotFoundError:
                continue  # finished meanwhile
            except (ValueError, KeyError, TypeError):
                path.unlink(missing_ok=True)

    def dead(self) -> list[Run]:
        """Runs whose owner process is gone, as ``interrupted`` runs to save."""
        return [
            replace(run, status="interrupted", exception=ExceptionInfo(*DIED, ""))
            for run in self.in_progress()
            if not owner_alive(run.extra.get("owner"))
        ]
