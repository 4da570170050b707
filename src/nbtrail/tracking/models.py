"""Keep the fitted models a tracked cell writes, so a run's models can be registered.

A model binding only records a value hash; registering it later needs the
model itself, in skops (secure persistence: never a pickle on disk). skops
takes ~200 ms for a 100-tree forest, as long as fitting it, so the cell does
not wait for it:

1. As the cell ends, each output model is snapshotted with ``pickle.dumps``
   (~2 ms): bytes of the live object at this instant, so a later cell that
   refits the model cannot change what this run keeps. They stay in memory
   and are only ever unpickled by this process: no trust boundary is crossed.
2. One background thread per process (:class:`ModelKeeper`) unpickles each
   snapshot, saves it with skops into the object folder and records
   "value hash -> skops object" (``Store.record_kept_model``), or why skops
   refused it. At most :data:`MAX_QUEUED_BYTES` of snapshots wait; a model
   beyond that is noted as not kept, with the reason.
3. ``run.extra["models"][NAME]`` says ``"kept": "background"`` and which
   process keeps it (``owner``); the registry looks the object up by hash,
   waits for this process's worker if it is still busy (:func:`flush_kept_models`),
   and says plainly when the kernel died first. At interpreter exit pending
   work is finished, for at most :data:`EXIT_TIMEOUT` seconds.

A model already kept by an earlier run (same value hash) is not saved again.
Nothing here ever fails the run or reaches the user's cell: the worker's
failures are recorded on the model, or become one warning line per process.
"""

from __future__ import annotations

import atexit
import functools
import importlib.util
import pickle
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from nbtrail.capture.hashing import hash_bytes
from nbtrail.records import Artifact, Binding
from nbtrail.store import Store, open_store
from nbtrail.store.base import KeptModel
from nbtrail.store.liveness import this_owner
from nbtrail.tracking.text import print_warning

SKOPS_MEDIA_TYPE = "application/x-skops"
MAX_QUEUED_BYTES = 512 * 1024 * 1024  # snapshots waiting for skops, at most
EXIT_TIMEOUT = 30.0  # seconds the interpreter waits at exit for pending models
SETTLE = 0.1  # seconds the worker lets a cell finish before it starts on a new burst
ERROR_CHARS = 300


@functools.cache
def skops_available() -> bool:
    """Whether the ``models`` extra is installed (asked once per process)."""
    return importlib.util.find_spec("skops") is not None


def model_record(value: Any, value_hash: str | None) -> dict[str, Any]:
    """What ``run.extra["models"][NAME]`` holds for one model (``object`` added once kept)."""
    cls = type(value)
    columns = getattr(value, "feature_names_in_", None)
    return {
        "hash": value_hash,
        "class": f"{cls.__module__}.{cls.__qualname__}",
        "columns": [str(c) for c in columns] if columns is not None else None,
        "n_features": getattr(value, "n_features_in_", None),
    }


def keep_written_models(
    store: Store,
    bindings: list[Binding],
    namespace: Mapping[str, Any],
    models: dict[str, Any],
    artifacts: list[Artifact],
) -> None:
    """Snapshot each output model not already logged for the worker; adds to ``models``.

    A model an earlier run kept (same value hash) is recorded at once, with
    its artifact; the others get theirs in ``Store.kept_model`` later.
    """
    written = [b for b in bindings if b.direction == "out" and b.kind == "model"]
    if not written or not skops_available():  # most cells write no model: no import lookup
        return
    for b in written:
        if b.name in models:
            continue
        value = namespace.get(b.name)
        if value is not None:
            models[b.name] = _keep_later(store, b, value, artifacts)


def _keep_later(store: Store, binding: Binding, value: Any, artifacts: list[Artifact]) -> Any:
    """The model's record: kept already, queued for the worker, or why not."""
    record = model_record(value, binding.hash)
    if binding.hash is None:
        return {**record, "error": "the model has no value hash to keep it under"}
    try:
        known = store.kept_model(binding.hash)
    except Exception:  # an unreadable record: keep it again, the worker will say
        known = None
    if known is not None and known.object is not None:
        artifacts.append(
            Artifact(f"{binding.name}.skops", known.object, SKOPS_MEDIA_TYPE, known.size or 0)
        )
        return {**record, "object": known.object}
    if known is not None:
        return {**record, "error": known.error or "skops could not save it"}
    worker = keeper()
    if not worker.pending(binding.hash):
        try:
            snapshot = pickle.dumps(value, protocol=5)
        except Exception as exc:  # unpicklable state: skops would refuse it too
            return {**record, "error": _reason("cannot snapshot the model", exc)}
        refused = worker.submit(store.location, binding.hash, snapshot)
        if refused:
            return {**record, "error": f"{refused}; call nbtrail.log_model({binding.name})"}
    return {**record, "kept": "background", "owner": this_owner()}


def _reason(what: str, exc: BaseException) -> str:
    return f"{what}: {type(exc).__name__}: {exc}"[:ERROR_CHARS]


@dataclass(frozen=True)
class Snapshot:
    """A model's pickle bytes waiting to be saved with skops into the store at ``location``."""

    location: str
    model_hash: str
    data: bytes


class ModelKeeper:
    """One background thread saving snapshots with skops, in order; memory bounded.

    ``pending`` hashes are queued or in progress. ``flush`` waits (bounded) for
    them. A failure is recorded on the model (skops refused it) or, when even
    that cannot be written (the store went away), is one warning per process.
    """

    def __init__(
        self, max_bytes: int = MAX_QUEUED_BYTES, warn: Callable[[str], None] = print_warning
    ) -> None:
        self.max_bytes = max_bytes
        self._warn = warn
        self._warned = False
        self._changed = threading.Condition()
        self._queue: deque[Snapshot] = deque()
        self._pending: set[str] = set()
        self._queued_bytes = 0
        self._flushing = 0
        self._thread: threading.Thread | None = None

    def submit(self, location: str, model_hash: str, data: bytes) -> str | None:
        """Queue a snapshot; the reason it was refused, else ``None``."""
        with self._changed:
            if model_hash in self._pending:
                return None
            if self._queued_bytes + len(data) > self.max_bytes:
                return (
                    f"not kept: {(self._queued_bytes + len(data)) >> 20} MB of models would "
                    f"wait to be saved (at most {self.max_bytes >> 20} MB)"
                )
            self._queue.append(Snapshot(location, model_hash, data))
            self._pending.add(model_hash)
            self._queued_bytes += len(data)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._work, name="nbtrail-model-keeper", daemon=True
                )
                self._thread.start()
            self._changed.notify_all()
        return None

    def pending(self, model_hash: str | None = None) -> bool:
        """Whether this model (any model, without a hash) is still to be saved."""
        with self._changed:
            return bool(self._pending) if model_hash is None else model_hash in self._pending

    def flush(self, timeout: float, model_hash: str | None = None) -> bool:
        """Wait until the model (every model) is saved; whether it was, within ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._changed:
            self._flushing += 1
            self._changed.notify_all()
            try:
                while self._is_pending(model_hash):
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return False
                    self._changed.wait(left)
            finally:
                self._flushing -= 1
        return True

    def _is_pending(self, model_hash: str | None) -> bool:
        return bool(self._pending) if model_hash is None else model_hash in self._pending

    def _work(self) -> None:
        while True:
            with self._changed:
                while not self._queue:
                    self._changed.wait()
                # a new burst: let the cell's finish (run write, summary line) end
                # before skops takes turns at the GIL with it; a flush starts at once
                settled = time.monotonic() + SETTLE
                while not self._flushing and (left := settled - time.monotonic()) > 0:
                    self._changed.wait(left)
                job = self._queue[0]
            try:
                self._keep(job)
            except Exception as exc:  # the store went away: nothing to record it in
                self._warn_once(job, exc)
            finally:
                with self._changed:
                    self._queue.popleft()
                    self._pending.discard(job.model_hash)
                    self._queued_bytes -= len(job.data)
                    self._changed.notify_all()

    def _keep(self, job: Snapshot) -> None:
        # A store of its own: the tracker's may be closed or replaced meanwhile,
        # and a store deleted since is not made again.
        store = open_store(job.location, create=False)
        try:
            store.record_kept_model(_saved(store, job))
        finally:
            store.close()

    def _warn_once(self, job: Snapshot, exc: BaseException) -> None:
        if not self._warned:
            self._warned = True
            why = f"{type(exc).__name__}: {exc}"[:ERROR_CHARS]
            self._warn(f"nbtrail: a model of a run in {job.location} was not kept: {why}")


def _saved(store: Store, job: Snapshot) -> KeptModel:
    """Our own snapshot back to a model, saved with skops: where it is, or why not."""
    import skops.io

    try:
        model = pickle.loads(job.data)  # bytes this process made from a live object
        data = skops.io.dumps(model)
    except Exception as exc:  # skops refuses some objects: say so on the model
        return KeptModel(job.model_hash, None, None, _reason("skops could not save it", exc))
    digest = hash_bytes(data)
    store.put_object(data, digest)
    return KeptModel(job.model_hash, digest, len(data))


_keeper: ModelKeeper | None = None
_keeper_lock = threading.Lock()


def keeper() -> ModelKeeper:
    """This process's keeper, made on first use (its thread starts with the first model)."""
    global _keeper
    with _keeper_lock:
        if _keeper is None:
            _keeper = ModelKeeper()
            atexit.register(_at_exit)
        return _keeper


def kept_model_pending(model_hash: str) -> bool:
    """Whether this process is still saving the model with this value hash."""
    return _keeper is not None and _keeper.pending(model_hash)


def flush_kept_models(timeout: float, model_hash: str | None = None) -> bool:
    """Wait (at most ``timeout`` s) for this process's pending models; whether all were saved."""
    return _keeper is None or _keeper.flush(timeout, model_hash)


def _at_exit() -> None:
    flush_kept_models(EXIT_TIMEOUT)
