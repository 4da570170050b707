"""Store backends, chosen by the location's URL scheme.

A plain path (or ``sqlite:///path``) is the embedded SQLite store;
``postgresql://`` (or ``postgres://``) the shared PostgreSQL store; other
backends register a factory under their scheme, papermill-style.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from nbtrail.config import store_location
from nbtrail.errors import StoreError
from nbtrail.store.base import FileKey, Store
from nbtrail.store.sqlite import SQLiteStore

__all__ = ["FileKey", "Store", "open_store", "register_backend"]

Factory = Callable[[str, bool], Store]

_BACKENDS: dict[str, Factory] = {}


def register_backend(scheme: str, factory: Factory) -> None:
    """Make ``scheme://...`` locations open through ``factory(location, create)``."""
    _BACKENDS[scheme] = factory


def _open_sqlite(location: str, create: bool) -> Store:
    path = location.removeprefix("sqlite://")
    return SQLiteStore(Path(path), create=create)


def _open_postgres(location: str, create: bool) -> Store:
    from nbtrail.store.postgres import PostgresStore  # psycopg only when asked for

    return PostgresStore(location, create=create)


register_backend("sqlite", _open_sqlite)
register_backend("postgresql", _open_postgres)
register_backend("postgres", _open_postgres)


def open_store(location: str | None = None, *, create: bool = True) -> Store:
    """Open the store at ``location`` (default: the configured or discovered one)."""
    location = location or store_location()
    scheme, sep, _ = location.partition("://")
    if not sep:
        return _open_sqlite(location, create)
    factory = _BACKENDS.get(scheme)
    if factory is None:
        known = ", ".join(sorted(_BACKENDS))
        shown = re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", location)  # never a password
        raise StoreError(f"unknown store scheme {scheme!r} in {shown!r} (known: {known})")
    return factory(location, create)
