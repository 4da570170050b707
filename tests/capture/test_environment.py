"""Environment snapshot: gatherers, secrets, git, the cache and RNG digests."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from nbtrail.capture import environment
from nbtrail.capture.environment import (
    SKIP,
    EnvironmentCache,
    Gatherer,
    git_state,
    installed_packages,
    is_secret_name,
    normalize_name,
    random_state,
    selected_env_vars,
    snapshot,
)

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="no git binary")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh repository with one commit, and the cwd inside it."""
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    (root / "model.py").write_text("alpha = 1\n")
    _git(root, "add", "model.py")
    _git(root, "commit", "-q", "-m", "first")
    monkeypatch.chdir(root)
    return root


def test_normalize_name_follows_pep_503() -> None:
    assert normalize_name("Foo.Bar__baz-Qux") == "foo-bar-baz-qux"
    assert normalize_name("scikit_learn") == "scikit-learn"


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


@pytest.mark.parametrize(
    "name",
    [
        "MY_API_TOKEN",
        "AWS_SECRET_ACCESS_KEY",
        "PASSWORD",
        "DB_PASSWD",
        "DB_PWD",
        "GITHUB_PAT",
        "NBTRAIL_TOKEN",
        "NBTRAIL_API_KEY",
        "session_cookie",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "PRIVATE_SSH",
        "HTTP_AUTHORIZATION",
    ],
)
def test_secret_names_are_recognised(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name", ["OMP_NUM_THREADS", "PYTHONHASHSEED", "CUDA_VISIBLE_DEVICES", "NBTRAIL_STORE", "PATH"]
)
def test_ordinary_names_are_not_secret(name: str) -> None:
    assert not is_secret_name(name)


def test_secret_env_vars_are_never_captured(monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = {
        "MY_API_TOKEN": "t0",
        "AWS_SECRET_ACCESS_KEY": "t1",
        "PASSWORD": "t2",
        "NBTRAIL_TOKEN": "t3",
        "OMP_NUM_THREADS_PASSWORD": "t4",
    }
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    monkeypatch.setenv("NUMEXPR_MAX_THREADS", "2")
    monkeypatch.setenv("NBTRAIL_STORE", "/somewhere")
    monkeypatch.setenv("PYTHONHASHSEED", "0")

    captured = snapshot().env_vars
    assert not set(secrets) & set(captured)
    assert not set(secrets.values()) & set(captured.values())
    assert captured["OMP_NUM_THREADS"] == "3"
    assert captured["NUMEXPR_MAX_THREADS"] == "2"
    assert captured["NBTRAIL_STORE"] == "/somewhere"
    assert captured["PYTHONHASHSEED"] == "0"


def test_unlisted_env_vars_are_not_captured() -> None:
    assert selected_env_vars({"HOME": "/h", "OMP_NUM_THREADS": "1"}) == {"OMP_NUM_THREADS": "1"}


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
def test_cache_sees_edits_commits_and_branches(repo: Path) -> None:
    cache = EnvironmentCache()
    first = cache.get()
    assert cache.get() is first
    assert first.git["dirty"] is False

    (repo / "model.py").write_text("alpha = 2\n")
    edited = cache.get()
    assert edited.git["dirty"] is True
    assert edited.hash != first.hash

    _git(repo, "commit", "-q", "-am", "second")
    committed = cache.get()
    assert committed.git["commit"] != first.git["commit"]
    assert committed.git["dirty"] is False

    _git(repo, "checkout", "-q", "-b", "other")
    assert cache.get().git["branch"] == "other"


def test_cache_refreshes_packages_when_a_dist_info_appears(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    cache = EnvironmentCache()
    before = cache.get()
    assert "nbtrail-fake-pkg" not in before.packages

    (site / "NBTrail_Fake.pkg-1.2.3.dist-info").mkdir()
    after = cache.get()
    assert after.packages["nbtrail-fake-pkg"] == "1.2.3"
    assert after.hash != before.hash


def test_version_is_read_from_metadata_when_the_folder_has_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = tmp_path / "legacy_thing.egg-info"
    info.mkdir()
    (info / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: legacy-thing\nVersion: 0.7\n\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert installed_packages()["legacy-thing"] == "0.7"


def test_cached_get_is_fast_when_nothing_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    cache = EnvironmentCache()
    cache.get()
    start = time.perf_counter()
    for _ in range(100):
        cache.get()
    per_call = (time.perf_counter() - start) / 100
    assert per_call < 0.005  # measured ~0.06 ms; generous for loaded CI machines


def test_cold_snapshot_packages_are_fast() -> None:
    start = time.perf_counter()
    environment.PackageIndex().get()
    assert time.perf_counter() - start < 0.1


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
