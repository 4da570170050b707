"""Was a run produced by out-of-order execution? Read from the kernel's history.

Each run carries ``extra["history"]["cells"]``: ``[execution_count, cell_id,
source_hash12]`` for every cell the kernel ran since the previous tracked run.
Joining these over a session gives the order cells actually ran in. Mapping
each to its position in the notebook snapshot (by cell id, else by source
hash, since papermill sends no ids) shows when the state a run saw was not
what running the notebook top to bottom produces: a cell further down ran
before it, or cells above it ran in reverse order.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nbtrail.capture.hashing import hash_text
from nbtrail.records import Run


@dataclass(frozen=True)
class NotebookCells:
    """Positions of a notebook's code cells by id and by source hash."""

    by_id: dict[str, int]
    by_source: dict[str, int]

    @classmethod
    def load(cls, path: Path | None) -> NotebookCells:
        by_id: dict[str, int] = {}
        by_source: dict[str, int] = {}
        if path is None:
            return cls(by_id, by_source)
        try:
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            return cls(by_id, by_source)
        for position, cell in enumerate(cells):
            if cell.get("cell_type") != "code":
                continue
            source = cell.get("source", "")
            text = "".join(source) if isinstance(source, list) else str(source)
            if "id" in cell:
                by_id[str(cell["id"])] = position
            by_source.setdefault(hash_text(text)[:12], position)
        return cls(by_id, by_source)

    def position(self, cell_id: str | None, source_hash: str | None = None) -> int | None:
        if cell_id and cell_id in self.by_id:
            return self.by_id[cell_id]
        if source_hash:
            return self.by_source.get(source_hash[:12])
        return None


@dataclass(frozen=True)
class OutOfOrder:
    run: str
    name: str
    detail: str


def executed_cells(runs: Sequence[Run], cells: NotebookCells) -> list[tuple[int, int | None]]:
    """``(execution_count, notebook position)`` of every cell the session ran, in order."""
    seen: dict[int, int | None] = {}
    for run in sorted(runs, key=lambda r: r.id):
        history: dict[str, Any] = run.extra.get("history") or {}
        for entry in history.get("cells") or ():
            count, cell_id, source_hash = [*entry, None, None, None][:3]
            if isinstance(count, int):
                seen.setdefault(count, cells.position(cell_id, source_hash))
        if run.execution_count is not None:
            seen.setdefault(run.execution_count, cells.position(run.cell_id))
    return sorted(seen.items())


def find_out_of_order(runs: Sequence[Run], cells: NotebookCells) -> list[OutOfOrder]:
    """Runs of one session whose state came from out-of-order execution."""
    order = executed_cells(runs, cells)
    flagged = []
    for run in sorted(runs, key=lambda r: r.id):
        here = cells.position(run.cell_id)
        if here is None or run.execution_count is None:
            continue
        before = [(n, p) for n, p in order if n < run.execution_count and p is not None]
        detail = _problem(run, here, before)
        if detail:
            flagged.append(OutOfOrder(run.id, run.name, detail))
    return flagged


def _problem(run: Run, here: int, before: list[tuple[int, int]]) -> str | None:
    later = [(n, p) for n, p in before if p > here]
    if later:
        count, position = later[0]
        return (
            f"In [{count}] (cell {position + 1}) ran before In [{run.execution_count}] "
            f"(cell {here + 1}) although it comes later in the notebook"
        )
    for (count_a, pos_a), (count_b, pos_b) in itertools.pairwise(before):
        if pos_b < pos_a:
            return (
                f"In [{count_b}] (cell {pos_b + 1}) ran after In [{count_a}] "
                f"(cell {pos_a + 1}), which follows it in the notebook"
            )
    return None
