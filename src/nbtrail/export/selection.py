"""Which runs an export copies: run references, a batch, a notebook, a filter, or all.

Selectors add up (their union, each run once) and every one that names
nothing is one line before anything is sent, so a typo never exports half
of what was meant.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nbtrail.export.connection import ExportError
from nbtrail.records import Run, RunQuery
from nbtrail.store import Store


@dataclass(frozen=True)
class ExportSelection:
    """What to export; nothing given means every run of the store."""

    runs: tuple[str, ...] = ()
    batch: str | None = None
    notebook: str | None = None
    filter: str | None = None

    @property
    def everything(self) -> bool:
        return not (self.runs or self.batch or self.notebook or self.filter)


def select_runs(store: Store, selection: ExportSelection) -> list[Run]:
    """Full records (bindings and artifacts included), oldest first, each run once."""
    ids = [store.resolve_run_id(reference) for reference in selection.runs]
    queries = _queries(store, selection)
    for query, what in queries:
        found = [run.id for run in store.list_runs(query)]
        if not found and what:
            raise ExportError(f"no recorded runs {what}")
        ids += found
    return [store.get_run(run_id) for run_id in sorted(set(ids))]


def _queries(store: Store, selection: ExportSelection) -> list[tuple[RunQuery, str]]:
    """Run queries for the selectors, with what to say when one finds nothing."""
    queries: list[tuple[RunQuery, str]] = []
    if selection.everything:
        queries.append((RunQuery(), ""))
    if selection.batch:
        batch = store.get_batch(selection.batch)  # an unknown batch is one line
        queries.append((RunQuery(batch=batch.id), ""))
    if selection.notebook:
        recorded = _recorded(store, selection.notebook)
        queries.append((RunQuery(notebook=recorded), f"of the notebook {selection.notebook}"))
    if selection.filter:
        queries.append((RunQuery(filter=selection.filter), ""))
    return queries


def _recorded(store: Store, notebook: str) -> str:
    """A path as typed -> the notebook path runs record (a recorded path stays as is)."""
    from nbtrail.reproduce.workspace import recorded_name

    path = Path(notebook)
    return recorded_name(store, path) if path.exists() else notebook
