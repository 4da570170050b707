"""Transactions on a SQL store's one connection: errors as one line, retries bounded.

Every write goes through :meth:`Transactions._transact`: one transaction that
bumps ``meta.revision``, tried again with jittered backoff while the backend
says a retry may succeed (PostgreSQL's serialization failures, deadlocks, a
key another writer inserted first, a lost connection once a new one opens),
for at most :data:`RETRY_FOR` seconds, so concurrent writers never see a lock
error. A backend supplies the connection and the hooks below.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

from nbtrail.errors import StoreError

RETRY_FOR = 30.0  # seconds a write keeps retrying what a busy database refused
T = TypeVar("T")


class Cursor(Protocol):
    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Connection(Protocol):
    """What the queries need of a connection (sqlite3's, or the psycopg wrapper)."""

    def execute(self, sql: str, args: Sequence[Any] = ..., /) -> Cursor: ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]], /) -> Any: ...


class Transactions:
    """The connection's transactions and reads; subclasses open the connection."""

    shown: str
    _conn: Connection
    _lock: threading.RLock

    # -- what a backend supplies ------------------------------------------------
    def _begin(self) -> None:
        raise NotImplementedError

    def _commit(self) -> None:
        raise NotImplementedError

    def _rollback(self) -> None:
        raise NotImplementedError

    def _why(self, exc: Exception) -> str:
        """The database's error as one plain line."""
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__

    def _db_error(self, exc: BaseException) -> bool:
        """Whether ``exc`` is this database's error (turned into StoreError)."""
        raise NotImplementedError

    def _retryable(self, exc: BaseException) -> bool:
        """Whether a write that failed with ``exc`` may succeed if simply tried again
        (a backend may reconnect first)."""
        return False

    def _reconnect_if_broken(self) -> bool:
        """Open a new connection if the last one was lost (a database restart); whether it did."""
        return False

    # -- transactions -----------------------------------------------------------
    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction that bumps the revision; errors become StoreError."""
        with self._lock:
            try:
                self._begin()
            except Exception as exc:
                if not self._db_error(exc):
                    raise
                raise StoreError(
                    f"cannot write to the store at {self.shown}: {self._why(exc)}"
                ) from exc
            try:
                yield self._conn
                self._conn.execute(
                    "UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) "
                    "WHERE key = 'revision'"
                )
                self._commit()
            except Exception as exc:
                self._rollback()
                if not self._db_error(exc):
                    raise
                raise StoreError(
                    f"cannot write to the store at {self.shown}: {self._why(exc)}"
                ) from exc
            except BaseException:
                self._rollback()
                raise

    def _transact(self, work: Callable[[Connection], T]) -> T:
        """``work`` in one write transaction, tried again (with backoff) while retryable."""
        deadline = time.monotonic() + RETRY_FOR
        delay = 0.01
        while True:
            try:
                with self._write() as conn:
                    return work(conn)
            except StoreError as exc:
                cause = exc.__cause__
                if cause is None or not self._retryable(cause):
                    raise
                if time.monotonic() + delay > deadline:
                    raise
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 1.0)

    def _read(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of one query; a lost connection is opened again and the query asked once more."""
        with self._lock:
            for attempt in range(2):
                try:
                    rows = self._conn.execute(sql, args).fetchall()
                    if rows and type(rows[0]) is not tuple:  # a driver's own row type
                        rows = [tuple(row) for row in rows]
                    return rows
                except Exception as exc:
                    if not self._db_error(exc):
                        raise
                    if attempt == 0 and self._reconnect_if_broken():
                        continue
                    raise StoreError(
                        f"cannot read the store at {self.shown}: {self._why(exc)}"
                    ) from exc
            raise AssertionError("unreachable")
