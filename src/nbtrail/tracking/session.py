"""What one kernel session knows beyond a single cell: order, writers, notebook.

Every cell the kernel runs is noted here, tracked or not, because a run is
only understood in its session: which cells ran before it (out-of-order
execution), which cell last wrote each variable it reads (hidden state), and
what code each cell id last ran (the notebook as executed, saved or not).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nbtrail.capture.hashing import hash_text
from nbtrail.capture.lineage import Lineage, Writer
from nbtrail.capture.names import analyse_cell
from nbtrail.capture.notebook import cell_id_for_source, parameter_names
from nbtrail.records import Param, new_run_id


class KernelSession:
    def __init__(self) -> None:
        self.id = new_run_id()
        # Cells this kernel ran since the previous tracked run (execution order).
        self.history: list[list[Any]] = []
        self.previous_run: str | None = None
        self.lineage = Lineage()
        # Every cell id this kernel ran -> the source it last ran, and the cell
        # that ran just before its first run (where an unsaved cell belongs).
        self.ran: dict[str, str] = {}
        self.ran_after: dict[str, str | None] = {}
        self._last_cell: str | None = None

    def note_cell(
        self,
        execution_count: int | None,
        cell_id: str | None,
        source: str,
        code: str,
        notebook_file: str | None,
    ) -> None:
        """Remember a cell the kernel ran: its place in the order and what it wrote.

        ``source`` is the raw cell (what the notebook file holds), ``code`` the
        transformed Python whose assignments say which variables it wrote.
        """
        source_hash = hash_text(source)[:12]
        if cell_id is None and notebook_file:
            cell_id = cell_id_for_source(notebook_file, source)
        self.history.append([execution_count, cell_id, source_hash])
        if cell_id is not None:
            if cell_id not in self.ran:
                self.ran_after[cell_id] = self._last_cell
            self.ran[cell_id] = source
            self._last_cell = cell_id
        try:
            written = analyse_cell(code).writes
        except SyntaxError:
            written = ()
        self.lineage.record(Writer(cell_id, execution_count, source_hash), written)

    def start_run(self) -> tuple[str, dict[str, Any]]:
        """A new run id and the history since the previous run (then reset)."""
        history = {"previous_run": self.previous_run, "cells": self.history}
        self.history = []
        self.previous_run = new_run_id()
        return self.previous_run, history


def notebook_path(shell: Any, project_root: Path | None = None) -> tuple[str | None, str | None]:
    """The notebook this kernel runs, as recorded and as a file to read.

    Set by the re-run engine (``NBTRAIL_NOTEBOOK``) or by jupyter_server
    (``__session__``). An absolute path inside the project is recorded relative
    to the project root, the way JupyterLab names the same notebook.
    """
    raw = (
        os.environ.get("NBTRAIL_NOTEBOOK")
        or shell.user_ns.get("__session__")
        or os.environ.get("JPY_SESSION_NAME")
        or None
    )
    if not raw:
        return None, None
    if os.environ.get("NBTRAIL_NOTEBOOK_NAME") and os.environ.get("NBTRAIL_NOTEBOOK"):
        # A re-run executes a snapshot copy but records the original's path.
        return os.environ["NBTRAIL_NOTEBOOK_NAME"], os.environ["NBTRAIL_NOTEBOOK"]
    path = Path(raw)
    if not path.is_absolute():
        return raw, str(path) if path.is_file() else None
    if project_root is not None and path.is_relative_to(project_root):
        return path.relative_to(project_root).as_posix(), str(path)
    return raw, str(path)


def notebook_params(namespace: Mapping[str, Any], notebook_file: str | None) -> list[Param]:
    """The parameters this execution ran with.

    The re-run engine passes papermill's parameters in ``NBTRAIL_PARAMETERS``;
    otherwise the current values of the names the ``parameters`` cell assigns.
    """
    injected = os.environ.get("NBTRAIL_PARAMETERS")
    if injected:
        return [Param(k, v, "papermill") for k, v in json.loads(injected).items()]
    if not notebook_file:
        return []
    return [
        Param(name, namespace[name], "parameters")
        for name in parameter_names(notebook_file)
        if name in namespace and _is_plain(namespace[name])
    ]


def _is_plain(value: Any) -> bool:
    """JSON scalars and small lists of them: what a parameters cell holds."""
    if value is None or isinstance(value, str | int | float | bool):
        return True
    return isinstance(value, list | tuple) and len(value) <= 50 and all(map(_is_plain, value))
