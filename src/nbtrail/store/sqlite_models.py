"""The model registry's SQL, for every backend of :class:`~nbtrail.store.sqlstore.SqlStore`.

A mixin so the registry's queries live in one small module beside the run
store's; it uses the store's ``_transact`` and ``_read`` helpers. A version
number (``MAX + 1``) and an alias event's ``previous`` are read in the
transaction that writes them, after the dialect's lock for numbering, so
concurrent registrations get distinct numbers on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from nbtrail.errors import ModelNotFound
from nbtrail.records import AliasEvent, GateResult, ModelVersion
from nbtrail.store.base import KeptModel
from nbtrail.store.dialect import Dialect
from nbtrail.store.sql import dumps

T = TypeVar("T")

VERSION_COLUMNS = (
    "name, version, run_id, binding, model_hash, object, class_name, input_example, "
    "created, description, tags, lineage"
)
EVENT_COLUMNS = "name, alias, version, previous, time, who, gates, forced, seq"


class ModelTables:
    """Model versions and alias events (migration 5), models kept after cells (6)."""

    shown: str
    dialect: Dialect

    def _transact(self, work: Callable[[Any], T]) -> T:
        raise NotImplementedError

    def _read(self, sql: str, args: tuple[Any, ...] | list[Any] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def add_model_version(self, version: ModelVersion) -> ModelVersion:
        v = version

        def insert(conn: Any) -> int:
            self._lock_for_numbering(conn, "model_versions")
            (number,) = conn.execute(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE name = ?",
                (v.name,),
            ).fetchone()
            conn.execute(
                f"INSERT INTO model_versions ({VERSION_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (v.name, number, v.run, v.binding, v.model_hash, v.object, v.class_name,
                 v.input_example, v.created, v.description, dumps(list(v.tags)),
                 dumps(v.lineage)),
            )  # fmt: skip
            return int(number)

        number = self._transact(insert)
        return ModelVersion.from_dict({**v.to_dict(), "version": number})

    def _lock_for_numbering(self, conn: Any, table: str) -> None:
        statement = self.dialect.lock_for_numbering(table)
        if statement:
            conn.execute(statement)

    def get_model_version(self, name: str, version: int) -> ModelVersion:
        rows = self._read(
            f"SELECT {VERSION_COLUMNS} FROM model_versions WHERE name = ? AND version = ?",
            (name, version),
        )
        if rows:
            return _version_from_row(rows[0])
        known = [
            row[0]
            for row in self._read(
                "SELECT version FROM model_versions WHERE name = ? ORDER BY version", (name,)
            )
        ]
        if not known:
            raise ModelNotFound(f"no registered model {name!r} in {self.shown}")
        raise ModelNotFound(
            f"model {name!r} has no version {version} (versions: "
            f"{', '.join(str(k) for k in known)})"
        )

    def update_model_version(
        self,
        name: str,
        version: int,
        *,
        description: str | None = None,
        tags: Sequence[str] | None = None,
    ) -> ModelVersion:
        self.get_model_version(name, version)  # ModelNotFound, one line, before writing

        def update(conn: Any) -> None:
            if description is not None:
                conn.execute(
                    "UPDATE model_versions SET description = ? WHERE name = ? AND version = ?",
                    (description, name, version),
                )
            if tags is not None:
                conn.execute(
                    "UPDATE model_versions SET tags = ? WHERE name = ? AND version = ?",
                    (dumps(list(tags)), name, version),
                )

        self._transact(update)
        return self.get_model_version(name, version)

    def list_model_versions(self, name: str | None = None) -> list[ModelVersion]:
        sql = f"SELECT {VERSION_COLUMNS} FROM model_versions"
        args: list[Any] = []
        if name is not None:
            sql += " WHERE name = ?"
            args.append(name)
        return [_version_from_row(row) for row in self._read(sql + " ORDER BY name, version", args)]

    def add_alias_event(self, event: AliasEvent) -> AliasEvent:
        e = event
        gates = [{"gate": g.gate, "passed": g.passed, "detail": g.detail} for g in e.gates]

        def insert(conn: Any) -> tuple[int | None, int]:
            self._lock_for_numbering(conn, "alias_events")
            row = conn.execute(
                "SELECT version FROM alias_events WHERE name = ? AND alias = ? "
                "ORDER BY seq DESC LIMIT 1",
                (e.name, e.alias),
            ).fetchone()
            previous = None if row is None else int(row[0])
            (seq,) = conn.execute(
                "INSERT INTO alias_events (name, alias, version, previous, time, who, gates, "
                "forced) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq",
                (e.name, e.alias, e.version, previous, e.time, e.who, dumps(gates),
                 int(e.forced)),
            ).fetchone()  # fmt: skip
            return previous, int(seq)

        previous, seq = self._transact(insert)
        return AliasEvent.from_dict({**e.to_dict(), "previous": previous, "seq": seq})

    def alias_events(
        self, name: str, alias: str | None = None, until: float | None = None
    ) -> list[AliasEvent]:
        sql = f"SELECT {EVENT_COLUMNS} FROM alias_events WHERE name = ?"
        args: list[Any] = [name]
        if alias is not None:
            sql += " AND alias = ?"
            args.append(alias)
        if until is not None:
            sql += " AND time <= ?"
            args.append(until)
        return [_event_from_row(row) for row in self._read(sql + " ORDER BY time, seq", args)]

    def record_kept_model(self, kept: KeptModel) -> None:
        k = kept
        self._transact(
            lambda conn: conn.execute(
                "INSERT INTO kept_models (model_hash, object, size, error, created) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (model_hash) DO UPDATE SET "
                "object = excluded.object, size = excluded.size, error = excluded.error "
                "WHERE kept_models.object IS NULL",
                (k.model_hash, k.object, k.size, k.error, time.time()),
            )
        )

    def kept_model(self, model_hash: str) -> KeptModel | None:
        rows = self._read(
            "SELECT model_hash, object, size, error FROM kept_models WHERE model_hash = ?",
            (model_hash,),
        )
        return KeptModel(*rows[0]) if rows else None


def _version_from_row(row: tuple[Any, ...]) -> ModelVersion:
    (name, version, run, binding, model_hash, obj, class_name, example, created,
     description, tags, lineage) = row  # fmt: skip
    return ModelVersion(
        name=name, version=int(version), run=run, binding=binding, model_hash=model_hash,
        object=obj, class_name=class_name, input_example=example, created=created,
        description=description, tags=tuple(json.loads(tags)), lineage=json.loads(lineage),
    )  # fmt: skip


def _event_from_row(row: tuple[Any, ...]) -> AliasEvent:
    name, alias, version, previous, time, who, gates, forced, seq = row
    return AliasEvent(
        name=name, alias=alias, version=int(version), previous=previous, time=time, who=who,
        gates=tuple(GateResult(**g) for g in json.loads(gates)), forced=bool(forced),
        seq=int(seq),
    )  # fmt: skip
