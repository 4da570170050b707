"""Git state: commit, branch, dirty flag and diff hash of the cwd's repository."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from nbtrail.capture._stamps import RACY_NS
from nbtrail.capture.git import git_state

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="no git binary")


def test_no_repository_gives_empty_git(tmp_path: Path) -> None:
    assert git_state(str(tmp_path)) == {}


@needs_git
def test_git_facts_of_a_clean_then_dirty_repo(repo: Path) -> None:
    clean = git_state()
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert clean["commit"] == head
    assert clean["branch"] == "main"
    assert clean["dirty"] is False

    (repo / "model.py").write_text("alpha = 2\n")
    dirty = git_state()
    assert dirty["dirty"] is True
    assert dirty["diff_hash"] != clean["diff_hash"]

    (repo / "model.py").write_text("alpha = 3\n")
    assert git_state()["diff_hash"] != dirty["diff_hash"]


@needs_git
def test_tracked_files_are_checked_once_per_interval_and_after_a_cells_write(
    repo: Path, git: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    from nbtrail.capture import git as git_module

    for i in range(20):
        (repo / f"part{i}.py").write_text(f"x = {i}\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "parts")
    git(repo, "status", "--short")  # git refreshes its index now, not during the test
    time.sleep(RACY_NS / 1e9 + 0.1)  # a probe of files this fresh is never trusted
    now = [100.0]
    cache = git_module.GitCache(clock=lambda: now[0])
    clean = cache.get()
    assert clean["dirty"] is False

    metadata = len(cache._probe.meta_files)  # type: ignore[union-attr]
    stated: list[int] = []
    real_stamp = git_module.stamp_of
    monkeypatch.setattr(git_module, "stamp_of", lambda p: stated.append(len(p)) or real_stamp(p))
    (repo / "model.py").write_text("alpha = 2\n")  # edited in place by another program
    now[0] += 0.5
    assert cache.get() is clean  # within the interval: metadata and top folder only
    assert stated == [metadata]

    now[0] += git_module.FULL_CHECK_SECONDS
    edited = cache.get()  # the interval is over: every tracked file
    assert edited["dirty"] is True

    (repo / "part3.py").write_text("x = 'changed by a cell'\n")
    cache.note_written([str(repo / "part3.py")])
    now[0] += 0.01
    assert cache.get()["diff_hash"] != edited["diff_hash"]  # at once

    git(repo, "commit", "-q", "-am", "second")
    now[0] += 0.01
    assert cache.get()["commit"] != clean["commit"]  # the index and refs: every call


@needs_git
def test_writes_outside_the_work_tree_do_not_force_a_full_check(repo: Path, tmp_path: Path) -> None:
    from nbtrail.capture import git as git_module

    now = [0.0]
    cache = git_module.GitCache(clock=lambda: now[0])
    cache.get()
    cache.note_written([str(tmp_path / "elsewhere.csv"), "/tmp/other.txt"])
    assert cache._wrote_inside is False
    cache.note_written([str(repo / "data.csv")])
    assert cache._wrote_inside is True
