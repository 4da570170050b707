"""A worker's executions one after another, each kernel started ahead and shut down behind.

A trivial notebook's execution is mostly its kernel's start (an interpreter,
ipykernel, the connection handshake) and shutdown. A worker that knows its
next execution starts that execution's kernel as the current one begins, so
the new kernel boots while the current notebook runs; a finished kernel is
asked to shut down and left to exit while the next notebook runs.

A kernel is never reused: each is started for one execution, with that
execution's environment, folder and kernelspec, the arguments nbclient would
give it (an in-memory IPython history), and killed if it ignores the request.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterable
from typing import Any

from nbtrail.reproduce.engine import (
    SHUTDOWN_WAIT,
    Execution,
    ExecutionResult,
    close_thread_loop,
    kernel_manager_class,
    manager_config,
    notebook_kernel,
    run_with_kernel,
)

#: What nbclient passes to every IPython kernel it starts (its ``ipython_hist_file``).
HISTORY_ARGUMENTS = ["--HistoryManager.hist_file=:memory:"]


def run_chain(
    executions: Iterable[Execution],
    report: Callable[[Execution, ExecutionResult], None],
    stopped: Callable[[], bool] = lambda: False,
) -> None:
    """Run ``executions`` in order, calling ``report(execution, result)`` for each.

    ``executions`` may be a lazy iterable (a queue): the next one is taken
    when the current one begins. Once ``stopped()`` is true, nothing else
    starts. Runs in a context and event loop of its own (see ``run_execution``).
    """
    contextvars.Context().run(_chain, executions, report, stopped)


def _chain(
    executions: Iterable[Execution],
    report: Callable[[Execution, ExecutionResult], None],
    stopped: Callable[[], bool],
) -> None:
    kernels = Kernels()
    pending = iter(executions)
    try:
        current = next(pending, None)
        km = kernels.start(current) if current is not None else None
        while current is not None and not stopped():
            following = next(pending, None)
            ahead = kernels.start(following) if following is not None else None
            result = run_with_kernel(current, km)
            kernels.retire(km)
            report(current, result)
            current, km = following, ahead
    finally:  # also on an interrupt: no kernel of this worker outlives it
        kernels.close()
        close_thread_loop()


class Kernels:
    """The kernels a worker started: ahead of their execution, running, or shutting down."""

    def __init__(self) -> None:
        self._active: list[Any] = []  # started, not yet retired
        self._retiring: list[Any] = []

    def start(self, execution: Execution) -> Any | None:
        """A kernel started for ``execution``, or None: papermill then starts its own."""
        km = None
        try:
            kernel, _ = notebook_kernel(execution.input_path)
            km = kernel_manager_class()(
                kernel_name=execution.kernel_name or kernel,
                config=manager_config(execution, deadline=False),
            )
            self._active.append(km)
            _wait(km.start_kernel(cwd=execution.cwd, extra_arguments=list(HISTORY_ARGUMENTS)))
        except Exception:  # a bad kernelspec, no ports: the execution's own start says why
            if km is not None:
                self.retire(km)
            return None
        return km

    def retire(self, km: Any | None) -> None:
        """Ask ``km``'s kernel to exit; it is waited for later (``reap``, ``close``)."""
        if km is None:
            return
        if km in self._active:
            self._active.remove(km)
        with contextlib.suppress(Exception):  # already gone: close() reaps or kills it
            km.stop_clients()
            if km.has_kernel:
                _wait(km.request_shutdown())
        self._retiring.append(km)
        self.reap()

    def reap(self) -> None:
        """Release the kernels that have exited since they were asked to."""
        still = []
        for km in self._retiring:
            if km.has_kernel and _wait(km.is_alive()):
                still.append(km)
            else:
                _finish(km, 0.0)
        self._retiring = still

    def close(self) -> None:
        """Kill the kernels still active (a stop or an interrupt left them) and wait for
        the retiring ones (at most ``SHUTDOWN_WAIT`` each, then killed)."""
        for km in self._active:
            with contextlib.suppress(Exception):
                km.stop_clients()
                _wait(km.shutdown_kernel(now=True))
        for km in self._retiring:
            _finish(km, SHUTDOWN_WAIT)
        self._active, self._retiring = [], []


def _finish(km: Any, waittime: float) -> None:
    """Reap ``km``'s process (waiting up to ``waittime``, then killing it) and free its ports."""
    with contextlib.suppress(Exception):
        if km.has_kernel and waittime > 0:
            _wait(km.finish_shutdown(waittime=waittime))
        elif km.has_kernel:  # reap() saw it exit
            _wait(km.provisioner.wait())
    with contextlib.suppress(Exception):
        _wait(km.cleanup_resources())


def _wait(awaitable: Any) -> Any:
    """Run a kernel manager's coroutine on this context's loop (the one papermill uses)."""
    from jupyter_core.utils import ensure_event_loop

    return ensure_event_loop().run_until_complete(awaitable)
