"""What one kernel session knows beyond a single cell: order, writers, notebook.

Every cell the kernel runs is noted here, tracked or not, because a run is
only understood in its session: which cells ran before it (out-of-order
execution), which cell last wrote each variable it reads (hidden state),
what code each cell id last ran (the notebook as executed, saved or not),
and every cell in execution order (the notebook itself, when no file can be
found).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from nbtrail.capture.executed import is_injected_cell, reconstructed_notebook
from nbtrail.capture.hashing import hash_text
from nbtrail.capture.lineage import Lineage, Writer
from nbtrail.capture.names import analyse_tree, parse_cell
from nbtrail.capture.notebook import cell_id_for_source, notebook_cells
from nbtrail.capture.timing import CellTiming, cell_timing
from nbtrail.records import new_run_id
from nbtrail.tracking.locate import NotebookLocator


class KernelSession:
    def __init__(self) -> None:
        self.id = new_run_id()
        self.locator = NotebookLocator()
        # Cells this kernel ran since the previous tracked run (execution order).
        self.history: list[list[Any]] = []
        self.previous_run: str | None = None
        self.lineage = Lineage()
        # Every cell id this kernel ran -> the source it last ran, and the cell
        # that ran just before its first run (where an unsaved cell belongs).
        self.ran: dict[str, str] = {}
        self.ran_after: dict[str, str | None] = {}
        self._last_cell: str | None = None
        self._linked_file: str | None = None
        # Execution counts of cells that raised: left out of a reconstructed notebook.
        self.failed: set[int] = set()
        # Names bound to clock readings so far, and the timings of the cell noted last.
        self.timing_names: set[str] = set()
        self.timing = CellTiming()
        self._scanned = 0  # input history entries looked at for papermill's injected cell
        self._injected_at: int | None = None
        self._kept: tuple[tuple[Any, ...], dict[str, Any]] | None = None

    def note_cell(
        self,
        execution_count: int | None,
        cell_id: str | None,
        source: str,
        code: str,
        notebook_file: str | None,
        failed: bool = False,
    ) -> None:
        """Remember a cell the kernel ran: its place in the order and what it wrote.

        ``source`` is the raw cell (what the notebook file holds), ``code`` the
        transformed Python whose assignments say which variables it wrote.
        """
        if failed and execution_count is not None:
            self.failed.add(execution_count)
        source_hash = hash_text(source)[:12]
        if cell_id is None and notebook_file:
            cell_id = self.cell_id(notebook_file, source)
        self.history.append([execution_count, cell_id, source_hash])
        if cell_id is not None:
            if cell_id not in self.ran:
                self.ran_after[cell_id] = self._last_cell
            self.ran[cell_id] = source
            self._last_cell = cell_id
        try:
            tree = parse_cell(code)
        except SyntaxError:
            tree = None
        written = analyse_tree(tree).writes if tree is not None else ()
        self.lineage.record(Writer(cell_id, execution_count, source_hash), written)
        self.timing = cell_timing(tree, self.timing_names) if tree is not None else CellTiming()
        self.timing_names |= self.timing.names
        self.timing_names -= set(written) - self.timing.names  # rebound to something else

    def cell_id(self, notebook_file: str, source: str) -> str | None:
        """The file's cell with this source; of identical ones, the first not yet run."""
        return cell_id_for_source(notebook_file, source, taken=self.ran)

    def link(self, notebook_file: str) -> None:
        """Give cells noted before the notebook was found their ids (once per file).

        A notebook found by matching content is known only from the first
        tracked cell on; the cells before it ran without an id.
        """
        if self._linked_file == notebook_file:
            return
        self._linked_file = notebook_file
        by_hash: dict[str, list[str]] = {}
        for cell_id, cell in notebook_cells(notebook_file).items():
            by_hash.setdefault(cell.source_hash, []).append(cell_id)
        unique = {digest: ids[0] for digest, ids in by_hash.items() if len(ids) == 1}
        for entry in self.history:
            if entry[1] is None:
                entry[1] = unique.get(entry[2])
        self.lineage.link(unique)

    def start_run(self) -> tuple[str, dict[str, Any]]:
        """A new run id and the history since the previous run (then reset)."""
        history = {"previous_run": self.previous_run, "cells": self.history}
        self.history = []
        self.previous_run = new_run_id()
        return self.previous_run, history

    def parameter_cells(self, history: Sequence[str], current: str) -> list[str]:
        """papermill's injected cell and the one before it (the parameters cell), if run.

        The input history is scanned once per entry, not once per run.
        """
        for index in range(self._scanned, len(history)):
            if is_injected_cell(history[index]):
                self._injected_at = index
        self._scanned = len(history)
        if is_injected_cell(current):
            return [*history[-1:], current]
        at = self._injected_at
        return list(history[max(at - 1, 1) : at + 1]) if at is not None else []

    def reconstructed(
        self, history: Sequence[str], current: int | None, keep: Callable[[bytes], dict[str, Any]]
    ) -> dict[str, Any]:
        """The executed cells as a notebook, cells that raised left out (but this one).

        ``history`` is IPython's raw input history, indexed by execution count;
        ``keep`` stores the bytes and says where. Cells run since the last
        snapshot make a new one; with none (cells run outside the history),
        the last record is reused without building or storing anything.
        """
        key = (len(history), current, len(self.failed), keep)
        if self._kept is not None and self._kept[0] == key:
            return self._kept[1]
        cells = [
            source
            for count, source in enumerate(history)
            if count and source.strip() and (count == current or count not in self.failed)
        ]
        record = keep(reconstructed_notebook(cells))
        self._kept = (key, record)
        return record
