"""Which runs a batch re-run executes: run references, notebooks, all, a filter.

Every selector names runs; each target is one notebook session (a re-run
compares all tracked cells of a session in one execution), so runs of the
same session collapse into one target. Runs that were themselves produced by
a re-run are never chosen by ``--notebook``, ``--all`` or ``--filter``: the
question is whether the work people recorded still reproduces.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from nbtrail.errors import BatchNotFound
from nbtrail.records import Run, RunQuery
from nbtrail.reproduce.errors import ReproduceUsageError
from nbtrail.reproduce.workspace import recorded_name
from nbtrail.store import Store
from nbtrail.store.filter_sql import compile_filter

RERUN_KINDS = ("rerun", "rerun-set")


@dataclass(frozen=True)
class Selection:
    """What ``nbtrail rerun`` was asked to re-run (any mix)."""

    runs: tuple[str, ...] = ()
    notebooks: tuple[str, ...] = ()
    all: bool = False
    filter: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.runs or self.notebooks or self.all or self.filter)


def parse_filter(expression: str) -> RunQuery:
    """``--filter EXPR``: the filter language every surface shares (a FilterError if bad)."""
    if not expression.strip():
        raise ReproduceUsageError("--filter needs an expression, e.g. \"notebook = 'a.ipynb'\"")
    compile_filter(expression)  # bad syntax: one line naming the position, before any work
    return RunQuery(filter=expression)


def select_targets(store: Store, selection: Selection) -> list[Run]:
    """One run per notebook session to re-run, in the order they were asked for."""
    if selection.empty:
        raise ReproduceUsageError("give runs to re-run, --notebook PATH, --all or --filter EXPR")
    query = parse_filter(selection.filter) if selection.filter else None  # usage errors first
    chosen = [store.get_run(reference) for reference in selection.runs]
    originals = _Originals(store)
    for notebook in selection.notebooks:
        latest = originals.latest(RunQuery(notebook=_recorded(store, notebook)))
        if latest is None:
            raise ReproduceUsageError(f"no recorded runs of the notebook {notebook}")
        chosen.append(latest)
    if selection.all:
        chosen += _latest_per_session(originals.of(store.list_runs(RunQuery())), by_notebook=True)
    if query is not None:
        chosen += _latest_per_session(originals.of(store.list_runs(query)), by_notebook=False)
    if not chosen:
        raise ReproduceUsageError("no recorded runs match: nothing to re-run")
    return _one_per_session(chosen)


def _recorded(store: Store, notebook: str) -> str:
    """A path as typed -> the notebook path runs record (a recorded path stays as is)."""
    path = Path(notebook)
    return recorded_name(store, path) if path.exists() else notebook


class _Originals:
    """Filters out runs made by re-runs (their batch is a re-run), caching batch kinds."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.kinds: dict[str, str | None] = {}

    def is_original(self, run: Run) -> bool:
        if run.batch is None:
            return True
        if run.batch not in self.kinds:
            try:
                self.kinds[run.batch] = self.store.get_batch(run.batch).kind
            except BatchNotFound:
                self.kinds[run.batch] = None
        return self.kinds[run.batch] not in RERUN_KINDS

    def of(self, runs: Iterable[Run]) -> list[Run]:
        return [run for run in runs if self.is_original(run)]

    def latest(self, query: RunQuery) -> Run | None:
        return max(self.of(self.store.list_runs(query)), key=lambda r: r.id, default=None)


def _latest_per_session(runs: Sequence[Run], *, by_notebook: bool) -> list[Run]:
    """The newest run of each session (of each notebook with ``by_notebook``), oldest first."""
    latest: dict[object, Run] = {}
    for run in runs:
        if by_notebook and not run.notebook:
            continue  # --all means notebooks; cells run without a file have none
        key = run.notebook if by_notebook else _session_key(run)
        if key not in latest or run.id > latest[key].id:
            latest[key] = run
    return sorted(latest.values(), key=lambda r: r.id)


def _session_key(run: Run) -> tuple[str, str]:
    return (run.session or run.id, run.notebook or "")


def _one_per_session(runs: Sequence[Run]) -> list[Run]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for run in runs:
        key = _session_key(run)
        if key not in seen:
            seen.add(key)
            unique.append(run)
    return unique
