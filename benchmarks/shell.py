"""A real IPython shell in this process, as a kernel would drive it.

Cells go through ``run_cell`` with events on (``silent=True`` would skip the
``pre_run_cell``/``post_run_cell`` hooks nbtrail lives in), so what is timed is
exactly the path a notebook cell takes, minus ZeroMQ.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.context import point_store


class CellFailed(RuntimeError):
    """A benchmark cell raised: its timing would be meaningless."""


def make_shell(store: Path) -> Any:
    from IPython.core.interactiveshell import InteractiveShell

    point_store(store)
    shell = InteractiveShell.instance()
    run(shell, "%load_ext nbtrail")
    return shell


def run(shell: Any, source: str) -> None:
    result = shell.run_cell(source, store_history=False)
    if not result.success:
        raise CellFailed(f"benchmark cell failed: {source!r}: {result.error_in_exec!r}")


def runner(shell: Any, source: str) -> Any:
    """A zero-argument callable running ``source`` as one cell (for the timers)."""
    return lambda: run(shell, source)


def tracked(source: str) -> str:
    """The same cell under ``%%track``, summary line included (see :func:`muted`)."""
    return f"%%track\n{source}"


@contextmanager
def muted() -> Iterator[None]:
    """Send stdout and stderr (nbtrail's one summary line per run) to the null device.

    The line is still formatted and displayed, as in a kernel (a terminal shell
    prints displays to stdout); only the terminal is spared.
    """
    with (
        open(os.devnull, "w") as null,
        contextlib.redirect_stderr(null),
        contextlib.redirect_stdout(null),
    ):
        yield


def close_shell(shell: Any) -> None:
    from IPython.core.interactiveshell import InteractiveShell

    run(shell, "%unload_ext nbtrail")
    InteractiveShell.clear_instance()
