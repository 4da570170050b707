"""Rows <-> records and queries -> SQL, for every SQL backend.

Kept apart from the store's transactions so each file has one job; every
value in a query goes through a placeholder. The few spellings that differ
between SQLite and PostgreSQL come from the :class:`Dialect` passed in.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from nbtrail.records import (
    Artifact,
    Batch,
    BatchItem,
    Binding,
    ExceptionInfo,
    Metric,
    Param,
    Reproduction,
    Run,
    RunQuery,
    tag_dict,
)
from nbtrail.store.dialect import NO_LIMIT, SQLITE, Dialect
from nbtrail.store.filter_sql import compile_filter, order_clause, text_condition
from nbtrail.store.filter_syntax import parse_field, parse_order
from nbtrail.store.references import MIN_SUFFIX, RefKind

#: ``runs`` columns of a ``RunsTable`` row (``RUN_TABLE_COLUMNS`` in the database's names).
RUN_TABLE_SQL_COLUMNS = (
    "id, name, status, notebook, cell_id, execution_count, started, ended, tags, parent, batch"
)
RUN_COLUMNS = (
    "id, name, status, started, ended, notebook, cell_id, execution_count, source, "
    "source_hash, exc_type, exc_message, exc_traceback, env_hash, session, parent, batch, "
    "tags, extra, note, lifecycle"
)


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, allow_nan=True)


BATCH_COLUMNS = "id, kind, notebook, created, status, executor, spec, items"


def batch_from_row(row: tuple[Any, ...]) -> Batch:
    batch_id, kind, notebook, created, status, executor, spec, items = row
    return Batch(
        id=batch_id, kind=kind, notebook=notebook, created=created, status=status,
        executor=executor, spec=json.loads(spec),
        items=tuple(BatchItem(**item) for item in json.loads(items)),
    )  # fmt: skip


def reproduction_from_row(row: tuple[Any, ...]) -> Reproduction:
    batch, run, verdict, created, report = row
    return Reproduction(batch, run, verdict, created, json.loads(report))


def loads_many(texts: list[str]) -> list[Any]:
    """Decode many JSON values in one parse: ten times cheaper than one call each."""
    return json.loads("[" + ",".join(texts) + "]") if texts else []


def where_clause(
    query: RunQuery, *, paged: bool, dialect: Dialect = SQLITE
) -> tuple[str, list[Any]]:
    """SQL conditions for a query; every value goes through a placeholder.

    Raises FilterError (one line naming the position) for a bad ``filter``.
    """
    clauses: list[str] = ["1 = 1"]
    args: list[Any] = []

    def add(clause: str, *values: Any) -> None:
        clauses.append(clause)
        args.extend(values[0] if len(values) == 1 and isinstance(values[0], list) else values)

    if query.notebook:
        add("notebook = ?", query.notebook)
    if query.status:
        add("status = ?", query.status)
    if query.name:
        add("name = ?", query.name)
    if query.batch:
        add("batch = ?", query.batch)
    if query.session:
        add("session = ?", query.session)
    if query.since is not None:
        add("started >= ?", query.since)
    if query.until is not None:
        add("started < ?", query.until)
    if query.text:
        add(*text_condition(query.text, dialect))
    condition, filter_args, names_lifecycle = compile_filter(query.filter, dialect)
    if condition != "1 = 1":
        add(condition, *filter_args)
    if query.lifecycle != "all" and not names_lifecycle:
        add("lifecycle = ?", query.lifecycle)
    if paged and query.before_id:
        add("id < ?", query.before_id)
    return " AND ".join(clauses), args


def normalized(query: RunQuery) -> RunQuery:
    """Resolve ``order_by``: a metric becomes ``sort_metric`` (its index), newest-first
    time order is the default order, anything else a canonical field name with
    its direction in ``descending`` (ascending unless the text says DESC)."""
    if not query.order_by:
        return query
    field, explicit = parse_order(query.order_by)
    descending = bool(explicit)  # ascending unless DESC, as in MLflow's order_by
    if field.kind == "metric":
        return replace(query, order_by=None, sort_metric=field.key, descending=descending)
    if field.kind == "attribute" and field.key in ("run_id", "started") and descending:
        return replace(query, order_by=None, descending=True)
    return replace(query, order_by=str(field), descending=descending)


def time_ordered_sql(
    columns: str, query: RunQuery, dialect: Dialect = SQLITE, computed: Sequence[str] = ()
) -> tuple[str, list[Any]]:
    """``SELECT columns FROM runs`` newest first (the primary key), or in ``order_by``.

    ``computed`` are expressions selected after ``columns`` (subqueries on
    ``runs.id``). ``query`` must be :func:`normalized`.
    """
    where, args = where_clause(query, paged=True, dialect=dialect)
    join, order = "", "id DESC"
    if query.order_by:
        join, join_args, order = order_clause(parse_field(query.order_by), query.descending)
        columns = ", ".join(f"runs.{c.strip()}" for c in columns.split(","))
        args = [*join_args, *args]
    columns = ", ".join([columns, *computed])
    sql = f"SELECT {columns} FROM runs{join} WHERE {where} ORDER BY {order}"
    if query.limit is not None or query.offset:
        sql += " LIMIT ? OFFSET ?"
        args += [NO_LIMIT if query.limit is None else int(query.limit), int(query.offset or 0)]
    return sql, args


def metric_ordered_sql(
    query: RunQuery, *, missing: bool, dialect: Dialect = SQLITE
) -> tuple[str, str, list[Any]]:
    """(select, order, args) for the ids of runs in a metric order.

    ``latest_metrics`` holds each run's latest value of each key (NaN is stored
    as NULL). Runs with a value walk ``latest_metrics_by_value`` in value order
    (ties newest first); ``missing=True`` selects the rest (no value, or NaN),
    newest first, which always come after them.
    """
    assert query.sort_metric is not None
    where, args = where_clause(query, paged=True, dialect=dialect)
    if missing:
        select = (
            f"SELECT id FROM runs WHERE {where} AND NOT EXISTS (SELECT 1 FROM latest_metrics lm "
            "WHERE lm.run_id = runs.id AND lm.key = ? AND lm.value IS NOT NULL)"
        )
        return select, " ORDER BY id DESC", [*args, query.sort_metric]
    direction = "DESC" if query.descending else "ASC"
    select = (
        "SELECT runs.id FROM latest_metrics lm JOIN runs ON runs.id = lm.run_id "
        f"WHERE lm.key = ? AND lm.value IS NOT NULL AND {where}"
    )
    return select, f" ORDER BY lm.value {direction}, lm.run_id DESC", [query.sort_metric, *args]


# kind -> (condition, its arguments from the value); the suffix condition must
# spell the id tail (``{tail}``) exactly as the expression index runs_by_id_tail does.
_REF_CONDITIONS: dict[str, tuple[str, Callable[[str], list[Any]]]] = {
    "id": ("id = ?", lambda value: [value]),
    "name": ("name = ?", lambda value: [value]),
    "any": ("1 = 1", lambda value: []),
    "prefix": ("id >= ? AND id < ?", lambda value: [value, value + "g"]),
    "suffix": (
        "{tail} = ? AND substr(id, length(id) - ? + 1) = ?",
        lambda value: [value[-4:], len(value), value],
    ),
}


def run_refs_sql(
    kind: RefKind, value: str, skip: int, limit: int, dialect: Dialect = SQLITE
) -> tuple[str, list[Any]]:
    """``id, name, started`` of the runs one form of reference matches, newest first.

    Each is one index lookup: the primary key (an id, a prefix range, the
    newest runs), ``runs_by_name``, or ``runs_by_id_tail`` (the last 4 digits,
    then the whole suffix compared within that handful of rows).
    """
    if kind == "suffix" and len(value) < MIN_SUFFIX:
        raise ValueError(f"an id suffix needs {MIN_SUFFIX} digits or more, got {value!r}")
    condition, arguments = _REF_CONDITIONS[kind]
    condition = condition.replace("{tail}", dialect.id_tail)
    sql = f"SELECT id, name, started FROM runs WHERE {condition} ORDER BY id DESC LIMIT ? OFFSET ?"
    return sql, [*arguments(value), limit, skip]


def run_from_row(
    row: tuple[Any, ...],
    params: tuple[Param, ...],
    metrics: tuple[Metric, ...],
    *,
    bindings: tuple[Binding, ...] = (),
    artifacts: tuple[Artifact, ...] = (),
) -> Run:
    (run_id, name, status, started, ended, notebook, cell_id, execution_count, source,
     source_hash, exc_type, exc_message, exc_traceback, env_hash, session, parent, batch,
     tags, extra, note, lifecycle) = row  # fmt: skip
    exception = (
        ExceptionInfo(exc_type, exc_message or "", exc_traceback or "") if exc_type else None
    )
    return Run(
        id=run_id, name=name, status=status, started=started, ended=ended, notebook=notebook,
        cell_id=cell_id, execution_count=execution_count, source=source,
        source_hash=source_hash, exception=exception, env_hash=env_hash, session=session,
        parent=parent, batch=batch, tags=tag_dict(json.loads(tags)), params=params,
        metrics=metrics, bindings=bindings, artifacts=artifacts, extra=json.loads(extra),
        note=note, lifecycle=lifecycle,
    )  # fmt: skip
