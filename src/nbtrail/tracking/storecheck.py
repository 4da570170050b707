"""Noticing a store that went away while a kernel holds it open.

``rm -rf .nbtrail`` (or a database file replaced, or the folder moved) leaves
the kernel's SQLite connection writing to a file nobody will ever read again.
The identity of the database file (device, inode) when the store was opened is
compared with what the path holds now: one ``stat`` per tracked cell.
"""

from __future__ import annotations

import os

from nbtrail.store import Store

DB_NAME = "nbtrail.db"


class StoreIdentity:
    """The (device, inode) of each open store's database file."""

    def __init__(self) -> None:
        self._ids: dict[str, tuple[str, tuple[int, int] | None]] = {}  # location -> db, id

    def remember(self, store: Store) -> None:
        path = _db_path(store.location)
        self._ids[store.location] = (path, _identity(path))

    def changed(self, store: Store) -> str | None:
        """How the store went away ("was deleted", "was replaced"), or None."""
        path, known = self._ids.get(store.location, ("", None))
        if known is None:  # not a file store, or never seen
            return None
        now = _identity(path)
        if now is None:
            return f"at {_shown(store.location)} was deleted or moved"
        if now != known:
            return f"at {_shown(store.location)} was replaced"
        return None


def _db_path(location: str) -> str:
    if "://" in location and not location.startswith("sqlite://"):
        return ""
    return os.path.join(location.removeprefix("sqlite://"), DB_NAME)


def _identity(path: str) -> tuple[int, int] | None:
    if not path:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def _shown(location: str) -> str:
    try:
        return os.path.relpath(location)
    except ValueError:
        return location
