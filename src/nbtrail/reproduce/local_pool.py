"""The local executor's worker processes, fed from one queue.

Each worker runs a chain (``kernels.run_chain``): it takes its next
execution as the current one begins, so that execution's kernel boots
meanwhile. Taking from a shared queue (not a fixed share per worker) keeps a
long execution from holding up the rest; a worker holds at most one
execution ahead.

The parent reads results as they come, and notices a worker that died: the
executions it had taken become failed results, the rest go on elsewhere.
Closing the generator early lets running executions end and starts nothing
new. Ctrl-C in a terminal reaches the workers too: each kills its kernels and
exits, and the parent reports what had finished.
"""

from __future__ import annotations

import contextlib
import os
import queue
from collections.abc import Iterator, Sequence
from typing import Any

from nbtrail.reproduce.engine import Execution, ExecutionResult

#: Seconds between checks that every worker is still alive.
POLL = 0.5


def worker_main(
    worker: int, tasks: Any, results: Any, stop: Any, environ: dict[str, str], cwd: str
) -> None:
    """A worker process: run what ``tasks`` hands out until its sentinel (None).

    ``environ`` and ``cwd`` are the parent's now: a worker from a fork server
    would otherwise have the server's, from when it started (the kernels
    inherit this environment).
    """
    from nbtrail.reproduce.imports import skip_slow_optional_imports

    skip_slow_optional_imports()
    from nbtrail.reproduce.kernels import run_chain

    os.environ.clear()
    os.environ.update(environ)
    os.chdir(cwd)

    positions: dict[int, int] = {}  # id(execution) -> its place in the parent's list

    def taken() -> Iterator[Execution]:
        while not stop.is_set():
            task = tasks.get()
            if task is None:
                return
            position, execution = task
            positions[id(execution)] = position
            results.put(("took", worker, position))
            yield execution

    def report(execution: Execution, result: ExecutionResult) -> None:
        results.put(("done", worker, (positions.pop(id(execution)), result)))

    # Ctrl-C reaches the whole process group: the worker stops quietly, the parent reports.
    with contextlib.suppress(KeyboardInterrupt):
        run_chain(taken(), report, stop.is_set)


def run_pool(
    executions: Sequence[Execution], workers: int, start_method: str
) -> Iterator[ExecutionResult]:
    """Yield one result per execution, in completion order."""
    import multiprocessing

    context: Any = multiprocessing.get_context(start_method)
    tasks, results, stop = context.Queue(), context.Queue(), context.Event()
    processes = [
        context.Process(
            target=worker_main,
            args=(n, tasks, results, stop, dict(os.environ), os.getcwd()),
            daemon=True,
        )
        for n in range(workers)
    ]
    for process in processes:  # before the queues start their feeder threads (fork)
        process.start()
    for position, execution in enumerate(executions):  # indexes need not be unique
        tasks.put((position, execution))
    for _ in processes:
        tasks.put(None)
    tracker = _Tracker(executions, len(processes))
    try:
        while tracker.left:
            try:
                message = results.get(timeout=POLL)
            except queue.Empty:
                exited = [process.exitcode is not None for process in processes]
                if any(exited):  # what it put before exiting is readable by now
                    for message in _pending(results):
                        yield from tracker.handle(message)
                    yield from tracker.lost(exited)
                continue
            yield from tracker.handle(message)
    finally:
        _stop(processes, tasks, results, stop)


def _pending(results: Any) -> Iterator[Any]:
    while True:
        try:
            yield results.get_nowait()
        except (queue.Empty, OSError, ValueError):
            return


class _Tracker:
    """Which executions are left, and which worker holds which."""

    def __init__(self, executions: Sequence[Execution], workers: int) -> None:
        self.executions = list(executions)
        self.left = set(range(len(self.executions)))
        self.held: list[set[int]] = [set() for _ in range(workers)]

    def handle(self, message: tuple[str, int, Any]) -> Iterator[ExecutionResult]:
        kind, worker, payload = message
        if kind == "took":
            self.held[worker].add(payload)
        elif kind == "done" and payload[0] in self.left:
            position, result = payload
            self.held[worker].discard(position)
            self.left.discard(position)
            yield result

    def lost(self, exited: list[bool]) -> Iterator[ExecutionResult]:
        """Failed results for what dead workers held (everything left once all are dead)."""
        from nbtrail.reproduce.executors import crashed

        lost = [i for worker, gone in enumerate(exited) if gone for i in self.held[worker]]
        if all(exited):
            lost = sorted(self.left)
        for position in lost:
            self.left.discard(position)
            for held in self.held:
                held.discard(position)
            yield crashed(self.executions[position], RuntimeError("the worker process exited"))


def _stop(processes: list[Any], tasks: Any, results: Any, stop: Any) -> None:
    """Start nothing new; wait for running executions (a second interrupt kills)."""
    stop.set()
    for _ in _pending(tasks):  # what no worker took yet
        pass
    for _ in processes:  # wakes a worker waiting for its next execution
        tasks.put(None)
    try:
        while any(process.is_alive() for process in processes):
            for _ in _pending(results):  # a worker exits once what it put is read
                pass
            for process in processes:
                process.join(timeout=0.05)
    except KeyboardInterrupt:
        for process in processes:
            process.terminate()
        raise
