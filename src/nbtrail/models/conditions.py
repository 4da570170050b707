"""Promotion conditions: ``metrics.X OP N`` and ``params.X OP V`` joined by AND.

A deliberately small parser for ``nbtrail models promote --require``. It should
be replaced by the shared filter language (MLflow's search syntax subset) once
that exists; the grammar here is a subset of it, so expressions keep working.

    condition := ("metrics" | "params") "." KEY OP VALUE
    OP        := "=" | "==" | "!=" | "<" | "<=" | ">" | ">="
    VALUE     := number | 'text' | "text" | true | false
    expr      := condition ("AND" condition)*       (AND in any case)
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from nbtrail.errors import NbtrailError
from nbtrail.records import GateResult

OPS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<key>(?:metrics|params)\.(?:`[^`]+`|[A-Za-z0-9_.\-/:]+))
    | (?P<op><=|>=|==|!=|=|<|>)
    | (?P<string>'[^']*'|"[^"]*")
    | (?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
    | (?P<word>[A-Za-z_]+)
    )""",
    re.VERBOSE,
)


class ConditionError(NbtrailError):
    """A ``--require`` expression that cannot be parsed."""


@dataclass(frozen=True)
class Condition:
    scope: str  # "metrics" or "params"
    key: str
    op: str
    value: Any

    def __str__(self) -> str:
        value = repr(self.value) if isinstance(self.value, str) else self.value
        return f"{self.scope}.{self.key} {self.op} {value}"

    def check(self, params: Mapping[str, Any], metrics: Mapping[str, float]) -> GateResult:
        """Whether a run's latest metrics / params meet this condition, with the value seen."""
        source: Mapping[str, Any] = metrics if self.scope == "metrics" else params
        if self.key not in source:
            return GateResult(str(self), False, f"the run has no {self.scope[:-1]} {self.key!r}")
        actual = source[self.key]
        passed = _compare(actual, self.op, self.value)
        return GateResult(str(self), passed, f"{self.scope}.{self.key} is {actual!r}")


def _compare(actual: Any, op: str, expected: Any) -> bool:
    numbers = all(_is_number(v) for v in (actual, expected))
    if numbers:
        if isinstance(actual, float) and math.isnan(actual):
            return False
        return OPS[op](actual, expected)
    if op in ("=", "==", "!="):
        return OPS[op](actual, expected)
    return False  # text or bool ordered against a number: not met


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def parse_conditions(text: str) -> list[Condition]:
    """Parse an expression; raises ConditionError (one line) on anything else."""
    tokens = _tokens(text)
    if not tokens:
        raise ConditionError("empty --require expression")
    conditions: list[Condition] = []
    position = 0
    while True:
        if len(tokens) - position < 3:
            raise ConditionError(f"incomplete condition at the end of {text!r}")
        (k_kind, key), (o_kind, op), (v_kind, raw) = tokens[position : position + 3]
        if k_kind != "key":
            raise ConditionError(f"expected metrics.NAME or params.NAME, got {key!r} in {text!r}")
        if o_kind != "op":
            raise ConditionError(f"expected a comparison after {key}, got {op!r}")
        scope, name = key.split(".", 1)
        conditions.append(Condition(scope, name.strip("`"), op, _value(v_kind, raw, scope)))
        position += 3
        if position == len(tokens):
            return conditions
        kind, word = tokens[position]
        if kind != "word" or word.upper() != "AND":
            raise ConditionError(f"expected AND, got {word!r} in {text!r} (only AND is supported)")
        position += 1


def _value(kind: str, raw: str, scope: str) -> Any:
    if kind == "number":
        number = float(raw)
        return int(number) if number.is_integer() and re.fullmatch(r"[-+]?\d+", raw) else number
    if kind == "string":
        return raw[1:-1]
    if kind == "word" and raw.lower() in ("true", "false") and scope == "params":
        return raw.lower() == "true"
    raise ConditionError(f"expected a number or a quoted text, got {raw!r}")


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ConditionError(f"cannot read {text[position:].strip()!r} in {text!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match[kind]))
        position = match.end()
    return tokens
