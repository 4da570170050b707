"""The store's queries, written once for every SQL backend.

:class:`SqlStore` holds everything a run store asks of a database: saving a
run in one transaction, listing and paging, references, batches, the model
registry (:class:`~nbtrail.store.sqlite_models.ModelTables`). Its subclasses
only supply a connection and a :class:`~nbtrail.store.dialect.Dialect`:
:class:`~nbtrail.store.sqlite.SQLiteStore` (embedded, the default) and
:class:`~nbtrail.store.postgres.PostgresStore` (a shared database).

Connections speak ``execute(sql, args) -> cursor`` and ``executemany`` with
``?`` placeholders: sqlite3's own, or a translating wrapper for psycopg.
Every write goes through ``_transact`` (:mod:`nbtrail.store.transactions`).
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from collections import defaultdict
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import replace
from pathlib import Path
from typing import Any

from nbtrail.errors import BatchNotFound, StoreError
from nbtrail.records import (
    Artifact,
    Batch,
    Binding,
    EnvSnapshot,
    ExceptionInfo,
    Metric,
    Param,
    Reproduction,
    Run,
    RunQuery,
    RunsTable,
)
from nbtrail.store.base import FileKey, Store
from nbtrail.store.dialect import NO_LIMIT, Dialect
from nbtrail.store.filter_sql import param_number, param_text
from nbtrail.store.liveness import DIED
from nbtrail.store.objects import ObjectFolder, RemoteObjects
from nbtrail.store.references import RefKind, RunRef
from nbtrail.store.sql import (
    BATCH_COLUMNS,
    RUN_COLUMNS,
    RUN_TABLE_SQL_COLUMNS,
    batch_from_row,
    dumps,
    loads_many,
    metric_ordered_sql,
    normalized,
    reproduction_from_row,
    run_from_row,
    run_refs_sql,
    time_ordered_sql,
    where_clause,
)
from nbtrail.store.sqlite_manage import RunManagement
from nbtrail.store.sqlite_models import ModelTables
from nbtrail.store.transactions import Connection, Transactions

MAX_IN_IDS = 500  # a page this long is read by id; longer ones by their query
REAP_EVERY = 1.0  # seconds between looks for runs whose kernel died, while listing


class SqlStore(Transactions, RunManagement, ModelTables, Store):
    """A run store on a SQL database; subclasses open the connection."""

    dialect: Dialect
    objects: ObjectFolder | RemoteObjects
    _reaped_at: float = -math.inf

    # -- runs in progress -------------------------------------------------------
    def _reap_quietly(self) -> None:
        """Reap at most every REAP_EVERY seconds; a read-only store is left as it is."""
        if time.monotonic() - self._reaped_at < REAP_EVERY:
            return
        self._reaped_at = time.monotonic()
        with suppress(StoreError, OSError):  # a read-only store: left as it is
            self.reap_interrupted()

    def _save_start_record(self, run: Run) -> None:
        """Save a start record as it is, its environment (``extra.environment``) apart."""
        extra = dict(run.extra)
        env = extra.pop("environment", None)  # the kernel's first run carries it
        snapshot = EnvSnapshot(**env) if isinstance(env, dict) else None
        self.save_run(dataclasses.replace(run, extra=extra), environment=snapshot)

    # -- runs -------------------------------------------------------------
    def save_run(
        self,
        run: Run,
        *,
        environment: EnvSnapshot | None = None,
        file_hashes: Sequence[tuple[FileKey, str]] = (),
    ) -> None:
        self._transact(lambda conn: self._insert_run(conn, run, environment, file_hashes))

    def _insert_run(
        self,
        conn: Connection,
        run: Run,
        environment: EnvSnapshot | None,
        file_hashes: Sequence[tuple[FileKey, str]],
    ) -> None:
        """The statements of ``save_run``; rows in one order, so writers never deadlock."""
        exc = run.exception
        if environment is not None:
            conn.execute(
                "INSERT INTO environments (hash, snapshot) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (environment.hash, dumps(vars(environment))),
            )
        conn.executemany(UPSERT_FILE_HASH, sorted((*key, digest) for key, digest in file_hashes))
        conn.execute("DELETE FROM runs WHERE id = ?", (run.id,))
        conn.execute(
            f"INSERT INTO runs ({RUN_COLUMNS}) VALUES ({', '.join('?' * 21)})",
            (
                run.id, run.name, run.status, run.started, run.ended, run.notebook,
                run.cell_id, run.execution_count, run.source, run.source_hash,
                exc.type if exc else None, exc.message if exc else None,
                exc.traceback if exc else None, run.env_hash, run.session, run.parent,
                run.batch, dumps(run.tags), dumps(run.extra), run.note, run.lifecycle,
            ),
        )  # fmt: skip
        conn.executemany(
            "INSERT INTO run_tags (run_id, key, value) VALUES (?, ?, ?)",
            [(run.id, key, value) for key, value in run.tags.items()],
        )
        params = {p.key: p for p in run.params}  # the last value of a key wins
        conn.executemany(
            "INSERT INTO params (run_id, key, value, origin, seq, text, number) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (run.id, p.key, dumps(p.value), p.origin, seq, param_text(p.value),
                 param_number(p.value))
                for seq, p in enumerate(params.values())
            ],
        )  # fmt: skip
        conn.executemany(
            "INSERT INTO metrics (run_id, key, value, step, time) VALUES (?, ?, ?, ?, ?)",
            [(run.id, m.key, _number(m.value), m.step, m.time) for m in run.metrics],
        )
        conn.executemany(
            "INSERT INTO latest_metrics (run_id, key, value) VALUES (?, ?, ?)",
            [(run.id, key, _number(value)) for key, value in run.latest_metrics().items()],
        )
        conn.executemany(
            "INSERT INTO bindings (run_id, direction, name, kind, hash, summary) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(run.id, b.direction, b.name, b.kind, b.hash, dumps(b.summary)) for b in run.bindings],
        )
        conn.executemany(
            "INSERT INTO artifacts (run_id, name, hash, media_type, size) VALUES (?, ?, ?, ?, ?)",
            [(run.id, a.name, a.hash, a.media_type, a.size) for a in run.artifacts],
        )

    def find_run_refs(
        self, kind: RefKind, value: str = "", *, skip: int = 0, limit: int = 1
    ) -> list[RunRef]:
        sql, args = run_refs_sql(kind, value, skip, limit, self.dialect)
        return [RunRef(*row) for row in self._read(sql, args)]

    def get_run(self, run_id: str) -> Run:
        self._reap_quietly()
        full = self.resolve_run_id(run_id)
        rows = self._read(f"SELECT {RUN_COLUMNS} FROM runs WHERE id = ?", (full,))
        params, metrics = self._params_and_metrics("run_id = ?", [full])
        bindings = tuple(
            Binding(name, direction, kind, digest, json.loads(summary))
            for direction, name, kind, digest, summary in self._read(
                "SELECT direction, name, kind, hash, summary FROM bindings "
                "WHERE run_id = ? ORDER BY rowid",
                (full,),
            )
        )
        artifacts = tuple(
            Artifact(*row)
            for row in self._read(
                "SELECT name, hash, media_type, size FROM artifacts "
                "WHERE run_id = ? ORDER BY rowid",
                (full,),
            )
        )
        return run_from_row(
            rows[0],
            params.get(full, ()),
            metrics.get(full, ()),
            bindings=bindings,
            artifacts=artifacts,
        )

    def _visible(self, query: RunQuery) -> RunQuery:
        """While no run is archived or deleted, "active runs" is every run: no condition.

        One probe of ``runs_by_lifecycle``; the unconditioned query keeps the
        fast paths (a full ``runs()`` reads params and metrics without a join).
        """
        if query.lifecycle != "active":
            return query
        hidden = self._read("SELECT 1 FROM runs WHERE lifecycle IN ('archived', 'deleted') LIMIT 1")
        return query if hidden else replace(query, lifecycle="all")

    def list_runs(self, query: RunQuery | None = None) -> list[Run]:
        self._reap_quietly()
        query = self._visible(normalized(query or RunQuery()))
        where, args = where_clause(query, paged=True, dialect=self.dialect)
        rows = self._ordered_rows(RUN_COLUMNS, query)
        if not rows:
            return []
        if query.limit is not None:
            ids = [row[0] for row in rows]
            selector, sel_args = f"run_id IN ({', '.join('?' * len(ids))})", ids
        else:
            selector, sel_args = f"run_id IN (SELECT id FROM runs WHERE {where})", args
        params, metrics = self._params_and_metrics(selector, sel_args)
        return [run_from_row(r, params.get(r[0], ()), metrics.get(r[0], ())) for r in rows]

    def runs_table(self, query: RunQuery | None = None) -> RunsTable:
        """One query: each run row carries its params and latest metrics as JSON objects.

        Folding them per run in the database (instead of a row per value keyed
        by a run id string) is what keeps 100,000 runs with a million params
        faster than a bare ``fetchall`` of the long tables and a pivot.
        """
        self._reap_quietly()
        query = self._visible(normalized(query or RunQuery()))
        runs = self._ordered_rows(RUN_TABLE_SQL_COLUMNS, query, self._folded_columns())
        if not runs:
            return RunsTable([], [], [])
        tags = loads_many([row[8] for row in runs])
        params = loads_many([row[11] or "{}" for row in runs])
        metrics = loads_many([row[12] or "{}" for row in runs])
        rows_out = [(*row[:8], tag, *row[9:11]) for row, tag in zip(runs, tags, strict=True)]
        return RunsTable(rows_out, params, metrics)

    def _folded_columns(self) -> tuple[str, str]:
        """A run's params (JSON values) and latest metrics, each as one JSON object."""
        d = self.dialect
        params = d.json_object.format(key="p.key", value=d.json_value.format(col="p.value"))
        metrics = d.json_object.format(key="m.key", value=d.json_number.format(col="m.value"))
        return (
            f"(SELECT {params} FROM params p WHERE p.run_id = runs.id)",
            f"(SELECT {metrics} FROM latest_metrics m WHERE m.run_id = runs.id)",
        )

    def _ordered_rows(
        self, columns: str, query: RunQuery, computed: tuple[str, ...] = ()
    ) -> list[tuple[Any, ...]]:
        """One page of ``runs`` rows (``columns`` starting with ``id``, then ``computed``
        expressions) in the query's order."""
        if query.sort_metric is None:
            return self._read(*time_ordered_sql(columns, query, self.dialect, computed))
        ids = self._ids_by_metric(query)
        if not ids:
            return []
        select = ", ".join([columns, *computed])
        if len(ids) <= MAX_IN_IDS:
            rows = self._read(
                f"SELECT {select} FROM runs WHERE id IN ({', '.join('?' * len(ids))})", ids
            )
        else:  # a long unlimited listing: read the matches, keep the page
            where, args = where_clause(query, paged=True, dialect=self.dialect)
            rows = self._read(f"SELECT {select} FROM runs WHERE {where}", args)
        position = {run_id: n for n, run_id in enumerate(ids)}
        return sorted((row for row in rows if row[0] in position), key=lambda r: position[r[0]])

    def _ids_by_metric(self, query: RunQuery) -> list[str]:
        """Ids in metric order: runs with a value, then the rest; offset spans both."""
        limit, offset = query.limit, query.offset or 0

        def page(sql: str, args: list[Any], count: int | None, skip: int) -> list[str]:
            rows = self._read(
                f"{sql} LIMIT ? OFFSET ?", [*args, NO_LIMIT if count is None else count, skip]
            )
            return [row[0] for row in rows]

        select, order, args = metric_ordered_sql(query, missing=False, dialect=self.dialect)
        ids = page(select + order, args, limit, offset)
        if limit is not None and len(ids) >= limit:
            return ids
        if ids or not offset:
            valued = offset + len(ids)
        else:  # the page starts past the runs with a value: how many are there?
            valued = int(self._read(f"SELECT COUNT(*) FROM ({select}) AS valued", args)[0][0])
        select, order, args = metric_ordered_sql(query, missing=True, dialect=self.dialect)
        rest = None if limit is None else limit - len(ids)
        return ids + page(select + order, args, rest, max(0, offset - valued))

    def count_runs(self, query: RunQuery | None = None) -> int:
        self._reap_quietly()
        query = self._visible(query or RunQuery())
        where, args = where_clause(query, paged=False, dialect=self.dialect)
        return int(self._read(f"SELECT COUNT(*) FROM runs WHERE {where}", args)[0][0])

    def _params_and_metrics(
        self, selector: str, args: list[Any]
    ) -> tuple[dict[str, tuple[Param, ...]], dict[str, tuple[Metric, ...]]]:
        params: dict[str, list[Param]] = defaultdict(list)
        for run_id, key, value, origin in self._read(
            f"SELECT run_id, key, value, origin FROM params WHERE {selector} ORDER BY run_id, seq",
            args,
        ):
            params[run_id].append(Param(key, json.loads(value), origin))
        metrics: dict[str, list[Metric]] = defaultdict(list)
        for run_id, key, value, step, when in self._read(
            f"SELECT run_id, key, value, step, time FROM metrics WHERE {selector} ORDER BY rowid",
            args,
        ):
            # SQLite stores NaN as NULL; a logged metric is always a number
            metrics[run_id].append(Metric(key, math.nan if value is None else value, step, when))
        return (
            {k: tuple(v) for k, v in params.items()},
            {k: tuple(v) for k, v in metrics.items()},
        )

    def set_parent(self, run_id: str, parent: str | None) -> None:
        self._transact(
            lambda conn: conn.execute("UPDATE runs SET parent = ? WHERE id = ?", (parent, run_id))
        )

    def revision(self) -> int:
        return int(self._read("SELECT value FROM meta WHERE key = 'revision'")[0][0])

    # -- environments -----------------------------------------------------
    def save_environment(self, env: EnvSnapshot) -> None:
        if self._read("SELECT 1 FROM environments WHERE hash = ?", (env.hash,)):
            return
        self._transact(
            lambda conn: conn.execute(
                "INSERT INTO environments (hash, snapshot) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (env.hash, dumps(vars(env))),
            )
        )

    def get_environment(self, env_hash: str) -> EnvSnapshot | None:
        rows = self._read("SELECT snapshot FROM environments WHERE hash = ?", (env_hash,))
        return EnvSnapshot(**json.loads(rows[0][0])) if rows else None

    # -- objects ------------------------------------------------------------
    def put_object(self, data: bytes, digest: str) -> None:
        try:
            self.objects.put_bytes(data, digest)
        except OSError as exc:
            raise StoreError(f"cannot write object {digest}: {exc}") from exc

    def put_file(self, path: Path, digest: str) -> None:
        try:
            self.objects.put_file(path, digest)
        except OSError as exc:
            raise StoreError(f"cannot copy {path} into the store: {exc}") from exc

    def object_path(self, digest: str) -> Path:
        return self.objects.existing_path(digest)

    def has_object(self, digest: str) -> bool:
        return self.objects.has(digest)

    # -- batches and reproductions ------------------------------------------
    def save_batch(self, batch: Batch) -> None:
        items = [dataclasses.asdict(item) for item in batch.items]
        row = (batch.id, batch.kind, batch.notebook, batch.created, batch.status,
               batch.executor, dumps(batch.spec), dumps(items))  # fmt: skip
        self._transact(lambda conn: conn.execute(UPSERT_BATCH, row))

    def get_batch(self, batch_id: str) -> Batch:
        prefix = batch_id.strip().lower()
        rows = []
        if prefix and all(c in "0123456789abcdef" for c in prefix):
            rows = self._read(
                f"SELECT {BATCH_COLUMNS} FROM batches WHERE id >= ? AND id < ? ORDER BY id LIMIT 2",
                (prefix, prefix + "g"),
            )
        if not rows:
            raise BatchNotFound(f"no batch {batch_id!r} in {self.shown}")
        if len(rows) > 1:
            raise BatchNotFound(f"batch id prefix {batch_id!r} is ambiguous")
        return batch_from_row(rows[0])

    def list_batches(self, notebook: str | None = None, limit: int | None = None) -> list[Batch]:
        sql = f"SELECT {BATCH_COLUMNS} FROM batches"
        args: list[Any] = []
        if notebook:
            sql += " WHERE notebook = ?"
            args.append(notebook)
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [batch_from_row(row) for row in self._read(sql, args)]

    def save_reproduction(self, reproduction: Reproduction) -> None:
        r = reproduction
        row = (r.batch, r.run, r.verdict, r.created, dumps(r.report))
        self._transact(lambda conn: conn.execute(UPSERT_REPRODUCTION, row))

    def get_reproduction(self, batch_id: str) -> Reproduction | None:
        rows = self._read(
            "SELECT batch, run, verdict, created, report FROM reproductions WHERE batch = ?",
            (batch_id,),
        )
        return reproduction_from_row(rows[0]) if rows else None

    def list_reproductions(self, run_id: str | None = None) -> list[Reproduction]:
        sql = "SELECT batch, run, verdict, created, report FROM reproductions"
        args: list[Any] = []
        if run_id:
            sql += " WHERE run = ?"
            args.append(run_id)
        rows = self._read(sql + " ORDER BY created DESC", args)
        return [reproduction_from_row(row) for row in rows]

    # -- file hash cache --------------------------------------------------
    def cached_file_hash(self, key: FileKey) -> str | None:
        rows = self._read(
            "SELECT hash FROM file_hashes WHERE path = ? AND size = ? AND mtime_ns = ? "
            "AND inode = ?",
            key,
        )
        return str(rows[0][0]) if rows else None

    def remember_file_hash(self, key: FileKey, digest: str) -> None:
        self._transact(lambda conn: conn.execute(UPSERT_FILE_HASH, (*key, digest)))


def _upsert(table: str, columns: tuple[str, ...], key: tuple[str, ...]) -> str:
    """Insert, or replace the row with the same key (SQLite and PostgreSQL alike)."""
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
        f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"
    )


UPSERT_FILE_HASH = _upsert("file_hashes", ("path", "size", "mtime_ns", "inode", "hash"), ("path",))
UPSERT_BATCH = _upsert(
    "batches",
    ("id", "kind", "notebook", "created", "status", "executor", "spec", "items"),
    ("id",),
)
UPSERT_REPRODUCTION = _upsert(
    "reproductions", ("batch", "run", "verdict", "created", "report"), ("batch",)
)


def _number(value: float | None) -> float | None:
    """NaN as NULL, as SQLite stores it (PostgreSQL would keep a NaN that sorts first)."""
    return None if value is None or math.isnan(value) else value


def interrupted(run: Run) -> Run:
    """A run whose owner died before it ended, as it is saved."""
    return dataclasses.replace(
        run, status="interrupted", ended=None, exception=ExceptionInfo(*DIED, "")
    )


__all__ = ["Connection", "SqlStore", "interrupted"]
