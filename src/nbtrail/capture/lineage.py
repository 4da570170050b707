"""Which cell last wrote each variable, and when that makes a read suspicious.

A notebook's namespace outlives its cells: a tracked cell can read a value
written by code that no longer exists (the writing cell was edited or
re-executed with other code), or by a cell further down the notebook (so a
top-to-bottom re-run would not have it). Either way the result depends on
hidden state, and the run says which variable and why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class Writer:
    cell_id: str | None
    execution_count: int | None
    source_hash: str


@dataclass(frozen=True)
class NotebookCell:
    position: int
    source_hash: str


class Lineage:
    """Per-kernel record of variable writers and of each cell's latest code."""

    def __init__(self) -> None:
        self.writers: dict[str, Writer] = {}
        self.latest_source: dict[str, str] = {}  # cell id -> hash of the code it last ran

    def record(self, writer: Writer, written: Iterable[str]) -> None:
        for name in written:
            self.writers[name] = writer
        if writer.cell_id is not None:
            self.latest_source[writer.cell_id] = writer.source_hash

    def link(self, ids_by_hash: Mapping[str, str]) -> None:
        """Give writers noted without a cell id the id of the one cell with their code."""
        for name, writer in list(self.writers.items()):
            cell_id = ids_by_hash.get(writer.source_hash) if writer.cell_id is None else None
            if cell_id is not None:
                self.writers[name] = replace(writer, cell_id=cell_id)
                self.latest_source.setdefault(cell_id, writer.source_hash)

    def hidden_state(
        self,
        reads: Iterable[str],
        cell_id: str | None,
        notebook: Mapping[str, NotebookCell] | None = None,
    ) -> list[dict[str, Any]]:
        """Reads whose value comes from code a fresh top-to-bottom run would not run."""
        found = []
        for name in reads:
            writer = self.writers.get(name)
            if writer is None or writer.cell_id is None or writer.cell_id == cell_id:
                continue
            reason = self._reason(writer, cell_id, notebook)
            if reason:
                found.append(
                    {
                        "name": name,
                        "reason": reason,
                        "cell_id": writer.cell_id,
                        "execution_count": writer.execution_count,
                    }
                )
        return found

    def _reason(
        self, writer: Writer, cell_id: str | None, notebook: Mapping[str, NotebookCell] | None
    ) -> str | None:
        assert writer.cell_id is not None
        if self.latest_source.get(writer.cell_id, writer.source_hash) != writer.source_hash:
            return "written by a cell that has since run different code"
        if notebook is None:
            return None
        cell = notebook.get(writer.cell_id)
        if cell is None:
            return "written by a cell that is no longer in the notebook"
        if cell.source_hash != writer.source_hash:
            return "written by a cell that has been edited since"
        here = notebook.get(cell_id) if cell_id else None
        if here is not None and cell.position > here.position:
            return "written by a cell further down the notebook (out-of-order execution)"
        return None
