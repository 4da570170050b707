"""The embedded store: SQLite in WAL mode plus a content-addressed object folder.

WAL lets the sidebar, the CLI and other kernels read while a kernel writes;
every run is one ``BEGIN IMMEDIATE`` transaction, so a tracked cell never waits
on more than that, and concurrent writers (sweep workers) queue on SQLite's
lock (a 30 s busy timeout) instead of losing rows. The queries themselves are
:class:`~nbtrail.store.sqlstore.SqlStore`'s, shared with PostgreSQL.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

from nbtrail.errors import StoreError, StoreNotFound
from nbtrail.records import EnvSnapshot, Run
from nbtrail.store.base import FileKey
from nbtrail.store.dialect import SQLITE
from nbtrail.store.journal import Journal
from nbtrail.store.objects import ObjectFolder
from nbtrail.store.schema import migrate
from nbtrail.store.sqlstore import SqlStore

DB_NAME = "nbtrail.db"
GITIGNORE = "# Created by nbtrail: the run store stays out of version control.\n*\n"


class SQLiteStore(SqlStore):
    dialect = SQLITE

    def __init__(self, folder: str | Path, *, create: bool = True) -> None:
        self.folder = Path(folder)
        self.location = self.shown = str(self.folder)
        db_path = self.folder / DB_NAME
        if not db_path.exists():
            if not create:
                raise StoreNotFound(
                    f"no nbtrail store at {self.folder} (run a %%track cell first, "
                    "or set NBTRAIL_STORE)"
                )
            self._create_folder()
        self.objects = ObjectFolder(self.folder / "objects")
        self.journal = Journal(self.folder)
        self._lock = threading.RLock()
        try:
            conn = sqlite3.connect(
                db_path, isolation_level=None, check_same_thread=False, timeout=30.0
            )
            self._conn = conn
            conn.execute("PRAGMA busy_timeout = 30000")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            migrate(conn, self.location)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the store at {self.folder}: {exc}") from exc
        self._reap_quietly()

    def _create_folder(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text(GITIGNORE)
        except OSError as exc:
            raise StoreError(f"cannot create the store at {self.folder}: {exc}") from exc

    # -- the connection ---------------------------------------------------------
    def _begin(self) -> None:
        self._conn.execute("BEGIN IMMEDIATE")

    def _commit(self) -> None:
        self._conn.execute("COMMIT")

    def _rollback(self) -> None:
        """Roll back what is left: SQLite already rolled back after a full disk."""
        assert isinstance(self._conn, sqlite3.Connection)
        if self._conn.in_transaction:
            with suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")

    def _db_error(self, exc: BaseException) -> bool:
        return isinstance(exc, sqlite3.Error)

    def _why(self, exc: Exception) -> str:
        """SQLite's message, plainer where it matters: a full disk says so."""
        code = getattr(exc, "sqlite_errorcode", None)
        if code == sqlite3.SQLITE_FULL or "disk is full" in str(exc):
            return "the disk is full (SQLite: database or disk is full)"
        return str(exc)

    # -- runs in progress: the journal ------------------------------------------
    def start_run(self, run: Run) -> None:
        """A start record in the journal (a small file, not a transaction)."""
        try:
            self.journal.start(run)
        except OSError as exc:
            raise StoreError(f"cannot write to the store at {self.folder}: {exc}") from exc

    def running_runs(self) -> list[Run]:
        return self.journal.live()

    def discard_start(self, run_id: str) -> None:
        with suppress(OSError):
            self.journal.end(run_id)

    def reap_interrupted(self) -> list[str]:
        """Save the runs of dead kernels as ``interrupted``; their ids.

        See :mod:`nbtrail.store.journal`: a directory listing and a read per live kernel.
        """
        saved = []
        for path, run in self.journal.dead():
            if run is not None:
                self._save_start_record(run)
                saved.append(run.id)
            path.unlink(missing_ok=True)
        return saved

    def save_run(
        self,
        run: Run,
        *,
        environment: EnvSnapshot | None = None,
        file_hashes: Sequence[tuple[FileKey, str]] = (),
    ) -> None:
        super().save_run(run, environment=environment, file_hashes=file_hashes)
        with suppress(OSError):
            self.journal.end(run.id)

    def close(self) -> None:
        with self._lock:
            assert isinstance(self._conn, sqlite3.Connection)
            self._conn.close()
        with suppress(OSError):
            self.journal.close()
