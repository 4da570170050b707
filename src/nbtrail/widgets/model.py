"""Records for the views: the one place the widgets read the store.

Views take records and never hold a store (STYLE.md: "Views take records").
:class:`RunSource` is the small model the controller asks for records; the pure
helpers below (filter, sort, key columns) are what the browser does with them,
kept here so they are testable without a widget and shared with the HTML tables.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from nbtrail.config import project_root
from nbtrail.errors import StoreNotFound
from nbtrail.records import EnvSnapshot, Run, RunQuery
from nbtrail.store import Store, open_store
from nbtrail.store.filter_match import Facts, matcher
from nbtrail.store.filter_syntax import FilterError

STATUSES = ("running", "finished", "failed", "interrupted")

#: Columns every table has, before the key params and metrics.
BASE_COLUMNS = ("id", "name", "status", "started", "duration")


@dataclass(frozen=True)
class Columns:
    """Which params and metrics a table shows (``params.K`` / ``metrics.K``)."""

    params: tuple[str, ...]
    metrics: tuple[str, ...]

    @property
    def all(self) -> tuple[str, ...]:
        return (
            *BASE_COLUMNS,
            *(f"params.{k}" for k in self.params),
            *(f"metrics.{k}" for k in self.metrics),
        )


def key_columns(runs: Sequence[Run], max_params: int = 4, max_metrics: int = 4) -> Columns:
    """The params and metrics worth a column: those that vary first, then the common ones.

    A param with the same value in every run tells the reader nothing in a
    table (the comparison view still shows it), so varying ones win the few
    columns there is room for.
    """
    param_values: dict[str, set[str]] = {}
    param_count: Counter[str] = Counter()
    metric_count: Counter[str] = Counter()
    for run in runs:
        for key, value in run.param_dict().items():
            param_values.setdefault(key, set()).add(_canonical(value))
            param_count[key] += 1
        metric_count.update(run.latest_metrics())
    params = sorted(param_count, key=lambda k: (len(param_values[k]) < 2, -param_count[k], k))
    metrics = sorted(metric_count, key=lambda k: (-metric_count[k], k))
    return Columns(tuple(params[:max_params]), tuple(metrics[:max_metrics]))


def value_of(run: Run, column: str) -> Any:
    """A run's value in a table column (``None`` when it has none)."""
    if column.startswith("params."):
        return run.param_dict().get(column[len("params.") :])
    if column.startswith("metrics."):
        return run.latest_metrics().get(column[len("metrics.") :])
    if column == "started":
        return run.started
    if column == "duration":
        return run.duration
    return getattr(run, column, None)


def matches(run: Run, text: str) -> bool:
    """Case-insensitive substring match on what a person would type to find a run."""
    needle = text.strip().lower()
    if not needle:
        return True
    haystack = [run.id, run.name, run.notebook or "", run.status, run.note or ""]
    haystack += [f"{k}={v}" if v else k for k, v in run.tags.items()]
    haystack += [f"{k}={_canonical(v)}" for k, v in run.param_dict().items()]
    haystack += list(run.latest_metrics())
    return any(needle in item.lower() for item in haystack)


def filter_runs(runs: Iterable[Run], text: str = "", status: str = "") -> list[Run]:
    """Runs matching ``text`` and whose status is ``status`` (empty: any).

    ``text`` is the filter language every surface shares (``params.lr = 0.05
    AND metrics.acc > 0.9``); while it is not a valid expression (half typed,
    or ``lr=0.1``) it is searched for as text, and :func:`filter_problem` says why.
    """
    try:
        predicate = matcher(text)
    except FilterError:
        return [run for run in runs if (not status or run.status == status) and matches(run, text)]
    return [
        run for run in runs if (not status or run.status == status) and predicate(Facts.of_run(run))
    ]


def filter_problem(text: str) -> str | None:
    """Why ``text`` is not a filter expression (then it is searched as text), or None."""
    try:
        matcher(text)
    except FilterError as exc:
        return str(exc)
    return None


def sort_runs(runs: Iterable[Run], column: str, descending: bool = False) -> list[Run]:
    """Runs sorted by a column; runs without a value go last in either direction.

    Param values may mix types across runs (``3`` in one, ``"auto"`` in
    another), so numbers sort before text instead of raising ``TypeError``.
    """
    present = [run for run in runs if value_of(run, column) is not None]
    missing = [run for run in runs if value_of(run, column) is None]
    present.sort(key=lambda run: sort_value(value_of(run, column)), reverse=descending)
    return present + missing


def sort_value(value: Any) -> tuple[int, Any]:
    """A key that orders numbers, then text, then anything else, without TypeError."""
    if isinstance(value, bool | int | float):
        return (0, float(value))
    if isinstance(value, str):
        return (1, value.lower())
    return (2, _canonical(value))


def _canonical(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=repr)


class RunSource:
    """Reads runs through the Store API for the views, and notices new ones.

    ``store`` may be given (tests, the magic) or found the way the rest of
    nbtrail finds it, lazily: a browser opened before the first tracked cell
    has no store yet, and must show it once it appears instead of failing.
    """

    def __init__(
        self, store: Store | None = None, notebook: str | None = None, limit: int | None = 200
    ) -> None:
        self._store = store
        self.notebook = notebook
        self.limit = limit
        self.seen_revision: int | None = None

    @property
    def store(self) -> Store | None:
        if self._store is None:
            from nbtrail.tracking import current_tracker

            tracker = current_tracker()
            try:
                self._store = tracker.store if tracker is not None else open_store(create=False)
            except StoreNotFound:
                return None
        return self._store

    def revision(self) -> int | None:
        store = self.store
        return None if store is None else store.revision()

    def changed(self) -> bool:
        """Whether anything was written since the last :meth:`load` (one cheap query)."""
        return self.revision() != self.seen_revision

    def load(self) -> list[Run]:
        """The runs in scope, newest first (params and metrics, no bindings)."""
        store = self.store
        if store is None:
            return []
        self.seen_revision = store.revision()
        return store.list_runs(RunQuery(notebook=self.notebook, limit=self.limit))

    def details(self, run_ids: Sequence[str]) -> tuple[list[Run], dict[str, EnvSnapshot]]:
        """Full records (with bindings) and their environments, for a comparison."""
        store = self.store
        if store is None:
            return [], {}
        runs = [store.get_run(run_id) for run_id in run_ids]
        envs: dict[str, EnvSnapshot] = {}
        for run in runs:
            if run.env_hash and run.env_hash not in envs:
                env = store.get_environment(run.env_hash)
                if env is not None:
                    envs[run.env_hash] = env
        return runs, envs


def this_notebook(shell: Any, store: Store | None) -> str | None:
    """The notebook this kernel runs, named the way the tracker records it.

    The tracker records a path inside the project relative to the project root
    (the store's parent folder), so the browser must ask with the same name.
    """
    from nbtrail.tracking import current_tracker, notebook_path

    if shell is None:
        return None
    tracker = current_tracker()
    if tracker is not None and tracker.shell is shell:
        found = tracker.notebook().recorded  # knows what a tracked cell discovered
        if found is not None:
            return found
    root = project_root(store.location) if store is not None else None
    return notebook_path(shell, root)
