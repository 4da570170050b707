"""A run's lifecycle: capture before the cell, capture after, one store write.

:class:`Tracker` is one per kernel. ``begin`` runs just before a tracked cell's
body (hash its inputs, start watching files and outputs), ``finish`` just after
(hash outputs, collect what the API logged, write the run). Both are wrapped by
:meth:`Tracker.guard`: whatever goes wrong inside nbtrail becomes one warning
line and the user's cell is untouched.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nbtrail.capture.environment import EnvironmentCache, random_state
from nbtrail.capture.files import (
    FileAccess,
    FileState,
    FileWatcher,
    named_file_access,
    path_states,
)
from nbtrail.capture.hashing import content_hash, file_key, hash_bytes, hash_file, hash_text
from nbtrail.capture.lineage import Lineage, Writer
from nbtrail.capture.names import CellNames, analyse_cell
from nbtrail.capture.notebook import (
    cell_id_for_source,
    notebook_cells,
    parameter_names,
    patched_notebook,
)
from nbtrail.capture.outputs import CapturedOutput, OutputCapture
from nbtrail.capture.values import describe_value
from nbtrail.config import store_location
from nbtrail.errors import NoActiveRun
from nbtrail.records import (
    Artifact,
    Binding,
    EnvSnapshot,
    ExceptionInfo,
    Metric,
    Param,
    Run,
    RunStatus,
    new_run_id,
)
from nbtrail.store import FileKey, Store, open_store

#: Files a cell writes below this size are also kept as artifacts.
ARTIFACT_FILE_LIMIT = 10 * 1024 * 1024


@dataclass(frozen=True)
class TrackOptions:
    """What the ``%%track`` line asked for."""

    name: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    quiet: bool = False


@dataclass
class ActiveRun:
    """A run between ``begin`` and ``finish``: what the API logs lands here."""

    id: str
    options: TrackOptions
    source: str
    started: float
    cell_id: str | None
    execution_count: int | None
    names: CellNames
    inputs: dict[str, Binding]
    env: EnvSnapshot | None
    extra: dict[str, Any]
    raw_cell: str = ""
    names_before: frozenset[str] = frozenset()
    named_paths: dict[str, FileState] = field(default_factory=dict)
    notebook_params: list[Param] = field(default_factory=list)
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


class Tracker:
    """Tracks cells of one IPython shell (one kernel)."""

    def __init__(self, shell: Any, location: str | None = None) -> None:
        self.shell = shell
        self.location = location
        self.session = new_run_id()
        # Cells this kernel ran since the previous tracked run (execution order).
        self.history: list[list[Any]] = []
        self.previous_run: str | None = None
        self.lineage = Lineage()
        self._new_file_hashes: list[tuple[FileKey, str]] = []
        self._store: Store | None = None
        self._env = EnvironmentCache()
        self._files: FileWatcher | None = None
        self._watcher: tuple[str, FileWatcher] | None = None
        self._roots: dict[str, Path | None] = {}
        # Every cell id this kernel ran -> the source it last ran, and the cell
        # that ran just before its first run (where an unsaved cell belongs).
        self._ran: dict[str, str] = {}
        self._ran_after: dict[str, str | None] = {}
        self._last_cell: str | None = None
        self._saved_envs: set[tuple[str, str]] = set()  # (store, snapshot) already saved
        self._outputs: OutputCapture | None = None
        self._warn: Callable[[str], None] = _print_warning

    # -- plumbing ---------------------------------------------------------
    @property
    def store(self) -> Store:
        """The store, opened at first use so loading the extension stays cheap."""
        location = self.location or store_location()
        if self._store is None or self._store.location != location:
            self._store = open_store(location)
        return self._store

    @contextmanager
    def guard(self, what: str) -> Iterator[None]:
        """Turn any failure inside nbtrail into one warning line."""
        try:
            yield
        except Exception as exc:
            self._warn(
                f"nbtrail: could not {what} ({type(exc).__name__}: {exc}); the cell ran normally"
            )

    # -- lifecycle --------------------------------------------------------
    def begin(
        self, options: TrackOptions, source: str, cell_id: str | None, raw_cell: str = ""
    ) -> None:
        """Capture inputs and start watchers; called right before the body runs."""
        global _active
        _active = None
        self._new_file_hashes = []
        started = time.time()
        try:
            names = analyse_cell(self.shell.transform_cell(source))
        except SyntaxError:
            names = CellNames((), (), ())
        namespace = self.shell.user_ns
        inputs = {
            name: _binding(name, "in", namespace[name])
            for name in names.reads
            if name in namespace and is_data_name(name, namespace[name])
        }
        env = self._env.get()
        notebook_file = notebook_path(self.shell, self._project_root())[1]
        cells = notebook_cells(notebook_file) if notebook_file else None
        if cell_id is None and notebook_file:
            cell_id = cell_id_for_source(notebook_file, raw_cell or source)
        extra: dict[str, Any] = {
            "hidden_state": self.lineage.hidden_state(inputs, cell_id, cells),
            "random_state": random_state(),
            "history": {"previous_run": self.previous_run, "cells": self.history},
        }
        self.history = []
        _active = ActiveRun(
            id=self._next_id(),
            options=options,
            source=source,
            started=started,
            cell_id=cell_id,
            execution_count=None,
            names=names,
            inputs=inputs,
            env=env,
            extra=extra,
            raw_cell=raw_cell or source,
            names_before=frozenset(namespace),
            named_paths=path_states(names.strings),
            # before the body runs, so the cell's own reassignments don't leak in
            notebook_params=self._notebook_params(notebook_file),
        )
        self._files = self._file_watcher()
        self._outputs = OutputCapture(self.shell)
        self._files.start()
        self._outputs.start()

    def _next_id(self) -> str:
        self.previous_run = new_run_id()
        return self.previous_run

    def finish(self, error: BaseException | None, execution_count: int | None = None) -> Run | None:
        """Capture outputs and write the run; called right after the body ran."""
        global _active
        run, _active = _active, None
        if run is not None:
            run.execution_count = execution_count
        files = self._files.stop() if self._files else FileAccess((), ())
        outputs = self._outputs.stop() if self._outputs else None
        self._files = self._outputs = None
        if run is None:
            return None
        record = self._build_run(run, error, files, outputs)
        store = self.store
        known = run.env is None or (store.location, run.env.hash) in self._saved_envs
        env = None if known else run.env
        store.save_run(record, environment=env, file_hashes=self._new_file_hashes)
        if env is not None:
            self._saved_envs.add((store.location, env.hash))
        self._new_file_hashes = []
        if not run.options.quiet:
            announce(record)
        return record

    def abandon(self) -> None:
        """Drop the active run and stop watchers (after a failure in ``begin``)."""
        global _active
        _active = None
        for watcher in (self._files, self._outputs):
            if watcher is not None:
                with self.guard("stop watching the cell"):
                    watcher.stop()
        self._files = self._outputs = None

    def note_cell(
        self, execution_count: int | None, cell_id: str | None, source: str, code: str
    ) -> None:
        """Remember every cell the kernel runs, tracked or not: order and writers.

        ``source`` is the raw cell (what the notebook file holds), ``code`` the
        transformed Python whose assignments say which variables it wrote.
        """
        source_hash = hash_text(source)[:12]
        if cell_id is None:
            notebook_file = notebook_path(self.shell, self._project_root())[1]
            if notebook_file:
                cell_id = cell_id_for_source(notebook_file, source)
        self.history.append([execution_count, cell_id, source_hash])
        if cell_id is not None:
            if cell_id not in self._ran:
                self._ran_after[cell_id] = self._last_cell
            self._ran[cell_id] = source
            self._last_cell = cell_id
        try:
            written = analyse_cell(code).writes
        except SyntaxError:
            written = ()
        self.lineage.record(Writer(cell_id, execution_count, source_hash), written)

    # -- building the record ----------------------------------------------
    def _build_run(
        self,
        run: ActiveRun,
        error: BaseException | None,
        files: FileAccess,
        outputs: CapturedOutput | None,
    ) -> Run:
        ended = time.time()
        status, exception = _status(error)
        bindings = [*run.inputs.values(), *self._output_bindings(run)]
        artifacts = list(run.artifacts)
        files = named_file_access(run.named_paths, files)
        bindings += self._file_bindings(files, artifacts)
        extra = dict(run.extra)
        if outputs is not None:
            artifacts += self._figure_artifacts(outputs)
            extra["output"] = {
                "stdout": outputs.stdout,
                "stdout_size": outputs.stdout_size,
                "stderr": outputs.stderr,
                "stderr_size": outputs.stderr_size,
                "display_types": list(outputs.display_types),
            }
        magic_params = [Param(k, v, "magic") for k, v in run.options.params.items()]
        notebook, notebook_file = notebook_path(self.shell, self._project_root())
        if notebook_file:
            extra["notebook"] = self._snapshot_notebook(notebook_file)
        return Run(
            id=run.id,
            name=run.options.name or default_name(run.source, run.execution_count),
            status=status,
            started=run.started,
            ended=ended,
            notebook=notebook,
            cell_id=run.cell_id,
            execution_count=run.execution_count,
            source=run.source,
            source_hash=hash_text(run.source),
            exception=exception,
            env_hash=run.env.hash if run.env else None,
            session=self.session,
            parent=os.environ.get("NBTRAIL_PARENT") or None,
            batch=os.environ.get("NBTRAIL_BATCH") or None,
            tags=run.options.tags,
            params=tuple(run.notebook_params + magic_params + run.params),
            metrics=tuple(run.metrics),
            bindings=tuple(bindings),
            artifacts=tuple(artifacts),
            extra=extra,
        )

    def _output_bindings(self, run: ActiveRun) -> list[Binding]:
        """Names the cell bound, plus read names whose content it changed."""
        namespace = self.shell.user_ns
        # Names bound where the AST cannot see (magics, exec) still count.
        appeared = [n for n in namespace if n not in run.names_before]
        written = dict.fromkeys([*run.names.writes, *appeared])
        out: list[Binding] = []
        for name in written:
            if name in namespace and is_data_name(name, namespace[name]):
                out.append(_binding(name, "out", namespace[name]))
        for name in run.names.mutated:
            before = run.inputs.get(name)
            if before is None or name not in namespace or name in run.names.writes:
                continue
            if _same_content(namespace[name], before.hash):
                continue  # hash only: a summary is needed just for what changed
            out.append(_binding(name, "out", namespace[name]))
        return out

    def _file_bindings(self, files: FileAccess, artifacts: list[Artifact]) -> list[Binding]:
        bindings = []
        for direction, paths in (("in", files.reads), ("out", files.writes)):
            for path in paths:
                if not os.path.isfile(path):
                    continue
                digest, size = self._hash_file(path)
                summary = {"path": _display_path(path), "size": size}
                bindings.append(Binding(_display_path(path), direction, "file", digest, summary))  # type: ignore[arg-type]
                if direction == "out" and size <= ARTIFACT_FILE_LIMIT:
                    self.store.put_file(Path(path), digest)
                    artifacts.append(Artifact(_display_path(path), digest, _media_type(path), size))
        return bindings

    def _snapshot_notebook(self, path: str) -> dict[str, Any]:
        """Keep the notebook as this kernel ran it (content-addressed).

        Usually that is the file as saved; when the session ran cells the file
        does not hold (unsaved edits in JupyterLab), their code is patched in.
        """
        patched = patched_notebook(path, self._ran, self._ran_after)
        if patched is None:
            digest, size = self._hash_file(path)
            self.store.put_file(Path(path), digest)
            return {"hash": digest, "size": size}
        data, cells = patched
        digest = hash_bytes(data)
        self.store.put_object(data, digest)
        return {"hash": digest, "size": len(data), "unsaved_cells": cells}

    def _notebook_params(self, notebook_file: str | None) -> list[Param]:
        """The parameters this execution ran with.

        The re-run engine passes papermill's parameters in ``NBTRAIL_PARAMETERS``;
        otherwise the current values of the names the ``parameters`` cell assigns.
        """
        injected = os.environ.get("NBTRAIL_PARAMETERS")
        if injected:
            return [Param(k, v, "papermill") for k, v in json.loads(injected).items()]
        if not notebook_file:
            return []
        namespace = self.shell.user_ns
        return [
            Param(name, namespace[name], "parameters")
            for name in parameter_names(notebook_file)
            if name in namespace and _is_plain(namespace[name])
        ]

    def _hash_file(self, path: str) -> tuple[str, int]:
        key = file_key(path)
        digest = self.store.cached_file_hash(key)
        if digest is None:
            digest = hash_file(path)
            self._new_file_hashes.append((key, digest))  # saved with the run
        return digest, key[1]

    def _figure_artifacts(self, outputs: CapturedOutput) -> list[Artifact]:
        artifacts = []
        for number, figure in enumerate(outputs.figures, start=1):
            digest = hash_bytes(figure.png)
            self.store.put_object(figure.png, digest)
            artifacts.append(Artifact(f"figure-{number}.png", digest, "image/png", len(figure.png)))
        return artifacts

    def _file_watcher(self) -> FileWatcher:
        """One watcher per store folder: building its ignore list costs more than a cell."""
        folder = self._store_folder()
        if self._watcher is None or self._watcher[0] != folder:
            self._watcher = (folder, FileWatcher(ignore_prefixes=[folder]))
        return self._watcher[1]

    def _project_root(self) -> Path | None:
        folder = self._store_folder()
        if folder not in self._roots:
            self._roots[folder] = Path(folder).resolve().parent if folder else None
        return self._roots[folder]

    def _store_folder(self) -> str:
        location = self.location or store_location()
        return location if "://" not in location else ""


def install(tracker: Tracker | None) -> None:
    """Make ``tracker`` the one the Python API talks to."""
    global _tracker
    _tracker = tracker


def _is_plain(value: Any) -> bool:
    """JSON scalars and small lists of them: what a parameters cell holds."""
    if value is None or isinstance(value, str | int | float | bool):
        return True
    return isinstance(value, list | tuple) and len(value) <= 50 and all(map(_is_plain, value))


def is_data_name(name: str, value: Any) -> bool:
    """Whether a name is worth a binding: not private, not library code.

    Modules and functions or classes imported from packages are how a cell
    works, not what it works on; the environment snapshot already pins them.
    Functions and classes the notebook defines itself are kept.
    """
    if name.startswith("_"):
        return False
    if isinstance(value, types.ModuleType):
        return False
    if isinstance(value, type | types.FunctionType | types.BuiltinFunctionType):
        return getattr(value, "__module__", None) == "__main__"
    return True


def _same_content(value: Any, digest: str | None) -> bool:
    """Whether ``value`` still hashes to ``digest`` (unknown counts as the same)."""
    try:
        return content_hash(value).hash == digest
    except Exception:
        return digest is None


def _binding(name: str, direction: str, value: Any) -> Binding:
    record = describe_value(value)
    return Binding(name, direction, record.kind, record.hash, record.summary)  # type: ignore[arg-type]


def _status(error: BaseException | None) -> tuple[RunStatus, ExceptionInfo | None]:
    if error is None:
        return "finished", None
    info = ExceptionInfo(type(error).__name__, str(error), format_user_traceback(error))
    if isinstance(error, KeyboardInterrupt):
        return "interrupted", info
    return "failed", info


def format_user_traceback(error: BaseException) -> str:
    """The traceback as plain text, without IPython's own frames on top."""
    tb = error.__traceback__
    while tb is not None and "IPython" + os.sep in tb.tb_frame.f_code.co_filename:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(error), error, tb))


def default_name(source: str, execution_count: int | None) -> str:
    """A cell's first comment line, else ``In [N]``: stable across re-runs."""
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            text = stripped.lstrip("#").strip()
            if text:
                return text[:60]
        elif stripped:
            break
    return f"In [{execution_count}]" if execution_count is not None else "cell"


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


def announce(run: Run) -> None:
    """Show the summary line as plain display output, not as stderr.

    Frontends style stderr as an error; a finished run is not one. The
    metadata lets a frontend (or a test) tell nbtrail's line from the cell's.
    """
    from IPython.display import display

    metadata = {"nbtrail": {"run": run.id, "status": run.status}}
    display({"text/plain": summary_line(run)}, raw=True, metadata=metadata)


def summary_line(run: Run) -> str:
    metrics = ", ".join(f"{k}={v:.4g}" for k, v in list(run.latest_metrics().items())[:4])
    ins = sum(b.direction == "in" for b in run.bindings)
    outs = len(run.bindings) - ins
    parts = [f"nbtrail: {run.status} run {run.id[-8:]} '{run.name}' in {run.duration or 0:.2f}s"]
    if metrics:
        parts.append(metrics)
    parts.append(f"{ins} in, {outs} out")
    hidden = [item["name"] for item in run.extra.get("hidden_state", ())]
    if hidden:
        parts.append("hidden state: " + ", ".join(hidden))
    return " · ".join(parts)


def _display_path(path: str) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return path


_MEDIA_TYPES = {
    ".csv": "text/csv",
    ".json": "application/json",
    ".txt": "text/plain",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".parquet": "application/vnd.apache.parquet",
    ".pkl": "application/octet-stream",
}


def _media_type(path: str) -> str:
    return _MEDIA_TYPES.get(Path(path).suffix.lower(), "application/octet-stream")


def _print_warning(message: str) -> None:
    print(message, file=sys.stderr)
