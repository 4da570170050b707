"""Where the store lives.

One setting decides it (``nbtrail.configure(store=...)``, else the
``NBTRAIL_STORE`` environment variable); without one, nbtrail finds the project's
``.nbtrail/`` folder the way git finds ``.git/``, so every notebook of a project
shares one store without configuration.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

STORE_ENV = "NBTRAIL_STORE"
OBJECTS_ENV = "NBTRAIL_OBJECTS"
STORE_DIRNAME = ".nbtrail"

_configured: str | None = None
_configured_objects: str | None = None


def configure(
    store: str | os.PathLike[str] | None = None,
    *,
    objects: str | os.PathLike[str] | None = None,
    secret_patterns: Iterable[str] | None = None,
) -> None:
    """Point this process at a store (a folder or a URL); ``None`` resets.

    ``objects``: where a database store (PostgreSQL) keeps its objects, a path
    or an fsspec URL (else ``$NBTRAIL_OBJECTS``, else the project's
    ``.nbtrail/objects``); a SQLite store keeps them beside its database.

    ``secret_patterns``: extra regular expressions for names whose values are
    stored redacted (added to the built-in ones and ``$NBTRAIL_SECRET_PATTERNS``;
    see :mod:`nbtrail.capture.secrets`); ``[]`` drops the extra patterns. Given
    alone, either leaves the store setting as it is.
    """
    global _configured, _configured_objects
    if secret_patterns is not None:
        from nbtrail.capture.secrets import configure_patterns

        configure_patterns(list(secret_patterns))
    if objects is not None:
        _configured_objects = os.fspath(objects)
    if store is None and (objects is not None or secret_patterns is not None):
        return  # given alone, the store setting stays
    _configured = None if store is None else os.fspath(store)
    if store is None:
        _configured_objects = None


def store_location(cwd: str | os.PathLike[str] | None = None) -> str:
    """The store to use: configured, else ``$NBTRAIL_STORE``, else discovered."""
    if _configured:
        return _configured
    env = os.environ.get(STORE_ENV)
    if env:
        return env
    return str(discover_store_dir(Path(cwd) if cwd else Path.cwd()))


def objects_location(cwd: str | os.PathLike[str] | None = None) -> str:
    """Where a database store's objects are: configured, ``$NBTRAIL_OBJECTS``, or the project's."""
    if _configured_objects:
        return _configured_objects
    env = os.environ.get(OBJECTS_ENV)
    if env:
        return env
    return str(discover_store_dir(Path(cwd) if cwd else Path.cwd()) / "objects")


def is_url(location: str) -> bool:
    """Whether a store location is a database URL rather than a folder."""
    return "://" in location and not location.startswith("sqlite://")


def project_root(location: str, cwd: str | os.PathLike[str] | None = None) -> Path:
    """The folder notebook paths are recorded relative to.

    A folder store's parent; for a database store, shared by checkouts in
    different places, the project of the working directory (the folder holding
    the nearest ``.nbtrail/``, else the git root), so every checkout records
    ``analysis/train.ipynb`` alike.
    """
    if not is_url(location):
        return Path(location.removeprefix("sqlite://")).resolve().parent
    return discover_store_dir(Path(cwd) if cwd else Path.cwd()).parent


def local_store_folders(location: str) -> list[str]:
    """Folders on this machine the store writes (the file watcher ignores them)."""
    if not is_url(location):
        return [location.removeprefix("sqlite://")]
    objects = objects_location()
    return [] if "://" in objects else [objects]


def discover_store_dir(start: Path) -> Path:
    """Nearest ancestor holding ``.nbtrail/``, else the git root, else ``start``."""
    start = start.resolve()
    candidates = [start, *start.parents]
    for folder in candidates:
        if (folder / STORE_DIRNAME).is_dir():
            return folder / STORE_DIRNAME
    for folder in candidates:
        if (folder / ".git").exists():
            return folder / STORE_DIRNAME
    return start / STORE_DIRNAME
