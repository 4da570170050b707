"""Git state: commit, branch, dirty flag and diff hash of the cwd's repository."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

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
