"""The one interface every surface talks to.

Only implementations of :class:`Store` know SQL and the object layout; the
magic, the API, the CLI, the server and the re-run engine see records.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from nbtrail.records import (
    AliasEvent,
    Batch,
    EnvSnapshot,
    Lifecycle,
    ModelVersion,
    Reproduction,
    Run,
    RunGroup,
    RunQuery,
    RunsTable,
)
from nbtrail.store import references
from nbtrail.store.references import RefKind, RunRef

FileKey = tuple[str, int, int, int]  # absolute path, size, mtime_ns, inode


@dataclass(frozen=True)
class KeptModel:
    """Where a model the tracker kept after its cell is: a skops object, or why not."""

    model_hash: str
    object: str | None
    size: int | None
    error: str | None = None


@dataclass(frozen=True)
class GarbageReport:
    """What ``nbtrail gc`` removed (or, with ``dry_run``, would remove)."""

    purged_runs: list[str]  # deleted runs removed for good
    kept_runs: list[str]  # deleted runs kept: registered model versions need them
    objects_removed: int
    bytes_freed: int
    dry_run: bool


class Store(abc.ABC):
    """A run store. Implementations must make ``save_run`` one transaction."""

    location: str
    #: The location as messages name it: a database URL without its password.
    shown: str

    # -- runs -------------------------------------------------------------
    @abc.abstractmethod
    def save_run(
        self,
        run: Run,
        *,
        environment: EnvSnapshot | None = None,
        file_hashes: Sequence[tuple[FileKey, str]] = (),
    ) -> None:
        """Insert or replace a run with everything it holds, atomically.

        The run's environment snapshot and the file hashes computed for it
        travel in the same transaction: one write per tracked cell.
        """

    def start_run(self, run: Run) -> None:
        """Record a run in progress (status ``running``, ``extra.owner`` set), cheaply.

        If its process dies before ``save_run``, opening or listing the store
        later saves it as ``interrupted``. Backends without a cheaper way write
        the row itself.
        """
        self.save_run(run)

    def discard_start(self, run_id: str) -> None:  # noqa: B027 - optional hook
        """Forget a start record whose run will never be saved (tracking gave up on it)."""

    def running_runs(self) -> list[Run]:
        """Runs whose cell is executing now (not yet saved), newest first."""
        return []

    def reap_interrupted(self) -> list[str]:
        """Save runs in progress whose process died as ``interrupted``; their ids."""
        return []

    @abc.abstractmethod
    def get_run(self, run_id: str) -> Run:
        """The full record of one run; ``run_id`` is any run reference (see below)."""

    def resolve_run_id(self, reference: str) -> str:
        """The full id of the one run ``reference`` means, for every surface alike.

        A full id, an id as displayed (a suffix of 4+ hex digits) or a unique
        prefix, a name (``NAME~N``: N runs before its newest), or ``@last``
        (``@last~N``); the order and why: :mod:`nbtrail.store.references`.
        Raises RunNotFound or AmbiguousRunId, each with a one-line message.
        """
        return references.resolve(self, reference).id

    def short_id(self, run_id: str) -> str:
        """The shortest suffix (8+ digits) of a full id that resolves back to it."""
        return references.short_form(self, run_id)

    @abc.abstractmethod
    def find_run_refs(
        self, kind: RefKind, value: str = "", *, skip: int = 0, limit: int = 1
    ) -> list[RunRef]:
        """Runs matching one form of reference, newest first, skipping ``skip``.

        ``id``: the id is ``value``; ``suffix`` (4+ digits) / ``prefix``: the id
        ends / starts with it; ``name``: the name is ``value``; ``any``: every
        run. The backend half of :meth:`resolve_run_id`: each kind must be one
        index lookup, so a reference resolves as fast in 100,000 runs as in ten.
        """

    @abc.abstractmethod
    def list_runs(self, query: RunQuery | None = None) -> list[Run]:
        """Runs matching ``query``, newest first.

        With ``query.sort_metric``: by the latest value of that metric (the one
        ``Run.latest_metrics`` shows), ``descending`` or not, runs without it (or
        whose latest value is NaN) last, ties newest first; ``offset`` pages.

        Listed runs carry params, metrics and tags but not bindings or
        artifacts (load those with :meth:`get_run`), so listing stays cheap.
        """

    @abc.abstractmethod
    def runs_table(self, query: RunQuery | None = None) -> RunsTable:
        """What ``list_runs`` holds, as rows: the fast path to a DataFrame."""

    @abc.abstractmethod
    def count_runs(self, query: RunQuery | None = None) -> int:
        """How many runs match ``query`` (ignoring its sort, limit, offset and cursor)."""

    # -- run management -------------------------------------------------------
    @abc.abstractmethod
    def update_run(
        self,
        run_id: str,
        *,
        name: str | None = None,
        note: str | None = None,
        lifecycle: Lifecycle | None = None,
    ) -> Run:
        """Rename, annotate (``note=""`` clears), archive, delete or restore one run.

        ``lifecycle="deleted"`` hides the run until :meth:`collect_garbage`
        removes it for good; a run behind a registered model version raises
        RunInUse. Returns the run as stored.
        """

    @abc.abstractmethod
    def set_tags(self, run_id: str, tags: Mapping[str, str]) -> Run:
        """Add or replace tags (key -> value) on one run; the run as stored."""

    @abc.abstractmethod
    def remove_tags(self, run_id: str, keys: Iterable[str]) -> Run:
        """Remove tags by key (absent keys are no error); the run as stored."""

    @abc.abstractmethod
    def run_columns(self, query: RunQuery | None = None) -> dict[str, list[str]]:
        """``{"params": [...], "metrics": [...], "tags": [...]}`` keys among matching runs."""

    @abc.abstractmethod
    def run_groups(self, by: str, query: RunQuery | None = None) -> list[RunGroup]:
        """Matching runs counted per ``batch``, ``notebook`` or ``name``, newest first."""

    @abc.abstractmethod
    def collect_garbage(
        self, *, older_than: float = 3600.0, dry_run: bool = False
    ) -> GarbageReport:
        """Remove deleted runs for good, then objects no record refers to."""

    @abc.abstractmethod
    def set_parent(self, run_id: str, parent: str | None) -> None:
        """Link a run to the run it re-executes (known only after matching)."""

    @abc.abstractmethod
    def revision(self) -> int:
        """A number that grows whenever anything is written: a cheap change check."""

    # -- environments -----------------------------------------------------
    @abc.abstractmethod
    def save_environment(self, env: EnvSnapshot) -> None:
        """Store a snapshot once under its hash (a no-op when already known)."""

    @abc.abstractmethod
    def get_environment(self, env_hash: str) -> EnvSnapshot | None:
        """The snapshot with this hash, or ``None``."""

    # -- objects ------------------------------------------------------------
    @abc.abstractmethod
    def put_object(self, data: bytes, digest: str) -> None:
        """Store bytes under their content hash (computed by the caller)."""

    @abc.abstractmethod
    def put_file(self, path: Path, digest: str) -> None:
        """Copy a file into the object folder under its content hash."""

    @abc.abstractmethod
    def object_path(self, digest: str) -> Path:
        """Where an object's bytes are; raises ObjectNotFound if absent or malformed."""

    @abc.abstractmethod
    def has_object(self, digest: str) -> bool:
        """Whether the object folder holds this hash."""

    # -- batches and reproductions ------------------------------------------
    @abc.abstractmethod
    def save_batch(self, batch: Batch) -> None:
        """Insert or replace a batch (sweep or re-run) with its items."""

    @abc.abstractmethod
    def get_batch(self, batch_id: str) -> Batch:
        """One batch; ``batch_id`` may be a unique prefix. Raises BatchNotFound."""

    @abc.abstractmethod
    def list_batches(self, notebook: str | None = None, limit: int | None = None) -> list[Batch]:
        """Batches, newest first, optionally of one notebook."""

    @abc.abstractmethod
    def save_reproduction(self, reproduction: Reproduction) -> None:
        """Store a re-run's verdict and report (one per re-run batch)."""

    @abc.abstractmethod
    def get_reproduction(self, batch_id: str) -> Reproduction | None:
        """The reproduction recorded for a re-run batch, or ``None``."""

    @abc.abstractmethod
    def list_reproductions(self, run_id: str | None = None) -> list[Reproduction]:
        """Reproductions, newest first; with ``run_id``, only re-runs of that run."""

    # -- model registry -----------------------------------------------------
    @abc.abstractmethod
    def add_model_version(self, version: ModelVersion) -> ModelVersion:
        """Register ``version`` as the next number of its name (1, 2, ...).

        The number is taken in the same transaction as the insert, so two
        processes registering at once get different versions; returns the
        record as stored (its ``version`` set).
        """

    @abc.abstractmethod
    def get_model_version(self, name: str, version: int) -> ModelVersion:
        """One version; raises ModelNotFound (one line naming what exists)."""

    @abc.abstractmethod
    def list_model_versions(self, name: str | None = None) -> list[ModelVersion]:
        """Versions by name, then number; with ``name``, only that model's."""

    @abc.abstractmethod
    def update_model_version(
        self,
        name: str,
        version: int,
        *,
        description: str | None = None,
        tags: Sequence[str] | None = None,
    ) -> ModelVersion:
        """Edit a version's description or tags (``KEY=VALUE`` texts); what it was made
        from never changes. Raises ModelNotFound."""

    @abc.abstractmethod
    def add_alias_event(self, event: AliasEvent) -> AliasEvent:
        """Append an alias move; ``previous`` and ``seq`` are set in the same transaction."""

    @abc.abstractmethod
    def alias_events(
        self, name: str, alias: str | None = None, until: float | None = None
    ) -> list[AliasEvent]:
        """A model's alias moves, oldest first; ``until``: only those at or before it."""

    @abc.abstractmethod
    def record_kept_model(self, kept: KeptModel) -> None:
        """Remember where the model with this value hash was kept (or why it was not).

        A kept object is never replaced by an error: the same hash kept twice
        is the same model.
        """

    @abc.abstractmethod
    def kept_model(self, model_hash: str) -> KeptModel | None:
        """Where the model with this value hash was kept; ``None`` if never recorded."""

    # -- file hash cache --------------------------------------------------
    @abc.abstractmethod
    def cached_file_hash(self, key: FileKey) -> str | None:
        """The hash remembered for a file with exactly this path/size/mtime/inode."""

    @abc.abstractmethod
    def remember_file_hash(self, key: FileKey, digest: str) -> None:
        """Remember a file's hash so an unchanged file is not hashed again."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""
