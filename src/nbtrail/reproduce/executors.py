"""Where executions run, chosen by name: ``local`` worker processes or ``dask``.

An executor takes a list of :class:`~nbtrail.reproduce.engine.Execution` and
yields their results as they complete. Each execution starts its own kernel,
so a worker only coordinates; workers never talk to each other, and every
kernel writes its runs to the configured store itself (SQLite's lock queues
concurrent writers, so nothing is lost).

Register another backend with :func:`register_executor`.
"""

from __future__ import annotations

import abc
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from nbtrail.reproduce.engine import Execution, ExecutionResult, run_execution
from nbtrail.reproduce.errors import ReproduceUsageError


@dataclass(frozen=True)
class ExecutorOptions:
    workers: int = 2
    scheduler: str | None = None  # dask: tcp://host:port of an existing cluster


class Executor(abc.ABC):
    """Runs executions concurrently and yields results as they complete."""

    name: str = ""

    def __init__(self, options: ExecutorOptions) -> None:
        self.options = options

    @property
    def workers(self) -> int:
        return self.options.workers

    @abc.abstractmethod
    def run(self, executions: Sequence[Execution]) -> Iterator[ExecutionResult]:
        """Yield one result per execution, in completion order."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release workers or connections."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def crashed(execution: Execution, exc: BaseException) -> ExecutionResult:
    """A result for an execution whose worker itself died."""
    now = time.time()
    message = f"worker failed: {type(exc).__name__}: {exc}".strip()
    return ExecutionResult(execution.index, False, execution.output_path, now, now, message)


class LocalExecutor(Executor):
    """Worker processes on this machine (see ``_start_method`` for how they are made).

    Each worker starts its next execution's kernel while the current one
    runs (``local_pool``, ``kernels``): a sweep of short notebooks is then
    bound by the notebooks, not by kernel start-up.
    """

    name = "local"

    def run(self, executions: Sequence[Execution]) -> Iterator[ExecutionResult]:
        from nbtrail.reproduce.local_pool import run_pool

        if not executions:
            return iter(())
        workers = max(1, min(self.workers, len(executions)))
        return run_pool(executions, workers, _start_method())


def _start_method() -> str:
    """``fork`` when this process runs no other thread, else ``forkserver``, else ``spawn``.

    Forked workers inherit what the parent imported (papermill, nbformat:
    about a second each). A parent with threads (a kernel, a server) must not
    fork; its workers come from a fork server started once for this process
    with papermill and nbtrail imported (``preload``).
    """
    import multiprocessing
    import threading

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    if "forkserver" in methods:
        multiprocessing.get_context("forkserver").set_forkserver_preload(
            ["nbtrail.reproduce.preload"]
        )
        return "forkserver"
    return "spawn"


class DaskExecutor(Executor):
    """Submit executions to an existing Dask distributed cluster.

    Workers need nbtrail, papermill and the notebook's kernel installed, the
    notebook's folder at the same path, and access to the store (a shared
    folder or a database URL).
    """

    name = "dask"

    def __init__(self, options: ExecutorOptions) -> None:
        super().__init__(options)
        if not options.scheduler:
            raise ReproduceUsageError("--executor dask needs --scheduler tcp://HOST:PORT")
        try:
            from distributed import Client
        except ImportError:
            raise ReproduceUsageError(
                "the dask executor needs dask.distributed: pip install 'nbtrail[dask]'"
            ) from None
        try:
            self.client: Any = Client(options.scheduler, set_as_default=False, timeout=10)
        except (OSError, TimeoutError) as exc:
            raise ReproduceUsageError(
                f"cannot reach the Dask scheduler at {options.scheduler}: {exc}"
            ) from None

    def run(self, executions: Sequence[Execution]) -> Iterator[ExecutionResult]:
        from distributed import as_completed

        futures = {
            self.client.submit(
                run_execution, ex, pure=False, key=f"nbtrail-{ex.batch}-{ex.index}-{time.time_ns()}"
            ): ex
            for ex in executions
        }
        try:
            for future in as_completed(list(futures), loop=self.client.loop):
                try:
                    yield future.result()
                except Exception as exc:  # lost worker, cancelled task
                    yield crashed(futures[future], exc)
        finally:
            for future in futures:
                future.release()

    def close(self) -> None:
        self.client.close()


ExecutorFactory = Callable[[ExecutorOptions], Executor]

_EXECUTORS: dict[str, ExecutorFactory] = {"local": LocalExecutor, "dask": DaskExecutor}


def register_executor(name: str, factory: ExecutorFactory) -> None:
    """Make ``--executor NAME`` build executors with ``factory(options)``."""
    _EXECUTORS[name] = factory


def executor_names() -> list[str]:
    return sorted(_EXECUTORS)


def open_executor(name: str, options: ExecutorOptions) -> Executor:
    factory = _EXECUTORS.get(name)
    if factory is None:
        raise ReproduceUsageError(
            f"unknown executor {name!r} (known: {', '.join(executor_names())})"
        )
    return factory(options)
