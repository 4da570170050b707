"""Installed packages: PEP 503 names, versions from folder names or metadata."""

from __future__ import annotations

from pathlib import Path

import pytest

from nbtrail.capture.packages import PackageIndex, installed_packages, normalize_name


def test_normalize_name_follows_pep_503() -> None:
    assert normalize_name("Foo.Bar__baz-Qux") == "foo-bar-baz-qux"
    assert normalize_name("scikit_learn") == "scikit-learn"


def test_version_is_read_from_metadata_when_the_folder_has_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = tmp_path / "legacy_thing.egg-info"
    info.mkdir()
    (info / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: legacy-thing\nVersion: 0.7\n\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert installed_packages()["legacy-thing"] == "0.7"


def test_unchanged_folders_are_not_rescanned() -> None:
    """Cold and cached timings are the benchmark's; here: the cache holds."""
    index = PackageIndex()
    first = index.get()
    assert ("numpy" in first and index.get() is first) or index.get() == first
