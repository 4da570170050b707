"""Figure group: how fast the ``nbtrail`` command starts, against a bare interpreter.

``nbtrail runs`` is typed in a terminal many times a day, so its cost is
mostly start-up: the interpreter, nbtrail's imports, opening the store. The
baseline is ``python -c pass`` with the same interpreter, sampled in turn with
the command (bare, command, bare, ...) so the machine's load hits both alike.
Whether the reading commands import pandas, numpy, pyarrow or Jupyter is a
test's business (``tests/test_cli_imports.py``); here, how long they take.

Both run with bytecode caching on (``PYTHONDONTWRITEBYTECODE`` removed, the
cache in scratch through ``PYTHONPYCACHEPREFIX``), as for an installed
package whose ``.pyc`` files pip wrote: the interpreter's own standard
library is precompiled, so compiling nbtrail's sources on every start would
compare unlike with unlike.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.context import Context
from benchmarks.fill import synthetic_run
from benchmarks.timing import Figure, ratio_at_least

RUNS_IN_STORE = 200
REPEAT = {"full": 21, "quick": 5}
COMMANDS = {"runs": ["runs"], "show": ["show", "@last"]}


def command_line() -> list[str]:
    """The installed console script, as a user runs it (the module when not installed)."""
    script = Path(sys.executable).with_name("nbtrail")
    return [str(script)] if script.exists() else [sys.executable, "-m", "nbtrail.cli"]


def fill_store(folder: Path) -> Path:
    from nbtrail.store.sqlite import SQLiteStore

    store = SQLiteStore(folder)
    for n in range(RUNS_IN_STORE):
        store.save_run(synthetic_run(n))
    store.close()
    return folder


def cached_bytecode(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return env | {"PYTHONPYCACHEPREFIX": str(folder)}


def seconds(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def interleaved_ms(
    commands: dict[str, list[str]], repeat: int, env: dict[str, str]
) -> dict[str, float]:
    """Median ms of each command line, all sampled in turn after one warm-up each."""
    for argv in commands.values():
        seconds(argv, env)  # warm the file-system cache and write the .pyc files
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, argv in commands.items():
            samples[name].append(seconds(argv, env))
    return {name: statistics.median(values) * 1e3 for name, values in samples.items()}


def collect(ctx: Context) -> list[Figure]:
    store = fill_store(ctx.folder("cli") / ".nbtrail")
    base = [*command_line(), "--store", str(store)]
    lines = {"bare": [sys.executable, "-c", "pass"]}
    lines |= {name: base + args for name, args in COMMANDS.items()}
    env = cached_bytecode(ctx.folder("cli-pycache"))
    times = interleaved_ms(lines, REPEAT.get(ctx.sizes.name, 5), env)
    return [
        Figure(
            key=f"cli.{name}",
            title=f"nbtrail {' '.join(args)} ({RUNS_IN_STORE} runs in the store), ms",
            value=times[name],
            unit="ms",
            baseline=times["bare"],
            baseline_title="python -c pass, same interpreter, sampled in turn",
            checks=(ratio_at_least(1 / 8, "<= 8x a bare interpreter start"),),
            note=f"{times[name] / times['bare']:.1f}x the bare start",
            details={"command": lines[name], **times},
        )
        for name, args in COMMANDS.items()
    ]
