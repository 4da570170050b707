"""Filter trees (:mod:`nbtrail.store.filter_syntax`) -> SQL conditions on ``runs``.

Every value goes through a ``?`` placeholder. Each condition on a param,
metric or tag is ``EXISTS (SELECT 1 FROM <table> WHERE run_id = runs.id AND
key = ? AND ...)``: one primary-key lookup per run, so a page of 50 in time
order stops after the runs it needs (an ``IN (SELECT ...)`` would first
collect every match: 300 ms for a common condition at 100,000 runs). ``!=``
and ``NOT IN`` on a key follow MLflow: the run must have the key, with
another value. ``IS NULL`` means the run lacks the key.

The SQL is standard but for case handling, which :class:`Dialect` holds, so
SQLite and PostgreSQL share every query.
"""

from __future__ import annotations

import json
import math
from typing import Any

from nbtrail.store.dialect import POSTGRES, SQLITE, Dialect
from nbtrail.store.filter_syntax import (
    ATTRIBUTES,
    And,
    Comparison,
    Field,
    FilterError,
    Node,
    Not,
    Or,
    Text,
    Value,
    parse,
    time_value,
)

__all__ = ["POSTGRES", "SQLITE", "Dialect", "compile_filter", "order_clause", "text_condition"]

#: attribute -> its SQL expression on ``runs``
ATTRIBUTE_SQL = {
    "run_id": "runs.id", "name": "runs.name", "status": "runs.status",
    "notebook": "runs.notebook", "cell_id": "runs.cell_id", "batch": "runs.batch",
    "session": "runs.session", "parent": "runs.parent", "note": "runs.note",
    "lifecycle": "runs.lifecycle", "started": "runs.started", "ended": "runs.ended",
    "duration": "(runs.ended - runs.started)", "execution_count": "runs.execution_count",
}  # fmt: skip

_TABLES = {"param": "params", "metric": "latest_metrics", "tag": "run_tags"}


def param_text(value: Any) -> str:
    """A param's value as filters compare it as text: strings as they are, else JSON."""
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def param_number(value: Any) -> float | None:
    """A param's value as a number when it is one (``true`` and ``'0.1'`` are not).

    Like MLflow, a string param compares as text: ``params.lr = '0.05'``.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def compile_filter(
    expression: str | None, dialect: Dialect = SQLITE
) -> tuple[str, list[Any], bool]:
    """(condition, args, names_lifecycle) for an expression; ``1 = 1`` when empty.

    ``names_lifecycle`` tells the caller the filter chooses archived/deleted
    runs itself, so the default "active runs only" must not be added.
    """
    node = parse(expression or "")
    if node is None:
        return "1 = 1", [], False
    compiler = _Compiler(dialect)
    return compiler.node(node), compiler.args, compiler.names_lifecycle


def text_condition(text: str, dialect: Dialect = SQLITE) -> tuple[str, list[Any]]:
    """Free text: a substring of the name, notebook, note, a tag or a param, any case."""
    compiler = _Compiler(dialect)
    return compiler.node(Text(text)), compiler.args


class _Compiler:
    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.args: list[Any] = []
        self.names_lifecycle = False

    def node(self, node: Node) -> str:
        if isinstance(node, And):
            return "(" + " AND ".join(self.node(part) for part in node.parts) + ")"
        if isinstance(node, Or):
            return "(" + " OR ".join(self.node(part) for part in node.parts) + ")"
        if isinstance(node, Not):
            return f"NOT {self.node(node.part)}"
        if isinstance(node, Text):
            return self.text(node.text)
        if node.field.kind == "attribute":
            return self.attribute(node)
        return self.keyed(node)

    def text(self, text: str) -> str:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        contains = self.dialect.contains
        clauses = [
            contains.format(col="runs.name"),
            # never NULL: NOT (free text) must hold for a run without a notebook or note
            contains.format(col="COALESCE(runs.notebook, '')"),
            contains.format(col="COALESCE(runs.note, '')"),
            "EXISTS (SELECT 1 FROM run_tags AS k WHERE k.run_id = runs.id AND "
            f"({contains.format(col='k.key')} OR {contains.format(col='k.value')}))",
            "EXISTS (SELECT 1 FROM params AS k WHERE k.run_id = runs.id AND "
            f"({contains.format(col='k.key')} OR {contains.format(col='k.text')}))",
        ]
        self.args += [pattern] * 7
        return "(" + " OR ".join(clauses) + ")"

    def attribute(self, node: Comparison) -> str:
        key = node.field.key
        self.names_lifecycle |= key == "lifecycle"
        column = ATTRIBUTE_SQL[key]
        kind = ATTRIBUTES[key]
        if node.op in ("IS NULL", "IS NOT NULL"):
            return f"{column} {node.op}"
        if kind == "text":
            return self.compare_text(column, node)
        values = tuple(
            time_value(v, node.pos) if kind == "time" else _number(node, v) for v in node.values
        )
        return self.compare_number(column, node, values)

    def keyed(self, node: Comparison) -> str:
        field = node.field
        table = _TABLES[field.kind]
        self.args.append(field.key)
        exists = f"EXISTS (SELECT 1 FROM {table} AS k WHERE k.run_id = runs.id AND k.key = ?"
        if node.op == "IS NULL":
            return f"NOT {exists})"
        prefix = exists
        if node.op == "IS NOT NULL":
            return prefix + ")"
        if field.kind == "metric":
            if "LIKE" in node.op:
                raise FilterError(
                    f"filter: {field} is a number: LIKE does not apply (position {node.pos})"
                )
            values = tuple(_number(node, v) for v in node.values)
            return f"{prefix} AND {self.compare_number('value', node, values)})"
        if field.kind == "tag":
            return f"{prefix} AND {self.compare_text('value', node)})"
        return f"{prefix} AND {self.compare_param(node)})"

    def compare_param(self, node: Comparison) -> str:
        """Numbers compare with a param's number, text with its text."""
        if node.op in ("IN", "NOT IN"):
            texts = [v for v in node.values if isinstance(v, str)]
            numbers = [v for v in node.values if isinstance(v, float)]
            parts = []
            if texts:
                parts.append(f"text IN ({', '.join('?' * len(texts))})")
                self.args += texts
            if numbers:
                parts.append(f"number IN ({', '.join('?' * len(numbers))})")
                self.args += numbers
            either = "(" + " OR ".join(parts) + ")"
            return either if node.op == "IN" else f"NOT {either}"
        value = node.values[0] if node.values else None
        if isinstance(value, float) and node.op == "=":  # 0.05 also finds the text '0.05'
            self.args += [value, as_text(value)]
            return "(number = ? OR text = ?)"
        if isinstance(value, float):
            return self.compare_number("number", node, (value,))
        return self.compare_text("text", node)

    def compare_text(self, column: str, node: Comparison) -> str:
        op = node.op
        if op in ("IN", "NOT IN"):
            self.args += [as_text(v) for v in node.values]
            return f"{column} {op} ({', '.join('?' * len(node.values))})"
        if op.removeprefix("NOT ") in ("LIKE", "ILIKE"):
            like = op.removeprefix("NOT ")
            template = self.dialect.like if like == "LIKE" else self.dialect.ilike
            pattern = str(node.values[0])
            self.args.append(self.dialect.like_pattern(pattern) if like == "LIKE" else pattern)
            clause = template.format(col=column)
            return f"NOT ({clause})" if op.startswith("NOT ") else clause
        if op not in ("=", "!="):
            raise FilterError(
                f"filter: {node.field} compares as text (=, !=, LIKE, ILIKE, IN), "
                f"not with {op} (position {node.pos})"
            )
        self.args.append(as_text(node.values[0]))
        return f"{column} {op} ?"

    def compare_number(self, column: str, node: Comparison, values: tuple[float, ...]) -> str:
        op = node.op
        if "LIKE" in op:
            raise FilterError(
                f"filter: {node.field} is a number: LIKE does not apply (position {node.pos})"
            )
        self.args += list(values)
        if op in ("IN", "NOT IN"):
            return f"{column} {op} ({', '.join('?' * len(values))})"
        return f"{column} {op} ?"


def _number(node: Comparison, value: Value) -> float:
    if isinstance(value, float):
        return value
    try:
        return float(value)
    except ValueError:
        raise FilterError(
            f"filter: {node.field} is a number; {value!r} is not (position {node.pos})"
        ) from None


def as_text(value: Value) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return value


def order_clause(field: Field, descending: bool) -> tuple[str, list[Any], str]:
    """(join, its args, ``ORDER BY`` terms) for a param, tag or attribute.

    Metrics sort through their own index instead. A param or tag is one LEFT
    JOIN on its table's primary key (``o``), not a subquery per term. Runs
    lacking the value come last whichever the direction, ties newest first;
    params with a number sort by it, before those with text only.
    """
    direction = "DESC" if descending else "ASC"
    if field.kind == "attribute":
        column = ATTRIBUTE_SQL[field.key]
        return "", [], f"({column} IS NULL), {column} {direction}, runs.id DESC"
    table = {"tag": "run_tags", "param": "params"}.get(field.kind)
    if table is not None:
        join = f" LEFT JOIN {table} AS o ON o.run_id = runs.id AND o.key = ?"
        if field.kind == "tag":
            return join, [field.key], f"(o.value IS NULL), o.value {direction}, runs.id DESC"
        order = (
            f"(o.text IS NULL), (o.number IS NULL), o.number {direction}, o.text {direction}, "
            "runs.id DESC"
        )
        return join, [field.key], order
    raise ValueError("metrics sort through latest_metrics_by_value")
