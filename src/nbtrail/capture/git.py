"""Git state of the repository a run happened in: commit, branch, dirty flag
and the hash of ``git diff HEAD``.

:class:`GitCache` re-runs ``git`` only when the ``stat`` fingerprint of the
git metadata files or of a tracked file moved. The metadata files (``HEAD``,
the index, the branch ref) and the work tree's top folder are checked on every
call, a few ``stat`` calls; the tracked files (hundreds to thousands of them)
at most once per :data:`FULL_CHECK_SECONDS`, and at once after the tracker
reports that a cell wrote a file inside the work tree. Commits, checkouts,
staging, files created or renamed at the top (editors' atomic saves) and the
cells' own writes are therefore seen at the next cell; an edit made in place
by another program is seen within that second.
"""

from __future__ import annotations

import math
import os
import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import xxhash

from nbtrail.capture._stamps import is_racy, stamp_of

__all__ = ["GitCache", "GitProbe", "git_state"]

#: Seconds any single ``git`` command may take before it is abandoned.
GIT_TIMEOUT = 2.0
#: Seconds a check of every tracked file's ``stat`` is trusted for.
FULL_CHECK_SECONDS = 1.0


def _git(args: list[str], cwd: str) -> bytes | None:
    """Output of one ``git`` command, or None on any failure (no git binary,
    not a repository, timeout). Optional locks are off so that reading the
    state never contends with the user's own git commands."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _find_worktree(start: str) -> str | None:
    """Nearest folder at or above ``start`` holding a ``.git`` (dir or file)."""
    folder = os.path.abspath(start)
    while True:
        if os.path.exists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


@dataclass(frozen=True)
class GitProbe:
    """One full reading of a repository, with what is needed to tell cheaply
    whether it is still current: the git metadata files that move on commit,
    checkout or staging, and every tracked file (whose edits make it dirty)."""

    facts: dict[str, Any]
    meta_files: tuple[str, ...]
    tracked: tuple[str, ...]
    stamp: tuple[Any, ...]
    racy: bool = False
    top: str = ""

    @classmethod
    def read(cls, worktree: str) -> GitProbe | None:
        """Stamp first, facts second: a write racing the probe then shows up
        as a stamp change at the next check instead of being lost."""
        started = time.time_ns()
        dirs = _git(
            ["rev-parse", "--show-toplevel", "--absolute-git-dir", "--git-common-dir"], worktree
        )
        if dirs is None:
            return None
        top, git_dir, common = (os.fsdecode(line) for line in dirs.splitlines()[:3])
        common = os.path.join(top, common)  # no-op when already absolute
        branch = _git_text(["symbolic-ref", "-q", "--short", "HEAD"], top)
        meta = (
            os.path.join(git_dir, "HEAD"),
            os.path.join(git_dir, "index"),
            os.path.join(common, "packed-refs"),
            os.path.join(common, "refs", "heads", *(branch or "").split("/")),
            top,  # its mtime moves when a file is created, removed or renamed there
        )
        listed = _git(["ls-files", "-z"], top) or b""
        tracked = tuple(os.path.join(top, os.fsdecode(p)) for p in listed.split(b"\0") if p)
        stamp = stamp_of(meta + tracked)
        facts = _git_facts(top, branch)
        return cls(facts, meta, tracked, stamp, racy=is_racy(stamp, started), top=top)

    def is_current(self, *, full: bool = True) -> bool:
        """Whether nothing moved: the metadata files only, or (``full``) every tracked file too."""
        if self.racy:
            return False
        if not full:
            return stamp_of(self.meta_files) == self.stamp[: len(self.meta_files)]
        return stamp_of(self.meta_files + self.tracked) == self.stamp

    def holds(self, path: str) -> bool:
        """Whether ``path`` is inside this work tree."""
        return bool(self.top) and os.path.abspath(path).startswith(self.top + os.sep)


def _git_text(args: list[str], cwd: str) -> str | None:
    out = _git(args, cwd)
    return out.decode(errors="replace").strip() if out else None


def _git_facts(top: str, branch: str | None) -> dict[str, Any]:
    """Commit, branch, dirty flag and the hash of ``git diff HEAD``.

    ``dirty`` means uncommitted changes to tracked files (staged or not), i.e.
    exactly what the diff hash covers; untracked files do not count.
    """
    head = _git_text(["rev-parse", "--verify", "-q", "HEAD"], top)
    facts: dict[str, Any] = {"commit": head, "branch": branch}
    if head:
        diff = _git(["diff", "HEAD", "--no-color", "--no-ext-diff", "--binary"], top)
        if diff is not None:
            facts["dirty"] = bool(diff)
            facts["diff_hash"] = xxhash.xxh3_128_hexdigest(diff)
    return facts


def git_state(cwd: str | None = None) -> dict[str, Any]:
    """Git facts of the repository holding ``cwd``; ``{}`` outside one."""
    worktree = _find_worktree(cwd or os.getcwd())
    probe = GitProbe.read(worktree) if worktree else None
    return dict(probe.facts) if probe else {}


class GitCache:
    """Re-runs ``git`` only when the stat fingerprint of the repo moved (see the module)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._worktree: str | None = None
        self._probe: GitProbe | None = None
        self._empty: dict[str, Any] = {}
        self._clock = clock
        self._checked_at = -math.inf
        self._wrote_inside = False

    def get(self) -> dict[str, Any]:
        worktree = _find_worktree(os.getcwd())
        if worktree is None:
            return self._empty
        now = self._clock()
        full = self._wrote_inside or now - self._checked_at >= FULL_CHECK_SECONDS
        probe = self._probe
        if worktree != self._worktree or probe is None or not probe.is_current(full=full):
            self._probe = GitProbe.read(worktree)
            self._worktree = worktree
            full = True
        if full:
            self._checked_at, self._wrote_inside = now, False
        return self._probe.facts if self._probe else self._empty

    def note_written(self, paths: Iterable[str]) -> None:
        """Files a cell wrote: one inside the work tree makes the next check a full one."""
        probe = self._probe
        if probe is not None and any(probe.holds(path) for path in paths):
            self._wrote_inside = True
