"""Installed distributions, read from the metadata folders on ``sys.path``.

Scanning folder names (``name-1.0.dist-info``) is much faster than
``importlib.metadata``; :class:`PackageIndex` re-scans only the folders whose
``stat`` fingerprint moved.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from typing import Any

from nbtrail.capture._stamps import is_racy

__all__ = ["PackageIndex", "installed_packages", "normalize_name", "package_sources"]

_NAME_RUN = re.compile(r"[-_.]+")


def normalize_name(name: str) -> str:
    """PEP 503 name: lowercase, every run of ``-``, ``_`` and ``.`` -> ``-``."""
    return _NAME_RUN.sub("-", name).lower()


def _metadata_version(path: str) -> str | None:
    """The ``Version:`` header of a METADATA / PKG-INFO file (or of the
    egg-info folder holding one); only needed when a folder name has none."""
    if os.path.isdir(path):
        candidates = [os.path.join(path, "METADATA"), os.path.join(path, "PKG-INFO")]
    else:
        candidates = [path]
    for candidate in candidates:
        try:
            with open(candidate, encoding="utf-8", errors="replace") as meta:
                for line in meta:
                    if not line.strip():
                        break  # end of the headers
                    if line.startswith("Version:"):
                        return line.split(":", 1)[1].strip()
        except OSError:
            continue
    return None


def _parse_dist_folder(folder: str, entry_name: str) -> tuple[str, str] | None:
    """``name-1.0.dist-info`` / ``name-1.0-py3.11.egg-info`` -> (name, version)."""
    for suffix in (".dist-info", ".egg-info"):
        if entry_name.endswith(suffix):
            stem = entry_name[: -len(suffix)]
            break
    else:
        return None
    name, _, rest = stem.partition("-")
    version = rest.split("-", 1)[0] or _metadata_version(os.path.join(folder, entry_name))
    if not name or not version:
        return None
    return normalize_name(name), version


def _scan_folder(folder: str) -> tuple[dict[str, str], dict[str, str]]:
    """Distributions whose metadata folder sits directly in ``folder``, and where
    those not installed from an index came from (see :func:`direct_source`)."""
    found: dict[str, str] = {}
    sources: dict[str, str] = {}
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                parsed = _parse_dist_folder(folder, entry.name)
                if parsed is not None and parsed[0] not in found:
                    found[parsed[0]] = parsed[1]
                    source = direct_source(os.path.join(folder, entry.name))
                    if source:
                        sources[parsed[0]] = source
    except OSError:
        pass
    return found, sources


def direct_source(dist_info: str) -> str | None:
    """Where a distribution was installed from when not from an index (PEP 610).

    pip writes ``direct_url.json`` for installs from a path, a URL or a VCS;
    a rebuilt environment needs that, not a version an index may not have.
    """
    path = os.path.join(dist_info, "direct_url.json")
    if not os.path.exists(path):
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        url = str(data["url"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    vcs = data.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs"):
        return f"{vcs['vcs']}+{url}@{vcs.get('commit_id', '')}".rstrip("@")
    editable = (data.get("dir_info") or {}).get("editable")
    return f"editable {url}" if editable else url


def _metadata_fallback() -> dict[str, str]:
    """``importlib.metadata`` view, used only when scanning found nothing
    (zipped or unusual installs)."""
    from importlib import metadata

    found: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name and normalize_name(name) not in found:
            found[normalize_name(name)] = dist.version
    return found


def _path_folders() -> list[str]:
    """Absolute ``sys.path`` folders in import order ('' is the cwd)."""
    return [os.path.abspath(entry or os.curdir) for entry in sys.path if isinstance(entry, str)]


class PackageIndex:
    """Installed distributions, re-scanned only for folders that changed.

    The fingerprint of a folder is its ``stat`` (mtime, link count, inode):
    adding or removing a ``*.dist-info`` folder changes it, and a ``stat`` costs
    about a microsecond where a scan costs milliseconds.
    """

    def __init__(self) -> None:
        self._folders: dict[str, tuple[tuple[int, int, int] | None, Any]] = {}
        self._fingerprint: tuple[Any, ...] = ()
        self._packages: dict[str, str] = {}
        self._sources: dict[str, str] = {}
        self._racy = True
        # sys.path folders that held no distribution when first scanned and are
        # not *-packages folders (the notebook's own folder, /tmp): they change
        # all the time and would make every check a rescan.
        self._plain: set[str] = set()

    def get(self) -> dict[str, str]:
        """Name -> version; the same dict object while nothing changed."""
        started = time.time_ns()
        fingerprint = []
        for folder in _path_folders():
            if folder in self._plain:
                continue
            try:
                st = os.stat(folder)
            except OSError:
                continue
            fingerprint.append((folder, st.st_mtime_ns, st.st_nlink, st.st_ino))
        fingerprint_t = tuple(fingerprint)
        if self._racy or fingerprint_t != self._fingerprint:
            self._packages = self._merge(fingerprint_t, started)
            self._fingerprint = fingerprint_t
        return self._packages

    def sources(self) -> dict[str, str]:
        """Name -> where it was installed from, for those not from an index (after ``get``)."""
        return self._sources

    def _merge(self, fingerprint: tuple[Any, ...], started: int) -> dict[str, str]:
        """First folder on ``sys.path`` wins, as it does for imports. A folder
        modified just now is cached without a stamp, so it is scanned again."""
        merged: dict[str, str] = {}
        sources: dict[str, str] = {}
        self._racy = False
        for folder, *rest in fingerprint:
            stamp: tuple[int, int, int] | None = (rest[0], rest[1], rest[2])
            cached = self._folders.get(folder)
            if cached is None or cached[0] != stamp:
                if is_racy([stamp], started):
                    stamp, self._racy = None, True
                cached = (stamp, _scan_folder(folder))
                self._folders[folder] = cached
                if not cached[1][0] and not folder.rstrip(os.sep).endswith("-packages"):
                    self._plain.add(folder)
            versions, found = cached[1]
            for name, version in versions.items():
                if name not in merged:
                    merged[name] = version
                    if name in found:
                        sources[name] = found[name]
        if not merged:
            merged = _metadata_fallback()
        self._sources = dict(sorted(sources.items()))
        return dict(sorted(merged.items()))


def installed_packages() -> dict[str, str]:
    """Installed distributions (normalised name -> version), uncached."""
    return PackageIndex().get()


def package_sources() -> dict[str, str]:
    """Distributions installed from a path, URL or VCS -> where from, uncached."""
    index = PackageIndex()
    index.get()
    return index.sources()
