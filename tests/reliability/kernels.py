"""Real kernels to kill: started with jupyter_client, SIGKILLed by pid."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from jupyter_client.manager import KernelManager


@contextmanager
def kernel(cwd: Path, env: dict[str, str] | None = None) -> Iterator[tuple[KernelManager, Any]]:
    """A python3 kernel in ``cwd`` with nbtrail loaded; shut down (or reaped) after."""
    km = KernelManager(kernel_name="python3")
    km.start_kernel(cwd=str(cwd), env={**os.environ, **(env or {})})
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        run(kc, "%load_ext nbtrail")
        yield km, kc
    finally:
        kc.stop_channels()
        if km.is_alive():
            km.shutdown_kernel(now=True)
        else:
            km.cleanup_resources()


def run(kc: Any, code: str, timeout: float = 60) -> dict[str, Any]:
    """Execute and wait; the reply's content."""
    reply = kc.execute_interactive(code, timeout=timeout, output_hook=lambda msg: None)
    return dict(reply["content"])


def kill_when(km: KernelManager, ready: Callable[[], bool], timeout: float = 60) -> None:
    """SIGKILL the kernel process once ``ready()`` (polled) says so."""
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError("the condition to kill never came")
        time.sleep(0.02)
    pid = kernel_pid(km)
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while km.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)


def kernel_pid(km: KernelManager) -> int:
    return int(km.provisioner.process.pid)  # type: ignore[union-attr]
