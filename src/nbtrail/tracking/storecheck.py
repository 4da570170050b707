"""Noticing a store that went away while a kernel holds it open.

``rm -rf .nbtrail`` (or a database file replaced, or the folder moved) leaves
the kernel's SQLite connection writing to a file nobody will ever read again.
The identity of the database file (device, inode) when the store was opened is
compared with what the path holds now: one ``stat`` per tracked cell.
"""

from __future__ import annotations

import os
from pathlib import Path

from nbtrail.store import Store

DB_NAME = "nbtrail.db"


class StoreIdentity:
    """The (device, inode) of each open store's database file."""

    def __init__(self) -> None:
        self._ids: dict[str, tuple[int, int] | None] = {}

    def remember(self, store: Store) -> None:
        self._ids[store.location] = _identity(store.location)

    def changed(self, store: Store) -> str | None:
        """How the store went away ("was deleted", "was replaced"), or None."""
        known = self._ids.get(store.location)
        if known is None:  # not a file store, or never seen
            return None
        now = _identity(store.location)
        if now is None:
            return f"at {_shown(store.location)} was deleted or moved"
        if now != known:
            return f"at {_shown(store.location)} was replaced"
        return None


def _identity(location: str) -> tuple[int, int] | None:
    if "://" in location and not location.startswith("sqlite://"):
        return None
    path = Path(location.removeprefix("sqlite://")) / DB_NAME
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
