"""Environment snapshot: gatherers, the cache and RNG digests."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from nbtrail.capture.environment import (
    SKIP,
    EnvironmentCache,
    Gatherer,
    random_state,
    snapshot,
)
from nbtrail.capture.packages import normalize_name

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="no git binary")


def test_snapshot_has_host_facts_and_numpy_version() -> None:
    snap = snapshot()
    assert snap.python == ".".join(map(str, sys.version_info[:3]))
    assert snap.executable == sys.executable
    assert snap.cpu_count == os.cpu_count()
    assert snap.memory_bytes is None or snap.memory_bytes > 0
    assert snap.packages["numpy"] == np.__version__
    assert "scikit-learn" in snap.packages
    assert all(name == normalize_name(name) for name in snap.packages)


def test_same_environment_gives_same_hash() -> None:
    assert snapshot().hash == snapshot().hash
    assert len(snapshot().hash) == 32


def test_a_gatherer_can_opt_out_or_fail() -> None:
    def broken() -> int:
        raise RuntimeError("no such fact")

    gatherers = [
        Gatherer("python", lambda: "3.99"),
        Gatherer("memory_bytes", lambda: SKIP),
        Gatherer("cpu_count", broken),
    ]
    snap = snapshot(gatherers)
    assert (snap.python, snap.memory_bytes, snap.cpu_count) == ("3.99", None, 0)


@needs_git
def test_cache_sees_edits_commits_and_branches(repo: Path, git: Callable[..., None]) -> None:
    cache = EnvironmentCache()
    first = cache.get()
    assert cache.get() is first
    assert first.git["dirty"] is False

    (repo / "model.py").write_text("alpha = 2\n")
    cache.note_written([str(repo / "model.py")])  # as the tracker reports a cell's writes
    edited = cache.get()
    assert edited.git["dirty"] is True
    assert edited.hash != first.hash

    git(repo, "commit", "-q", "-am", "second")
    committed = cache.get()
    assert committed.git["commit"] != first.git["commit"]
    assert committed.git["dirty"] is False

    git(repo, "checkout", "-q", "-b", "other")
    assert cache.get().git["branch"] == "other"


def test_cache_refreshes_packages_when_a_dist_info_appears(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site-packages"  # where installs land; plain folders aren't watched
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    cache = EnvironmentCache()
    before = cache.get()
    assert "nbtrail-fake-pkg" not in before.packages

    (site / "NBTrail_Fake.pkg-1.2.3.dist-info").mkdir()
    after = cache.get()
    assert after.packages["nbtrail-fake-pkg"] == "1.2.3"
    assert after.hash != before.hash


def test_cached_get_rescans_nothing_when_nothing_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """How fast that is belongs to the benchmark; here: no work is redone."""
    import nbtrail.capture.packages as packages

    monkeypatch.chdir(tmp_path)
    cache = EnvironmentCache()
    first = cache.get()
    time.sleep(2.1)  # past the racy window: fresh folders are rescanned once more
    first = cache.get()
    scans: list[str] = []
    real_scan = packages._scan_folder
    monkeypatch.setattr(
        packages, "_scan_folder", lambda folder: scans.append(folder) or real_scan(folder)
    )
    assert all(cache.get() is first for _ in range(50))
    assert scans == []


def test_random_state_changes_when_randomness_is_drawn() -> None:
    random.seed(1)
    np.random.seed(1)
    seeded = random_state()
    assert set(seeded) == {"python", "numpy"}

    random.random()
    np.random.random()
    drawn = random_state()
    assert drawn["python"] != seeded["python"]
    assert drawn["numpy"] != seeded["numpy"]

    random.seed(1)
    np.random.seed(1)
    assert random_state() == seeded


def test_random_state_never_imports_numpy_random() -> None:
    code = (
        "import sys; from nbtrail.capture.environment import random_state; "
        "before = 'numpy.random' in sys.modules; state = random_state(); "
        "print(before == ('numpy.random' in sys.modules), before == ('numpy' in state))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True"]
