"""A run's lifecycle: capture before the cell, capture after, one store write.

:class:`Tracker` is one per kernel. ``begin`` runs just before a tracked cell's
body (hash its inputs, start watching files and outputs), ``finish`` just after
(hash outputs, collect what the API logged, write the run). Both are wrapped by
:meth:`Tracker.guard`: whatever goes wrong inside nbtrail becomes one warning
line and the user's cell is untouched.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from nbtrail.capture.environment import EnvironmentCache, random_state
from nbtrail.capture.files import FileAccess, FileState, FileWatcher, named_file_access, path_states
from nbtrail.capture.hashing import hash_text
from nbtrail.capture.names import CellNames, analyse_cell
from nbtrail.capture.notebook import notebook_cells
from nbtrail.capture.outputs import CapturedOutput, OutputCapture
from nbtrail.capture.timing import is_timing_key
from nbtrail.config import is_url, local_store_folders, project_root, store_location
from nbtrail.errors import NbtrailError, NoActiveRun
from nbtrail.records import (
    Artifact,
    Binding,
    EnvSnapshot,
    ExceptionInfo,
    Metric,
    Param,
    Run,
    RunStatus,
)
from nbtrail.store import Store, open_store
from nbtrail.store.liveness import this_owner
from nbtrail.tracking.bindings import input_bindings, output_bindings
from nbtrail.tracking.files import RunFiles
from nbtrail.tracking.locate import NotebookLocation
from nbtrail.tracking.models import keep_written_models
from nbtrail.tracking.params import NotebookParameters, notebook_parameters, params_read
from nbtrail.tracking.redaction import Redactor
from nbtrail.tracking.session import KernelSession
from nbtrail.tracking.storecheck import StoreIdentity
from nbtrail.tracking.text import announce, default_name, print_warning, status_of

PROGRESS_EVERY = 0.5  # seconds between live-metric rewrites of a start record
#: The most recent metric points a start record carries: a loop logging 100,000 steps
#: must not rewrite (and redact) all of them twice a second.
LIVE_METRICS = 2_000


@dataclass(frozen=True)
class TrackOptions:
    """What the ``%%track`` line asked for."""

    name: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)  # key -> value ("" for a bare tag)
    quiet: bool = False


@dataclass
class ActiveRun:
    """A run between ``begin`` and ``finish``: what the API logs lands here."""

    id: str
    options: TrackOptions
    source: str
    started: float
    cell_id: str | None
    names: CellNames
    inputs: dict[str, Binding]
    env: EnvSnapshot | None
    extra: dict[str, Any]
    names_before: frozenset[str] = frozenset()
    named_paths: dict[str, FileState] = field(default_factory=dict)
    notebook_params: list[Param] = field(default_factory=list)
    location: NotebookLocation = field(default_factory=NotebookLocation)
    execution_count: int | None = None
    params: list[Param] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)
    artifacts: list[Artifact] = field(default_factory=list)


_active: ActiveRun | None = None
_tracker: Tracker | None = None


def active_run() -> ActiveRun:
    """The run of the tracked cell executing now (for ``log_metric`` and friends)."""
    if _active is None:
        raise NoActiveRun("no tracked cell is running: put %%track on the cell first")
    return _active


def current_tracker() -> Tracker | None:
    return _tracker


def install(tracker: Tracker | None) -> None:
    """Make ``tracker`` the one the Python API talks to."""
    global _tracker
    _tracker = tracker


class Tracker:
    """Tracks cells of one IPython shell (one kernel)."""

    def __init__(self, shell: Any, location: str | None = None) -> None:
        self.shell = shell
        self.location = location
        self.session = KernelSession()
        self._store: Store | None = None
        self._env = EnvironmentCache()
        self._run_files: RunFiles | None = None
        self._files: FileWatcher | None = None
        self._outputs: OutputCapture | None = None
        self._watcher: tuple[str, FileWatcher] | None = None
        self._roots: dict[str, Path | None] = {}
        self._saved_envs: set[tuple[str, str]] = set()  # (store, snapshot) already saved
        # One object writer per store object, so the reconstructed snapshot's cache keys on it.
        self._keepers: dict[int, Callable[[bytes], dict[str, Any]]] = {}
        self._identity = StoreIdentity()
        self._redactor = Redactor()
        self._started: Run | None = None  # the active run's start record
        self._progress_at = 0.0
        self._pending: threading.Timer | None = None
        self._progress_lock = threading.Lock()  # a timer's write never follows finish
        self._warn: Callable[[str], None] = print_warning

    # -- plumbing ---------------------------------------------------------
    @property
    def store(self) -> Store:
        """The store, opened at first use so loading the extension stays cheap."""
        location = self.location or store_location()
        if self._store is None or self._store.location != location:
            self._store = open_store(location)
            self._identity.remember(self._store)
        return self._store

    def checked_store(self) -> Store:
        """The store, reopened (fresh) after one warning if it was deleted or replaced.

        One ``stat`` per call. SQLite would otherwise keep writing to the
        deleted file through its open handle, and the run would be lost.
        """
        store = self.store
        gone = self._identity.changed(store)
        if gone is None:
            return store
        self._warn(f"nbtrail: the store {gone} while this kernel ran; starting a fresh one there")
        with self.guard("close the old store"):
            store.close()
        self._saved_envs = {saved for saved in self._saved_envs if saved[0] != store.location}
        self._store = None
        return self.store

    @contextmanager
    def guard(self, what: str) -> Iterator[None]:
        """Turn any failure inside nbtrail into one warning line.

        Ctrl-C while nbtrail hashes a large input is caught too: IPython would
        otherwise print an "Error in callback" traceback for the event hook.
        """
        try:
            yield
        except (Exception, KeyboardInterrupt) as exc:
            self._warn(
                f"nbtrail: could not {what} ({type(exc).__name__}: {exc}); the cell ran normally"
            )

    def notebook(self, current: str | None = None) -> NotebookLocation:
        """This kernel's notebook; with the ``current`` cell, the slower ways may search."""
        history = self.history() if current is not None else None
        location = self.session.locator.locate(self.shell, self._project_root(), history, current)
        if location.file and location.found_by not in (None, "jupyter session", "re-run"):
            self.session.link(location.file)
        return location

    def history(self) -> list[str]:
        """IPython's raw input history: every cell this kernel ran, by execution count.

        It starts at the kernel's start, so cells run before ``%load_ext
        nbtrail`` are in it; entry 0 is a placeholder.
        """
        history = getattr(getattr(self.shell, "history_manager", None), "input_hist_raw", None)
        return history if isinstance(history, list) else [""]

    # -- lifecycle --------------------------------------------------------
    def begin(
        self, options: TrackOptions, source: str, cell_id: str | None, raw_cell: str = ""
    ) -> None:
        """Capture inputs and start watchers; called right before the body runs."""
        global _active
        _active = None
        started = time.time()
        try:
            names = analyse_cell(self.shell.transform_cell(source))
        except SyntaxError:
            names = CellNames((), (), ())
        namespace = self.shell.user_ns
        inputs = input_bindings(names, namespace)
        current = raw_cell or source
        location = self.notebook(current)
        notebook_file = location.file
        if cell_id is None and notebook_file:
            cell_id = self.session.cell_id(notebook_file, current)
        cells = notebook_cells(notebook_file) if notebook_file else None
        parameter_cells = self.session.parameter_cells(self.history(), current)
        parameters = notebook_parameters(parameter_cells, notebook_file)
        run_id, history = self.session.start_run()
        extra: dict[str, Any] = {
            "hidden_state": self.session.lineage.hidden_state(inputs, cell_id, cells),
            "random_state": random_state(),
            "history": history,
            **self._execution_facts(parameters),
        }
        _active = ActiveRun(
            id=run_id,
            options=options,
            source=source,
            started=started,
            cell_id=cell_id,
            names=names,
            inputs=inputs,
            env=self._env.get(),
            extra=extra,
            names_before=frozenset(namespace),
            named_paths=path_states(names.strings),
            # before the body runs, so the cell's own reassignments don't leak in
            notebook_params=params_read(parameters, names.reads, namespace),
            location=location,
        )
        self._write_start(_active)
        self._files = self._file_watcher()
        self._outputs = OutputCapture(self.shell)
        self._files.start()
        self._outputs.start()

    def _write_start(self, run: ActiveRun) -> None:
        """The start record: if the kernel dies in the cell, the run is found ``interrupted``.

        What is known now (source, inputs, params) is recorded as a run in
        progress owned by this process (``Store.start_run``; see
        :mod:`nbtrail.store.journal`); ``finish`` replaces it. A store that
        cannot take it is left to ``finish`` to report.
        """
        try:
            store = self.checked_store()
            record = self._record(run, "running", None, [*run.inputs.values()], time.time())
            extra = {"owner": this_owner(), **_start_facts(run.extra)}
            if run.env is not None and self._unsaved_env(store, run.env) is not None:
                extra["environment"] = vars(run.env)  # saved with the run if it never ends
            record = replace(record, ended=None, extra=extra)
            self._redactor.learn(run.inputs, self.shell.user_ns)
            self._started = self._redactor.run(record)
            self._progress_at = time.monotonic()
            store.start_run(self._started)
        except NbtrailError:
            self._started = None

    def progress(self, run: ActiveRun) -> None:
        """Rewrite the start record with the metrics logged so far, at most twice a second.

        The workspace shows running cells from these records, so step metrics
        update live; a kernel that dies mid-cell keeps them (the last
        ``LIVE_METRICS`` points) in its ``interrupted`` run. One small file
        write, never a transaction; what a burst leaves unwritten is written
        by a timer when the interval ends.
        """
        if self._started is None:
            return
        wait = self._progress_at + PROGRESS_EVERY - time.monotonic()
        if wait <= 0:
            self._write_progress(run)
        elif self._pending is None:
            self._pending = threading.Timer(wait, self._write_progress, (run,))
            self._pending.daemon = True
            self._pending.start()

    def _write_progress(self, run: ActiveRun) -> None:
        with self._progress_lock:
            self._pending = None
            started = self._started
            if started is None or _active is not run:  # the cell ended: finish writes the run
                return
            self._progress_at = time.monotonic()
            with contextlib.suppress(NbtrailError, OSError):
                recent = tuple(run.metrics[-LIVE_METRICS:])
                metrics = self._redactor.run(replace(started, metrics=recent)).metrics
                self.checked_store().start_run(replace(started, metrics=metrics))

    def _unsaved_env(self, store: Store, env: EnvSnapshot | None) -> EnvSnapshot | None:
        known = env is None or (store.location, env.hash) in self._saved_envs
        return None if known else env

    def finish(self, error: BaseException | None, execution_count: int | None = None) -> Run | None:
        """Capture outputs and write the run; called right after the body ran."""
        global _active
        run, _active = _active, None
        with self._progress_lock:  # no live-metric write after this point
            self._started = None
            if self._pending is not None:
                self._pending.cancel()
                self._pending = None
        files = self._files.stop() if self._files else FileAccess((), ())
        outputs = self._outputs.stop() if self._outputs else None
        self._files = self._outputs = None
        self._env.note_written(files.writes)  # the next cell's git check looks at them
        if run is None:
            return None
        run.execution_count = execution_count
        store = self.checked_store()
        run_files = RunFiles(store)
        record = self._build_run(
            run, error, named_file_access(run.named_paths, files), outputs, run_files
        )
        env = self._unsaved_env(store, run.env)
        self._redactor.learn([b.name for b in record.bindings], self.shell.user_ns)
        try:
            store.save_run(
                self._redactor.run(record), environment=env, file_hashes=run_files.new_hashes
            )
        except BaseException:
            store.discard_start(run.id)  # the cell ended: never report it as a dead kernel's
            raise
        if env is not None:
            self._saved_envs.add((store.location, env.hash))
        if not run.options.quiet:
            try:  # the suffix that resolves back (8 digits unless another run shares them)
                shown = store.short_id(record.id)
            except NbtrailError:
                shown = None
            announce(record, shown)
        return record

    def is_tracking(self) -> bool:
        """Whether a tracked cell of this kernel is running now."""
        return _active is not None

    def abandon(self) -> None:
        """Drop the active run and stop watchers (after a failure in ``begin``)."""
        global _active
        run, _active = _active, None
        if run is not None and self._store is not None:
            with self.guard("forget the run's start record"):
                self._store.discard_start(run.id)
        for watcher in (self._files, self._outputs):
            if watcher is not None:
                with self.guard("stop watching the cell"):
                    watcher.stop()
        self._files = self._outputs = None

    def note_cell(
        self,
        execution_count: int | None,
        cell_id: str | None,
        source: str,
        code: str,
        failed: bool = False,
    ) -> None:
        """Remember every cell the kernel runs, tracked or not (see KernelSession)."""
        file = self.notebook().file
        self.session.note_cell(execution_count, cell_id, source, code, file, failed)

    def _execution_facts(self, parameters: NotebookParameters) -> dict[str, Any]:
        """Where and how this execution ran: what a re-run needs to do it again."""
        facts: dict[str, Any] = dict(self._where(os.getcwd(), self._project_root()))
        if parameters.injected:
            facts["injected_parameters"] = parameters.injected
        item = os.environ.get("NBTRAIL_BATCH_ITEM")
        if item and item.isdigit():
            facts["batch_item"] = int(item)
        return facts

    # -- building the record ----------------------------------------------
    def _build_run(
        self,
        run: ActiveRun,
        error: BaseException | None,
        files: FileAccess,
        outputs: CapturedOutput | None,
        run_files: RunFiles,
    ) -> Run:
        status, exception = status_of(error)
        namespace = self.shell.user_ns
        bindings = [
            *run.inputs.values(),
            *output_bindings(run.names, run.inputs, namespace, run.names_before),
        ]
        artifacts = list(run.artifacts)
        bindings += run_files.bindings(files, artifacts)
        extra = dict(run.extra)
        models = dict(extra.get("models", {}))
        keep_written_models(self.store, bindings, namespace, models, artifacts)
        if models:
            extra["models"] = models
        if outputs is not None:
            artifacts += run_files.figures(outputs)
            extra["output"] = _output_record(outputs)
        extra["notebook"] = self._snapshot(run, run_files)
        timing = self._timing(bindings, run.metrics)
        if timing:
            extra["timing"] = timing
        return replace(
            self._record(run, status, exception, bindings, time.time()),
            metrics=tuple(run.metrics),
            artifacts=tuple(artifacts),
            extra=extra,
        )

    def _record(
        self,
        run: ActiveRun,
        status: RunStatus,
        exception: ExceptionInfo | None,
        bindings: list[Binding],
        ended: float,
    ) -> Run:
        magic_params = [Param(k, v, "magic") for k, v in run.options.params.items()]
        return Run(
            id=run.id,
            name=run.options.name or default_name(run.source, run.execution_count),
            status=status,
            started=run.started,
            ended=ended,
            notebook=run.location.recorded,
            cell_id=run.cell_id,
            execution_count=run.execution_count,
            source=run.source,
            source_hash=hash_text(run.source),
            exception=exception,
            env_hash=run.env.hash if run.env else None,
            session=self.session.id,
            parent=os.environ.get("NBTRAIL_PARENT") or None,
            batch=os.environ.get("NBTRAIL_BATCH") or None,
            tags=run.options.tags,
            params=tuple(run.notebook_params + magic_params + run.params),
            bindings=tuple(bindings),
        )

    def _timing(self, bindings: list[Binding], metrics: list[Metric]) -> dict[str, Any]:
        """This run's values and metrics that are clock readings (never decisive on re-run)."""
        known = self.session.timing_names
        names = sorted({b.name for b in bindings if b.name in known and b.kind != "file"})
        logged = {m.key for m in metrics}
        keys = sorted(k for k in self.session.timing.metrics if k in logged)
        keys += sorted(k for k in logged if is_timing_key(k) and k not in keys)
        timing: dict[str, Any] = {k: v for k, v in (("names", names), ("metrics", keys)) if v}
        if self.session.timing.prints:
            timing["prints"] = True
        return timing

    def _snapshot(self, run: ActiveRun, run_files: RunFiles) -> dict[str, Any]:
        """The notebook as executed: the file (unsaved cells patched in), else the cells run."""
        location = run.location
        if location.file and os.path.isfile(location.file):
            record = run_files.notebook(location.file, self.session.ran, self.session.ran_after)
            return {**record, "snapshot": "file", "found_by": location.found_by}
        store = self.store  # a store re-created after it vanished is a new object
        keep = self._keepers.setdefault(id(store), RunFiles(store).keep)
        kept = self.session.reconstructed(self.history(), run.execution_count, keep)
        return {**kept, "snapshot": "reconstructed", "found_by": None}

    @functools.lru_cache(maxsize=8)  # noqa: B019 (one tracker per kernel, lives as long)
    def _where(self, cwd: str, root: Path | None) -> tuple[tuple[str, str], ...]:
        """The working directory, also relative to the project (which may move)."""
        if root is not None and Path(cwd).is_relative_to(root):
            return (("cwd", cwd), ("cwd_in_project", Path(cwd).relative_to(root).as_posix()))
        return (("cwd", cwd),)

    def _file_watcher(self) -> FileWatcher:
        """One watcher per store folder: building its ignore list costs more than a cell."""
        folders = local_store_folders(self.location or store_location())
        key = "\0".join(folders)
        if self._watcher is None or self._watcher[0] != key:
            self._watcher = (key, FileWatcher(ignore_prefixes=folders))
        return self._watcher[1]

    def _project_root(self) -> Path | None:
        location = self.location or store_location()
        key = f"{location}\0{os.getcwd()}" if is_url(location) else location
        if key not in self._roots:
            self._roots[key] = project_root(location)
        return self._roots[key]


def _start_facts(extra: dict[str, Any]) -> dict[str, Any]:
    """What a start record keeps of ``extra``: where it ran (for a re-run), not the rest."""
    keys = ("cwd", "cwd_in_project", "injected_parameters", "batch_item")
    return {key: extra[key] for key in keys if key in extra}


def _output_record(outputs: CapturedOutput) -> dict[str, Any]:
    return {
        "stdout": outputs.stdout,
        "stdout_size": outputs.stdout_size,
        "stderr": outputs.stderr,
        "stderr_size": outputs.stderr_size,
        "display_types": list(outputs.display_types),
        "text": list(outputs.texts),
    }
