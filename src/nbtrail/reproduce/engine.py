"""Execute one notebook with papermill, tracking on, in a fresh kernel.

``run_execution`` is what every executor calls (in this process, in a worker
process or on a Dask worker): it takes a picklable :class:`Execution` and
always returns an :class:`ExecutionResult`; it never raises, so one failing
notebook cannot take a batch down.

Two papermill pitfalls under parallelism are handled here. Kernels started
at the same moment can race for the same ZMQ ports (papermill issue 511):
the kernel dies before it answers ``kernel_info``, so a start that fails
before the first cell runs is retried. And a kernel that ignores the shutdown
request costs ``shutdown_wait_time / 2`` (2.5 s by default) before it is
terminated; the kernel manager here waits at most a second. Tracking writes
each run inside the cell's own execution, so nothing is lost by not waiting.

The kernel's environment (notebook path, batch and item, parent, store) is
given to the kernel manager through traitlets config instead of
``os.environ``, so concurrent executions in threads (Dask workers with
threads, the server's job manager) cannot see each other's variables.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import os
import random
import time
from dataclasses import dataclass, field
from typing import Any

#: Kernel start attempts before an execution is declared failed.
START_ATTEMPTS = 3
#: Seconds a kernel gets to exit after the shutdown request before SIGKILL.
SHUTDOWN_WAIT = 1.0


@dataclass(frozen=True)
class Execution:
    """Everything a worker needs to execute one notebook (picklable)."""

    input_path: str
    output_path: str
    cwd: str
    parameters: dict[str, Any]
    store: str
    notebook_file: str  # NBTRAIL_NOTEBOOK: the file the kernel reads cell ids from
    notebook_name: str | None = None  # recorded path, when the file is a snapshot copy
    batch: str | None = None
    parent: str | None = None
    index: int = 0
    kernel_name: str | None = None
    timeout: float | None = None  # per cell
    deadline: float | None = None  # seconds for the whole notebook, then it is interrupted
    start_timeout: float = 60.0
    env: dict[str, str] = field(default_factory=dict)
    kernel_dirs: tuple[str, ...] = ()  # searched first for kernel_name (an isolated env's)

    def kernel_env(self) -> dict[str, str]:
        """The NBTRAIL_* variables the kernel's tracker reads.

        Every one is set, empty when unused, so a kernel never inherits a
        stale value from the process that started it.
        """
        return {
            "NBTRAIL_STORE": self.store,
            "NBTRAIL_NOTEBOOK": self.notebook_file,
            "NBTRAIL_NOTEBOOK_NAME": self.notebook_name or "",
            "NBTRAIL_BATCH": self.batch or "",
            "NBTRAIL_PARENT": self.parent or "",
            "NBTRAIL_BATCH_ITEM": str(self.index) if self.batch else "",
            **self.env,
        }


@dataclass(frozen=True)
class ExecutionResult:
    index: int
    ok: bool
    output_path: str
    started: float
    ended: float
    error: str | None = None  # one line: "cell 3: ValueError: boom"
    attempts: int = 1

    @property
    def duration(self) -> float:
        return self.ended - self.started


class KernelStartFailed(RuntimeError):
    """The kernel died or timed out before the first cell ran."""


def run_execution(execution: Execution) -> ExecutionResult:
    """Execute ``execution``; failures become a result with ``ok=False``.

    It runs in an empty ``contextvars`` context: jupyter_core remembers its
    event loop in a context variable, and threads that inherit a copy of one
    context (Dask's worker threads do) would otherwise share one loop and
    collide ("This event loop is already running"). The loop made here is
    closed before returning.
    """
    return contextvars.Context().run(_run_in_own_loop, execution)


def _run_in_own_loop(execution: Execution) -> ExecutionResult:
    try:
        return run_with_kernel(execution)
    finally:
        close_thread_loop()


def run_with_kernel(execution: Execution, km: Any | None = None) -> ExecutionResult:
    """Execute ``execution`` on ``km``, a kernel already started for it (None: papermill's).

    The caller owns ``km``: papermill neither starts nor shuts it down. A
    started kernel that died before it answered counts as the first failed
    start; the retries start their own.
    """
    started = time.time()
    attempts = 0
    while True:
        attempts += 1
        try:
            _papermill(execution, km if attempts == 1 else None)
        except KernelStartFailed as exc:
            if attempts < START_ATTEMPTS:
                time.sleep(random.uniform(0.1, 0.5) * attempts)  # de-synchronise racers
                continue
            error = f"kernel did not start after {attempts} attempts: {exc}"
        except Exception as exc:
            error = describe_failure(exc)
            if execution.deadline is not None and time.time() - started >= execution.deadline:
                error = f"timed out after {execution.deadline:g} s ({error})"
        else:
            return ExecutionResult(
                execution.index, True, execution.output_path, started, time.time(), None, attempts
            )
        return ExecutionResult(
            execution.index, False, execution.output_path, started, time.time(), error, attempts
        )


def manager_config(execution: Execution, deadline: bool = True) -> Any:
    """The kernel manager's settings for ``execution`` (``deadline``: armed at its start)."""
    from traitlets.config import Config

    return Config(
        {
            "NbtrailKernelManager": {
                "extra_env": execution.kernel_env(),
                "kernel_log": execution.output_path.removesuffix(".ipynb") + ".kernel.log",
                "deadline": (execution.deadline or 0.0) if deadline else 0.0,
                "kernel_dirs": list(execution.kernel_dirs),
            }
        }
    )


def _papermill(execution: Execution, km: Any | None = None) -> None:
    import papermill

    state = {"started": False}

    def on_start(**_: Any) -> None:
        state["started"] = True

    kernel, language = notebook_kernel(execution.input_path)
    started = {"km": km} if km is not None else {}
    if km is not None and execution.deadline:
        km.arm_deadline(execution.deadline)  # from now, not from when the kernel started
    logging.getLogger("papermill").setLevel(logging.ERROR)
    try:
        papermill.execute_notebook(
            execution.input_path,
            execution.output_path,
            parameters=execution.parameters or None,
            kernel_name=execution.kernel_name or kernel,
            language=language,
            cwd=execution.cwd,
            progress_bar=False,
            log_output=False,
            start_timeout=execution.start_timeout,
            execution_timeout=execution.timeout,
            kernel_manager_class=kernel_manager_class(),
            on_notebook_start=on_start,
            config=manager_config(execution),
            **started,
        )
    except (RuntimeError, TimeoutError, OSError) as exc:
        # Before the first cell, these are a kernel that died or never answered.
        if not state["started"] and not _is_cell_error(exc):
            raise KernelStartFailed(f"{type(exc).__name__}: {exc}") from exc
        raise


def _is_cell_error(exc: BaseException) -> bool:
    from papermill.exceptions import PapermillExecutionError

    return isinstance(exc, PapermillExecutionError)


def notebook_kernel(path: str) -> tuple[str, str]:
    """The kernel and language the notebook names, else Python's.

    papermill needs both, and notebooks written by tools often carry neither.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            metadata = json.load(handle).get("metadata", {})
        spec, info = metadata.get("kernelspec", {}), metadata.get("language_info", {})
        name, language = spec.get("name"), info.get("name") or spec.get("language")
    except (OSError, ValueError, AttributeError):
        name = language = None
    return str(name or "python3"), str(language or "python")


def describe_failure(exc: BaseException) -> str:
    """One line: which cell raised what (papermill), else the exception."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}".rstrip(": ")
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")


def close_thread_loop() -> None:
    """Close the event loop jupyter_core made for this context, unless it runs."""
    from jupyter_core.utils import ensure_event_loop

    loop = ensure_event_loop()
    if not loop.is_running():
        loop.close()


_KM_CLASS: type | None = None


def kernel_manager_class() -> type:
    """An AsyncKernelManager with extra environment and a short shutdown.

    Built on first use so importing nbtrail never imports jupyter_client.
    """
    global _KM_CLASS
    if _KM_CLASS is None:
        from jupyter_client import AsyncKernelManager
        from jupyter_client.kernelspec import KernelSpecManager
        from traitlets import Dict, Float, List, Unicode, default

        class NbtrailKernelManager(AsyncKernelManager):
            extra_env = Dict(help="Variables added to the kernel's environment.").tag(config=True)
            shutdown_wait_time = Float(
                SHUTDOWN_WAIT, help="Seconds before a kernel that ignores shutdown is killed."
            ).tag(config=True)

            kernel_log = Unicode("", help="File for the kernel's own stdout/stderr.").tag(
                config=True
            )
            deadline = Float(
                0.0, help="Seconds after the start to interrupt the kernel (0: never)."
            ).tag(config=True)
            kernel_dirs = List(
                Unicode(), help="Kernelspec folders searched before Jupyter's own."
            ).tag(config=True)

            @default("kernel_spec_manager")
            def _kernel_spec_manager_default(self) -> KernelSpecManager:
                manager = KernelSpecManager(data_dir=self.data_dir)
                if self.kernel_dirs:
                    manager.kernel_dirs = [*self.kernel_dirs, *manager.kernel_dirs]
                return manager

            async def start_kernel(self, **kw: Any) -> None:  # type: ignore[override]
                env = dict(kw.pop("env", None) or os.environ)
                env.update(self.extra_env)
                if self.deadline > 0:
                    self.arm_deadline(self.deadline)
                if not self.kernel_log:
                    await super().start_kernel(env=env, **kw)
                    return
                # The kernel's banner and warnings would garble a sweep's progress
                # bar; keep them next to the executed notebook instead.
                with open(self.kernel_log, "ab") as log:
                    await super().start_kernel(env=env, stdout=log, stderr=log, **kw)

            def client(self, **kw: Any) -> Any:
                """A client, remembered: nbclient leaves a kernel it was given running
                and connected, and its owner (``kernels.Kernels``) closes both."""
                made = super().client(**kw)
                self.__dict__.setdefault("_nbtrail_clients", []).append(made)
                return made

            def stop_clients(self) -> None:
                for made in self.__dict__.pop("_nbtrail_clients", []):
                    made.stop_channels()

            def arm_deadline(self, seconds: float) -> None:
                """Interrupt the kernel ``seconds`` from now (on the loop that runs it)."""
                from jupyter_core.utils import ensure_event_loop

                try:
                    loop = asyncio.get_running_loop()
                except RuntimeError:  # armed between two papermill calls of this thread
                    loop = ensure_event_loop()
                loop.call_later(seconds, self._expire)

            def _expire(self) -> None:
                """Interrupt the running cell, and again each second until the kernel ends.

                Repeated because an interrupt landing between two cells is lost.
                """
                if self.has_kernel:
                    self._interrupting = asyncio.ensure_future(self.interrupt_kernel())
                    asyncio.get_running_loop().call_later(1.0, self._expire)

        _KM_CLASS = NbtrailKernelManager
    return _KM_CLASS
