"""Runs whose kernel died: a start record whose owner process is gone.

A tracked cell writes a start record (:mod:`nbtrail.store.journal`) before its
body runs, with its owner in ``extra.owner``: host, pid and the process's start
time (so a recycled pid is not mistaken for the kernel). Whoever opens or lists
the store later asks :func:`owner_alive` about each; a dead owner's run becomes
``interrupted``, keeping what was known at its start (source, inputs, params).
An owner on another host cannot be asked: its run stays in progress.
"""

from __future__ import annotations

import functools
import os
import socket
from typing import Any

#: What a reaped run's exception says (type, message).
DIED = ("KernelDied", "the kernel stopped before the cell finished (killed, crashed or restarted)")


@functools.cache
def this_owner() -> dict[str, Any]:
    """This process as the owner of the runs it starts (computed once)."""
    return {"host": socket.gethostname(), "pid": os.getpid(), "pid_started": _started(os.getpid())}


def owner_alive(owner: Any) -> bool:
    """Whether the process that started a run may still finish it.

    Unknown owners (records written before start records existed, other hosts)
    count as alive: a run is never marked interrupted on a guess.
    """
    if not isinstance(owner, dict) or not isinstance(owner.get("pid"), int):
        return True
    if owner.get("host") != socket.gethostname():
        return True
    pid = owner["pid"]
    if pid == os.getpid():
        return True
    alive, started = _process(pid)
    recorded = owner.get("pid_started")
    if not alive:
        return False
    if started is None or not isinstance(recorded, int | float):
        return True
    return abs(started - recorded) < 1.0  # else the pid was reused by another process


def _started(pid: int) -> float | None:
    return _process(pid)[1]


def _process(pid: int) -> tuple[bool, float | None]:
    """Whether a process runs (a zombie does not), and its start time when known."""
    try:
        import psutil

        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False, None
        return True, float(process.create_time())
    except ImportError:
        pass
    except Exception as exc:  # NoSuchProcess, AccessDenied
        if type(exc).__name__ in ("NoSuchProcess", "ZombieProcess"):
            return False, None
        return True, None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False, None
    except OSError:
        pass
    return True, None
