"""The filter language evaluated in Python, with the same meaning as its SQL.

For records that are not rows of the runs table: a model version's copied
lineage (``--require`` gates), runs a widget already holds. SQL's
three-valued logic is kept (a comparison with a missing attribute is
unknown, and ``NOT unknown`` is still unknown), so a filter selects the same
runs here as in the store; tests check the two against each other.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nbtrail.records import Run
from nbtrail.store.filter_sql import as_text, compile_filter, param_number, param_text
from nbtrail.store.filter_syntax import (
    ATTRIBUTES,
    And,
    Comparison,
    Node,
    Not,
    Or,
    Text,
    Value,
    parse,
    time_value,
)

Truth = bool | None  # None: SQL's unknown

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge,
}  # fmt: skip


@dataclass(frozen=True)
class Facts:
    """What a filter can ask about one run."""

    params: Mapping[str, Any] = field(default_factory=dict)
    metrics: Mapping[str, float] = field(default_factory=dict)  # latest values
    tags: Mapping[str, str] = field(default_factory=dict)
    attributes: Mapping[str, Any] = field(default_factory=dict)  # ATTRIBUTES keys

    @classmethod
    def of_run(cls, run: Run) -> Facts:
        attributes = {
            "run_id": run.id, "name": run.name, "status": run.status, "notebook": run.notebook,
            "cell_id": run.cell_id, "batch": run.batch, "session": run.session,
            "parent": run.parent, "note": run.note, "lifecycle": run.lifecycle,
            "started": run.started, "ended": run.ended, "duration": run.duration,
            "execution_count": run.execution_count,
        }  # fmt: skip
        return cls(run.param_dict(), run.latest_metrics(), run.tags, attributes)


def matcher(expression: str | None) -> Callable[[Facts], bool]:
    """A predicate for ``expression``; errors as the SQL compiler raises them."""
    compile_filter(expression)  # the same FilterError for the same mistake
    node = parse(expression or "")
    return lambda facts: node is None or evaluate(node, facts) is True


def evaluate(node: Node, facts: Facts) -> Truth:
    if isinstance(node, And):
        values = [evaluate(part, facts) for part in node.parts]
        return False if False in values else (None if None in values else True)
    if isinstance(node, Or):
        values = [evaluate(part, facts) for part in node.parts]
        return True if True in values else (None if None in values else False)
    if isinstance(node, Not):
        value = evaluate(node.part, facts)
        return None if value is None else not value
    if isinstance(node, Text):
        return _text(node.text, facts)
    if node.field.kind == "attribute":
        return _attribute(node, facts)
    return _keyed(node, facts)


def _text(text: str, facts: Facts) -> bool:
    needle = text.lower()
    haystack = [facts.attributes.get(k) or "" for k in ("name", "notebook", "note")]
    haystack += [item for pair in facts.tags.items() for item in pair]
    haystack += [item for key, v in facts.params.items() for item in (key, param_text(v))]
    return any(needle in str(item).lower() for item in haystack)


def _attribute(node: Comparison, facts: Facts) -> Truth:
    key = node.field.key
    actual = facts.attributes.get(key)
    if node.op in ("IS NULL", "IS NOT NULL"):
        return (actual is None) == (node.op == "IS NULL")
    if actual is None:
        return None
    if ATTRIBUTES[key] == "text":
        return _compare_text(str(actual), node)
    wanted = tuple(
        time_value(v, node.pos) if ATTRIBUTES[key] == "time" else float(v) for v in node.values
    )
    return _compare_number(float(actual), node.op, wanted)


def _keyed(node: Comparison, facts: Facts) -> bool:
    field_ = node.field
    source: Mapping[str, Any] = {"param": facts.params, "metric": facts.metrics,
                                 "tag": facts.tags}[field_.kind]  # fmt: skip
    if node.op in ("IS NULL", "IS NOT NULL"):
        return (field_.key not in source) == (node.op == "IS NULL")
    if field_.key not in source:
        return False
    value = source[field_.key]
    if field_.kind == "metric":
        number = None if value is None or math.isnan(value) else float(value)
        return number is not None and _compare_number(number, node.op, node.values) is True
    if field_.kind == "tag":
        return _compare_text(str(value), node) is True
    return _param(value, node)


def _param(value: Any, node: Comparison) -> bool:
    text, number = param_text(value), param_number(value)
    if node.op in ("IN", "NOT IN"):
        hit = any(
            (number is not None and number == v) if isinstance(v, float) else text == v
            for v in node.values
        )
        return hit if node.op == "IN" else not hit
    wanted = node.values[0] if node.values else None
    if isinstance(wanted, float) and node.op == "=":
        return number == wanted or text == as_text(wanted)
    if isinstance(wanted, float):
        return number is not None and _compare_number(number, node.op, (wanted,)) is True
    return _compare_text(text, node) is True


def _compare_text(actual: str, node: Comparison) -> bool:
    op = node.op
    if op in ("IN", "NOT IN"):
        hit = actual in [as_text(v) for v in node.values]
        return hit if op == "IN" else not hit
    base = op.removeprefix("NOT ")
    if base in ("LIKE", "ILIKE"):
        flags = re.IGNORECASE if base == "ILIKE" else 0
        hit = re.fullmatch(_like_regex(str(node.values[0])), actual, flags | re.DOTALL) is not None
        return not hit if op.startswith("NOT ") else hit
    return _COMPARE[op](actual, as_text(node.values[0]))


def _compare_number(actual: float, op: str, values: tuple[Value, ...]) -> bool:
    numbers = [float(v) for v in values]
    if op in ("IN", "NOT IN"):
        return (actual in numbers) == (op == "IN")
    return _COMPARE[op](actual, numbers[0])


def _like_regex(pattern: str) -> str:
    return "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
