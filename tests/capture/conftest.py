"""Fixtures of the capture tests: a throwaway git repository."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

#: ``git(repo, *args)``: run one git command in ``repo`` with a fixed identity.
GitRunner = Callable[..., None]


def _run_git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def git() -> GitRunner:
    return _run_git


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh repository with one commit, and the cwd inside it."""
    root = tmp_path / "repo"
    root.mkdir()
    _run_git(root, "init", "-q", "-b", "main")
    (root / "model.py").write_text("alpha = 1\n")
    _run_git(root, "add", "model.py")
    _run_git(root, "commit", "-q", "-m", "first")
    monkeypatch.chdir(root)
    return root
