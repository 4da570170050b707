"""The shared store: the same queries on PostgreSQL, for a team or a sweep cluster.

``NBTRAIL_STORE=postgresql://user@host/db`` (psycopg 3, the ``postgres``
extra). The database holds what SQLite's file holds, with the same migration
numbers (the schema version is a ``meta`` row, where SQLite uses ``PRAGMA
user_version``); objects live in a folder configured beside it
(``NBTRAIL_OBJECTS``: a path or an fsspec URL, default the project's
``.nbtrail/objects``).

Differences from SQLite, each for a reason:

- Runs in progress are rows of a ``running`` table (the journal's record: the
  run at its start and its owner) rather than journal files: every machine
  sees them (``running_runs``), ``save_run`` deletes the row in the run's own
  transaction, and whoever lists the store on the owner's host saves a dead
  owner's run as ``interrupted``.
- Writers do not queue on one lock: a transaction that PostgreSQL aborts
  (a serialization failure, a deadlock, two writers of one new key) is tried
  again with backoff (``SqlStore._transact``); version numbers are taken under
  a table lock.
- The password is never shown: ``shown`` is the URL without it, and every
  message goes through it.
- Text with NUL characters (which PostgreSQL refuses) is escaped losslessly.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence
from contextlib import suppress
from typing import Any
from urllib.parse import quote

from nbtrail.config import objects_location
from nbtrail.errors import MissingExtra, StoreError, StoreNotFound, StoreTooNew
from nbtrail.records import EnvSnapshot, Run
from nbtrail.store.base import FileKey
from nbtrail.store.dialect import POSTGRES
from nbtrail.store.journal import start_record
from nbtrail.store.liveness import owner_alive, this_owner
from nbtrail.store.objects import open_objects
from nbtrail.store.schema import MIGRATIONS, POSTGRES_MIGRATIONS, SCHEMA_VERSION
from nbtrail.store.sql import dumps
from nbtrail.store.sqlstore import SqlStore, interrupted

CONNECT_TIMEOUT = 10  # seconds; an unreachable host is one line, not a hang
LOCK_TIMEOUT = 30  # seconds a statement waits for a lock before it fails
MIGRATION_LOCK = 0x6E62747261696C  # "nbtrail": one advisory lock for schema changes
# SQLSTATEs a transaction may simply be tried again after: serialization failure,
# deadlock, a unique key another writer inserted first (two savers of one run).
RETRYABLE = {"40001", "40P01", "23505"}


# PostgreSQL text cannot hold NUL; SQLite's can, and a cell's source or an
# exception message may. Text is escaped on the way in and back on the way out,
# losslessly: U+E000 (private use) introduces "0" for NUL, U+E000 for itself.
_ESCAPE = "\ue000"
_ESCAPED = re.compile(_ESCAPE + "(.)", re.S)


def _escape(text: str) -> str:
    if "\x00" not in text and _ESCAPE not in text:
        return text
    return text.replace(_ESCAPE, _ESCAPE * 2).replace("\x00", _ESCAPE + "0")


def _unescape(text: str) -> str:
    if _ESCAPE not in text:
        return text
    return _ESCAPED.sub(lambda m: "\x00" if m.group(1) == "0" else _ESCAPE, text)


def _register_text_escapes(conn: Any) -> None:
    from psycopg.types.string import StrDumperUnknown, TextBinaryLoader, TextLoader

    class Dumper(StrDumperUnknown):
        def dump(self, obj: str) -> Any:
            return super().dump(_escape(obj))

    class Loader(TextLoader):
        def load(self, data: Any) -> Any:
            value = super().load(data)
            return _unescape(value) if isinstance(value, str) else value

    class BinaryLoader(TextBinaryLoader):
        def load(self, data: Any) -> Any:
            value = super().load(data)
            return _unescape(value) if isinstance(value, str) else value

    conn.adapters.register_dumper(str, Dumper)
    conn.adapters.register_loader("text", Loader)
    conn.adapters.register_loader("text", BinaryLoader)


class _Connection:
    """psycopg's connection as the queries see it: ``?`` placeholders, tuples back."""

    def __init__(self, conn: Any) -> None:
        self.raw = conn

    def execute(self, sql: str, args: Sequence[Any] = ()) -> Any:
        return self.raw.execute(POSTGRES.sql(sql), tuple(args))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        rows = list(rows)
        if rows:
            with self.raw.cursor() as cursor:
                cursor.executemany(POSTGRES.sql(sql), rows)


class PostgresStore(SqlStore):
    dialect = POSTGRES
    _conn: _Connection
    _pipeline: Any = None

    def __init__(self, url: str, *, create: bool = True, objects: str | None = None) -> None:
        try:
            import psycopg
            from psycopg.conninfo import conninfo_to_dict
        except ImportError as exc:
            raise MissingExtra(
                "a PostgreSQL store needs psycopg: pip install 'nbtrail[postgres]'"
            ) from exc
        self._psycopg = psycopg
        self.location = url
        try:
            self._params = conninfo_to_dict(url)
        except psycopg.Error as exc:
            raise StoreError(f"not a PostgreSQL URL: {_without_password(str(exc), url)}") from exc
        self._password = str(self._params.get("password") or "")
        self.shown = _shown(self._params)
        self._lock = threading.RLock()
        self._conn = _Connection(self._connect())
        try:
            self._migrate(create)
        except BaseException:
            self.close()
            raise
        self.objects = open_objects(objects or objects_location())
        self._reap_quietly()

    # -- the connection ---------------------------------------------------------
    def _connect(self) -> Any:
        params: dict[str, Any] = {"connect_timeout": CONNECT_TIMEOUT, "application_name": "nbtrail"}
        params.update(self._params)
        try:
            conn = self._psycopg.connect(autocommit=True, **params)
        except self._psycopg.Error as exc:
            raise StoreError(
                f"cannot connect to the store at {self.shown}: {self._why(exc)}"
            ) from exc
        _register_text_escapes(conn)
        # A lock held by a stuck session ends in an error, never in a hang.
        conn.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}s'")
        return conn

    def _reconnect_if_broken(self) -> bool:
        if not (self._conn.raw.closed or self._conn.raw.broken):
            return False
        try:
            self._conn = _Connection(self._connect())
        except StoreError:
            return False
        return True

    # A write transaction is one psycopg pipeline: BEGIN, the statements, the
    # revision and COMMIT go out together and cost one round trip, not one each
    # (a statement whose result is read, such as a version number, syncs there).
    def _begin(self) -> None:
        self._reconnect_if_broken()
        self._pipeline = self._conn.raw.pipeline()
        self._pipeline.__enter__()
        try:
            self._conn.execute("BEGIN")
        except BaseException:
            self._rollback()  # closes the pipeline too
            raise

    def _commit(self) -> None:
        self._conn.execute("COMMIT")
        pipeline, self._pipeline = self._pipeline, None
        if pipeline is not None:
            pipeline.__exit__(None, None, None)  # sends and raises what failed

    def _rollback(self) -> None:
        pipeline, self._pipeline = self._pipeline, None
        if pipeline is not None:
            with suppress(self._psycopg.Error):
                pipeline.__exit__(None, None, None)
        with suppress(self._psycopg.Error):
            if not self._conn.raw.closed and self._conn.raw.info.transaction_status != 0:
                self._conn.execute("ROLLBACK")

    def _db_error(self, exc: BaseException) -> bool:
        return isinstance(exc, self._psycopg.Error)

    def _retryable(self, exc: BaseException) -> bool:
        if self._conn.raw.broken or self._conn.raw.closed:
            # The connection was lost: a new one may do. If none can be opened the
            # server is away, and the cell should hear so now, not in 30 s.
            return self._reconnect_if_broken()
        return getattr(exc, "sqlstate", None) in RETRYABLE

    def _why(self, exc: Exception) -> str:
        """psycopg's message as one line, without the server/port preamble or the password."""
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        text = lines[0] if lines else type(exc).__name__
        text = text.removeprefix("connection failed: ")
        if text.startswith("connection to server") and "failed: " in text:
            text = text.split("failed: ", 1)[1]
        text = text.replace("FATAL:  ", "")
        return _without_password(text, self._password)

    # -- the schema -------------------------------------------------------------
    def _version(self) -> int:
        # The catalog as a table, read with this statement's snapshot: to_regclass
        # reads a cache that can miss a table another migrator just committed.
        rows = self._read(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables "
            "WHERE schemaname = current_schema() AND tablename = 'meta')"
        )
        if not rows[0][0]:
            return 0
        rows = self._read("SELECT value FROM meta WHERE key = 'schema_version'")
        return int(rows[0][0]) if rows else 0

    def _migrate(self, create: bool) -> None:
        """Bring the database to SCHEMA_VERSION in one transaction, or refuse a newer one."""
        version = self._version()
        self._refuse_newer(version)
        if version == SCHEMA_VERSION:
            return
        if version == 0 and not create:
            raise StoreNotFound(
                f"no nbtrail store in the database {self.shown} (run a %%track cell first)"
            )
        with self._lock:
            try:
                self._conn.execute("BEGIN")
                self._conn.execute("SELECT pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))
                version = self._version()  # another process may have migrated meanwhile
                self._refuse_newer(version)
                for number in range(version + 1, SCHEMA_VERSION + 1):
                    script = POSTGRES_MIGRATIONS.get(number, MIGRATIONS[number - 1])
                    for statement in POSTGRES.ddl(script).split(";"):
                        if statement.strip():
                            self._conn.execute(statement)
                self._conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (str(SCHEMA_VERSION),),
                )
                self._conn.execute("COMMIT")
            except self._psycopg.Error as exc:
                self._rollback()
                raise StoreError(
                    f"cannot set up the store at {self.shown}: {self._why(exc)}"
                ) from exc
            except BaseException:
                self._rollback()
                raise

    def _refuse_newer(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            self._rollback()
            raise StoreTooNew(
                f"the store at {self.shown} has schema version {version}, newer than this "
                f"nbtrail understands ({SCHEMA_VERSION}); upgrade nbtrail to use it"
            )

    # -- runs in progress: rows of their own ----------------------------------
    def start_run(self, run: Run) -> None:
        """A row in ``running`` (the journal's record: the run at its start, its owner)."""
        record = dumps({"owner": this_owner(), "run": start_record(run)})
        self._transact(
            lambda conn: conn.execute(
                "INSERT INTO running (run_id, record) VALUES (?, ?) "
                "ON CONFLICT (run_id) DO UPDATE SET record = excluded.record",
                (run.id, record),
            )
        )

    def save_run(
        self,
        run: Run,
        *,
        environment: EnvSnapshot | None = None,
        file_hashes: Sequence[tuple[FileKey, str]] = (),
    ) -> None:
        """The run, and its start record gone, in one transaction."""

        def write(conn: Any) -> None:
            self._insert_run(conn, run, environment, file_hashes)
            conn.execute("DELETE FROM running WHERE run_id = ?", (run.id,))

        self._transact(write)

    def discard_start(self, run_id: str) -> None:
        with suppress(StoreError):
            self._transact(
                lambda conn: conn.execute("DELETE FROM running WHERE run_id = ?", (run_id,))
            )

    def _started(self) -> list[tuple[Any, Run]]:
        """(owner, run) of every start record that parses."""
        out = []
        for (record,) in self._read("SELECT record FROM running"):
            with suppress(ValueError, KeyError, TypeError):
                data = json.loads(record)
                out.append((data["owner"], Run.from_dict(data["run"])))
        return out

    def running_runs(self) -> list[Run]:
        runs = [run for owner, run in self._started() if owner_alive(owner)]
        return sorted(runs, key=lambda run: run.id, reverse=True)

    def reap_interrupted(self) -> list[str]:
        """Save the start records whose owner (on this host) died as ``interrupted`` runs."""
        saved = []
        for owner, run in self._started():
            if not owner_alive(owner):
                self._save_start_record(interrupted(run))  # deletes the record in the same write
                saved.append(run.id)
        return saved

    def close(self) -> None:
        with self._lock, suppress(self._psycopg.Error):
            self._conn.raw.close()

    def __del__(self) -> None:
        # Surfaces open a store and drop it (CLI, server, widgets): the connection
        # goes with it, rather than through psycopg's "deleted while open" warning.
        conn = getattr(self, "_conn", None)
        if conn is not None:
            with suppress(Exception):
                conn.raw.close()


def _shown(params: dict[str, Any]) -> str:
    """``postgresql://user@host:port/db``: enough to name the store, never the password."""
    user = quote(str(params.get("user") or ""), safe="")
    host = str(params.get("host") or params.get("hostaddr") or "localhost")
    port = params.get("port")
    where = f"{host}:{port}" if port else host
    database = params.get("dbname") or ""
    return f"postgresql://{user + '@' if user else ''}{where}/{database}"


def _without_password(text: str, password: str) -> str:
    return text.replace(password, "***") if password else text
