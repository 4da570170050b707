"""The files a package index offers for exact versions (PEP 691 JSON simple API).

A lock file names the archives to install and their hashes; the snapshot
knows only names and versions, so the index is asked, as pip would ask it:
``GET {index}/{name}/`` with ``Accept: application/vnd.pypi.simple.v1+json``.
Any PEP 691 index works (PyPI, a mirror, a local one).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

DEFAULT_INDEX = "https://pypi.org/simple"
ACCEPT = "application/vnd.pypi.simple.v1+json"
#: Seconds for one index request; a lock of 200 packages asks 8 at a time.
TIMEOUT = 30.0
WORKERS = 8


@dataclass(frozen=True)
class IndexFile:
    filename: str
    url: str
    sha256: str
    wheel: bool


class IndexError_(Exception):
    """The index could not be asked (network, HTTP error, not PEP 691)."""


def index_url() -> str:
    """pip's setting when there is one, else PyPI."""
    return os.environ.get("PIP_INDEX_URL") or DEFAULT_INDEX


def version_files(index: str, name: str, version: str) -> list[IndexFile]:
    """Wheels and sdists of exactly ``name==version`` with a sha256; [] when none."""
    url = f"{index.rstrip('/')}/{canonicalize_name(name)}/"
    request = urllib.request.Request(url, headers={"Accept": ACCEPT})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            data = json.load(response)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return []
        raise IndexError_(f"{url}: HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise IndexError_(f"{url}: {getattr(exc, 'reason', exc)}") from None
    wanted = _version(version)
    found = []
    for item in data.get("files", ()):
        filename, sha = item.get("filename", ""), (item.get("hashes") or {}).get("sha256")
        if not sha or item.get("yanked"):
            continue
        parsed = _file_version(filename)
        if parsed is not None and wanted is not None and parsed[0] == wanted:
            found.append(IndexFile(filename, _absolute(url, item["url"]), sha, parsed[1]))
    return found


def many_version_files(index: str, pins: Iterable[tuple[str, str]]) -> dict[str, list[IndexFile]]:
    """:func:`version_files` for every pin, asked concurrently."""
    pins = list(pins)
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = pool.map(lambda pin: version_files(index, *pin), pins)
        return {name: files for (name, _), files in zip(pins, results, strict=True)}


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _file_version(filename: str) -> tuple[Version, bool] | None:
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)[1], True
        return parse_sdist_filename(filename)[1], False
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None


def _absolute(base: str, url: str) -> str:
    return urllib.parse.urljoin(base, url)
