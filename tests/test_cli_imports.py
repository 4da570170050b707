"""The reading commands start without the data stack.

``nbtrail runs`` is typed in a terminal many times a day; pandas, numpy,
pyarrow and Jupyter cost it more than everything else it does. Each command
runs in a fresh interpreter that reports, at exit, which of them it imported.
How long it takes is the benchmark's business (``benchmarks/cli.py``), not a test's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from test_cli import fill

HEAVY = ("pandas", "numpy", "pyarrow", "IPython", "papermill", "nbformat", "sklearn")

#: Runs the CLI's ``main`` then prints the heavy top-level packages it imported.
PROBE = """
import json, sys
from nbtrail.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exit:
    code = exit.code
loaded = sorted({name.split(".")[0] for name in sys.modules if sys.modules[name] is not None})
heavy = [n for n in loaded if n in HEAVY or n.startswith("jupyter")]
print("IMPORTED " + json.dumps({"code": code, "heavy": heavy}))
"""


def imported_by(*args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", f"HEAVY = {HEAVY!r}\n{PROBE}", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    line = [x for x in done.stdout.splitlines() if x.startswith("IMPORTED ")]
    assert line, done.stdout[-2000:] + done.stderr[-2000:]
    return json.loads(line[-1].removeprefix("IMPORTED "))  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    folder = tmp_path_factory.mktemp("cli-imports") / ".nbtrail"
    return folder, [run.id for run in fill(folder)]


@pytest.mark.parametrize("command", ["runs", "runs --json", "show", "diff"])
def test_reading_commands_import_no_data_stack(store: tuple[Path, list[str]], command: str) -> None:
    folder, ids = store
    args = command.split() + {"show": ids[:1], "diff": ids[:2]}.get(command, [])
    result = imported_by("--store", str(folder), *args)
    assert result["code"] == 0
    assert result["heavy"] == []


def test_the_probe_sees_heavy_imports(store: tuple[Path, list[str]]) -> None:
    """The check can fail: ``--help`` registers every group, and some import numpy."""
    folder, _ = store
    result = imported_by("--store", str(folder), "--help")
    assert result["code"] == 0
    assert "numpy" in result["heavy"]
