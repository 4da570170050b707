"""Promotion conditions (``nbtrail models promote --require``): the filter language.

``--require "metrics.accuracy >= 0.95 AND params.solver = 'lbfgs'"`` is an
expression of the one filter language (:mod:`nbtrail.store.filter_syntax`),
checked against what the version copied from its run (its lineage's params
and metrics), so a gate means what the same text means in ``nbtrail runs
--filter``. Each part of a top-level AND is its own gate, with the value seen.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nbtrail.records import GateResult
from nbtrail.store.filter_match import Facts, evaluate, matcher
from nbtrail.store.filter_syntax import And, Comparison, FilterError, Node, parse


def parse_conditions(text: str) -> list[Node]:
    """The gates of an expression; FilterError (one line, with the position) if it is bad."""
    matcher(text)  # the store's own checks: a gate fails to parse where a filter would
    node = parse(text)
    if node is None:
        raise FilterError("--require needs a condition, e.g. 'metrics.accuracy >= 0.95'")
    return list(node.parts) if isinstance(node, And) else [node]


def check(condition: Node, params: Mapping[str, Any], metrics: Mapping[str, float]) -> GateResult:
    """Whether a version's lineage meets one condition, and what it holds."""
    passed = evaluate(condition, Facts(params=params, metrics=metrics)) is True
    return GateResult(describe(condition), passed, _seen(condition, params, metrics))


def describe(node: Node) -> str:
    if isinstance(node, Comparison):
        values = ", ".join(repr(v) if isinstance(v, str) else f"{v:g}" for v in node.values)
        shown = f"({values})" if "IN" in node.op else values
        return f"{node.field} {node.op} {shown}".rstrip()
    return type(node).__name__.lower() + " condition"


def _seen(node: Node, params: Mapping[str, Any], metrics: Mapping[str, float]) -> str:
    if not isinstance(node, Comparison) or node.field.kind not in ("param", "metric"):
        return "checked against the version's params and metrics"
    source = params if node.field.kind == "param" else metrics
    if node.field.key not in source:
        return f"the run has no {node.field.kind} {node.field.key!r}"
    return f"{node.field} is {source[node.field.key]!r}"
