"""Run management's SQL, for every backend of :class:`~nbtrail.store.sqlstore.SqlStore`.

Tags, notes, names, archive/delete and garbage collection; a mixin beside the
run store's queries (like :mod:`nbtrail.store.sqlite_models`), using the
store's ``_write`` transaction, ``_read`` helper and dialect.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from typing import Any

from nbtrail.errors import RunInUse
from nbtrail.records import Lifecycle, Run, RunGroup, RunQuery
from nbtrail.store.base import GarbageReport
from nbtrail.store.dialect import Dialect
from nbtrail.store.objects import ObjectFolder, RemoteObjects
from nbtrail.store.sql import dumps, normalized, where_clause

_DIGEST_TEXT = re.compile(r"[0-9a-f]{32}")
#: ``run_groups(by=...)`` -> the runs column grouped on
GROUP_BY = {"batch": "batch", "notebook": "notebook", "name": "name"}
MAX_COLUMNS = 2000
COLUMN_SAMPLE = 2000  # with a filter, columns come from this many newest matching runs


class RunManagement:
    """Edits to recorded runs; each one transaction that bumps the revision."""

    location: str
    objects: ObjectFolder | RemoteObjects
    dialect: Dialect

    def _write(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def _read(self, sql: str, args: tuple[Any, ...] | list[Any] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    # Store's own (annotations only: a stub here would come first in the MRO)
    _visible: Callable[[RunQuery], RunQuery]
    resolve_run_id: Callable[[str], str]
    get_run: Callable[[str], Run]

    # -- edits ----------------------------------------------------------------
    def update_run(
        self,
        run_id: str,
        *,
        name: str | None = None,
        note: str | None = None,
        lifecycle: Lifecycle | None = None,
    ) -> Run:
        full = self.resolve_run_id(run_id)
        if lifecycle == "deleted":
            self._refuse_if_registered(full)
        changes = {"name": name, "note": note, "lifecycle": lifecycle}
        sets = {column: value for column, value in changes.items() if value is not None}
        if sets:
            with self._write() as conn:
                assignments = ", ".join(f"{column} = ?" for column in sets)
                values = [value if value != "" or column != "note" else None
                          for column, value in sets.items()]  # fmt: skip
                conn.execute(f"UPDATE runs SET {assignments} WHERE id = ?", [*values, full])
        return self.get_run(full)

    def set_tags(self, run_id: str, tags: Mapping[str, str]) -> Run:
        full = self.resolve_run_id(run_id)
        with self._write() as conn:
            current = self._tags(conn, full)
            current.update({str(k): str(v) for k, v in tags.items()})
            self._write_tags(conn, full, current)
        return self.get_run(full)

    def remove_tags(self, run_id: str, keys: Iterable[str]) -> Run:
        full = self.resolve_run_id(run_id)
        with self._write() as conn:
            current = self._tags(conn, full)
            for key in keys:
                current.pop(key, None)
            self._write_tags(conn, full, current)
        return self.get_run(full)

    @staticmethod
    def _tags(conn: Any, run_id: str) -> dict[str, str]:
        rows = conn.execute("SELECT key, value FROM run_tags WHERE run_id = ?", (run_id,))
        return dict(rows.fetchall())

    @staticmethod
    def _write_tags(conn: Any, run_id: str, tags: dict[str, str]) -> None:
        conn.execute("DELETE FROM run_tags WHERE run_id = ?", (run_id,))
        conn.executemany(
            "INSERT INTO run_tags (run_id, key, value) VALUES (?, ?, ?)",
            [(run_id, key, value) for key, value in tags.items()],
        )
        conn.execute("UPDATE runs SET tags = ? WHERE id = ?", (dumps(tags), run_id))

    def _refuse_if_registered(self, run_id: str) -> None:
        rows = self._read(
            "SELECT name, version FROM model_versions WHERE run_id = ? ORDER BY name, version",
            (run_id,),
        )
        if rows:
            versions = ", ".join(f"{name} v{version}" for name, version in rows)
            raise RunInUse(
                f"run {run_id[-8:]} made registered model versions ({versions}); "
                "archive it instead, or keep it"
            )

    # -- what the workspace shows ---------------------------------------------------
    def run_columns(self, query: RunQuery | None = None) -> dict[str, list[str]]:
        """The param, metric and tag keys present among the runs ``query`` matches.

        Unfiltered, keys are walked in each table's ``(key, ...)`` index, one
        seek per distinct key (a few dozen, not a million rows). With a
        filter, the keys of the newest ``COLUMN_SAMPLE`` matching runs: a
        column chooser needs the keys in play, and a full pass over a large
        store's params per keystroke would not be fluent.
        """
        where, args = where_clause(
            self._visible(normalized(query or RunQuery())), paged=False, dialect=self.dialect
        )
        tables = (("params", "params"), ("metrics", "latest_metrics"), ("tags", "run_tags"))
        if where == "1 = 1":
            return {kind: self._index_keys(table) for kind, table in tables}
        ids = [row[0] for row in self._read(
            f"SELECT id FROM runs WHERE {where} ORDER BY id DESC LIMIT {COLUMN_SAMPLE}", args
        )]  # fmt: skip
        if not ids:
            return {kind: [] for kind, _ in tables}
        return {kind: self._keys_of(table, ids) for kind, table in tables}

    def _keys_of(self, table: str, ids: list[str]) -> list[str]:
        marks = ", ".join("?" * len(ids))
        rows = self._read(
            f"SELECT DISTINCT key FROM {table} WHERE run_id IN ({marks}) "
            f"ORDER BY key LIMIT {MAX_COLUMNS}",
            ids,
        )
        return [row[0] for row in rows]

    def _index_keys(self, table: str) -> list[str]:
        keys: list[str] = []
        while len(keys) < MAX_COLUMNS:
            after = " WHERE key > ?" if keys else ""
            row = self._read(f"SELECT MIN(key) FROM {table}{after}", keys[-1:])
            if not row or row[0][0] is None:
                break
            keys.append(row[0][0])
        return keys

    def run_groups(self, by: str, query: RunQuery | None = None) -> list[RunGroup]:
        """Runs counted per batch, notebook or name, newest group first.

        A batch group carries the batch's kind and, for a re-run, its verdict.
        """
        column = GROUP_BY[by]
        where, args = where_clause(
            normalized(query or RunQuery()), paged=False, dialect=self.dialect
        )
        rows = self._read(
            f"SELECT {column}, COUNT(*), MAX(started) FROM runs WHERE {where} "
            f"GROUP BY {column} ORDER BY MAX(started) DESC LIMIT 1000",
            args,
        )
        kinds: dict[str, tuple[str | None, str | None]] = {}
        if by == "batch":
            batch_ids = [row[0] for row in rows if row[0]]
            if batch_ids:
                marks = ", ".join("?" * len(batch_ids))
                for batch_id, kind, verdict in self._read(
                    "SELECT b.id, b.kind, r.verdict FROM batches b LEFT JOIN reproductions r "
                    f"ON r.batch = b.id WHERE b.id IN ({marks})",
                    batch_ids,
                ):
                    kinds[batch_id] = (kind, verdict)
        return [
            RunGroup(key, count, latest, *kinds.get(key or "", (None, None)))
            for key, count, latest in rows
        ]

    # -- garbage collection ---------------------------------------------------
    def collect_garbage(
        self, *, older_than: float = 3600.0, dry_run: bool = False
    ) -> GarbageReport:
        """Purge deleted runs, then objects no row mentions.

        Any 32-hex-digit text in any table counts as a reference, so a new kind
        of record that keeps an object keeps it safe without telling gc. Only
        objects older than ``older_than`` seconds go: a cell still running may
        have written objects its run does not reference yet.
        """
        deleted = [row[0] for row in self._read("SELECT id FROM runs WHERE lifecycle = 'deleted'")]
        registered = {row[0] for row in self._read("SELECT DISTINCT run_id FROM model_versions")}
        purged = [run_id for run_id in deleted if run_id not in registered]
        if purged and not dry_run:
            with self._write() as conn:
                conn.executemany("DELETE FROM runs WHERE id = ?", [(r,) for r in purged])
        referenced = self._mentioned_digests(exclude=set() if not dry_run else set(purged))
        cutoff = time.time() - older_than
        removed, freed = 0, 0
        for digest, mtime, size in self.objects.listing():
            if digest in referenced or mtime > cutoff:
                continue
            removed += 1
            freed += size
            if not dry_run:
                self.objects.remove(digest)
        return GarbageReport(purged, sorted(set(deleted) - set(purged)), removed, freed, dry_run)

    def _mentioned_digests(self, exclude: set[str]) -> set[str]:
        """Every 32-hex-digit string in any text column of any table."""
        found: set[str] = set()
        tables = [row[0] for row in self._read(self.dialect.tables_sql)]
        for table in tables:
            if table in ("file_hashes",):  # a cache of file contents' hashes, not references
                continue
            columns = [row[0] for row in self._read(self.dialect.columns_sql, (table,))]
            id_column = "id" if table == "runs" else ("run_id" if "run_id" in columns else None)
            for row in self._read(f"SELECT * FROM {table}"):
                if id_column and row[columns.index(id_column)] in exclude:
                    continue
                for value in row:
                    if isinstance(value, str) and len(value) >= 32:
                        found.update(_DIGEST_TEXT.findall(value))
        return found
