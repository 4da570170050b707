"""The nbtrail command: same store, one-line errors, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from nbtrail.records import Metric, Param, Run
from nbtrail.store import open_store


def nbtrail(*args: str, store: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nbtrail.cli", "--store", str(store), *args],
        capture_output=True,
        text=True,
    )


def fill(store_dir: Path) -> list[Run]:
    store = open_store(str(store_dir))
    runs = []
    for i, status in enumerate(["finished", "failed", "finished"]):
        run = Run(
            id=f"0000000000{i:02d}abcdef{i:04d}", name=f"fit-{i}", status=status,  # type: ignore[arg-type]
            started=time.time() + i, ended=time.time() + i + 1, notebook="nb.ipynb",
            source=f"fit({i})\n", source_hash=f"{i}" * 32, params=(Param("depth", i),),
            metrics=(Metric("acc", 0.5 + i / 10),),
        )  # fmt: skip
        store.save_run(run)
        runs.append(run)
    return runs


def test_runs_show_and_diff(tmp_path: Path) -> None:
    runs = fill(tmp_path / ".nbtrail")
    listed = nbtrail("runs", store=tmp_path / ".nbtrail")
    assert listed.returncode == 0
    assert [line.split()[1] for line in listed.stdout.splitlines()[2:]] == [
        "fit-2",
        "fit-1",
        "fit-0",
    ]
    failed = json.loads(
        nbtrail("runs", "--status", "failed", "--json", store=tmp_path / ".nbtrail").stdout
    )
    assert [r["name"] for r in failed] == ["fit-1"]
    shown = nbtrail("show", runs[2].id[:12], store=tmp_path / ".nbtrail")
    assert shown.returncode == 0 and "fit-2" in shown.stdout and "depth" in shown.stdout
    diff = nbtrail("diff", runs[0].id, runs[2].id, store=tmp_path / ".nbtrail")
    assert "depth: 0 -> 2" in diff.stdout and "-fit(0)" in diff.stdout


def assert_one_line_error(result: subprocess.CompletedProcess[str], text: str) -> None:
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert text in result.stderr


def test_bad_input_is_one_line_and_loses_nothing(tmp_path: Path) -> None:
    store_dir = tmp_path / ".nbtrail"
    fill(store_dir)
    assert_one_line_error(nbtrail("show", "ffff", store=store_dir), "no run 'ffff'")
    assert_one_line_error(nbtrail("show", "00000000", store=store_dir), "ambiguous")
    assert_one_line_error(nbtrail("show", "zz!", store=store_dir), "hexadecimal")
    assert_one_line_error(nbtrail("runs", store=tmp_path / "missing"), "no nbtrail store")
    assert not (tmp_path / "missing").exists()
    assert nbtrail("runs", "--limit", "0", store=store_dir).returncode == 2
    assert open_store(str(store_dir)).count_runs() == 3
