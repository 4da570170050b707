"""Which values of a cell are timings: read from a clock, or derived from one.

A re-run never takes the same time, so a value that measures time must not
decide whether a cell reproduced, nor be blamed as a cause. Timings are
found by following clock calls through assignments in the cell's AST:
``t0 = time.time()`` makes ``t0`` a timing, ``elapsed = time.time() - t0``
too (it reads a clock and a timing), and a metric logged from a timing
(``nbtrail.log_metric("fit_seconds", elapsed)``) is a timing metric. Names
found in one cell stay timings in later ones (``t0`` set above, read below).
scikit-learn's own timing keys (``fit_time``, ``mean_score_time``, ...) are
known by name; they are excluded where values are hashed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

#: Functions whose result is a reading of a clock (module attribute or bare name).
CLOCKS = frozenset(
    {
        "time", "time_ns", "perf_counter", "perf_counter_ns", "monotonic", "monotonic_ns",
        "process_time", "process_time_ns", "thread_time", "thread_time_ns",
        "now", "utcnow", "today", "default_timer", "timeit", "repeat",
    }
)  # fmt: skip
#: Modules and classes whose clock functions count (``time.time``, ``datetime.now``).
CLOCK_OWNERS = frozenset({"time", "datetime", "date", "timeit", "pd", "pandas", "Timestamp"})
#: scikit-learn's keys that hold seconds (``cross_validate`` results, ``cv_results_``).
SKLEARN_TIMING_KEYS = frozenset(
    {
        "fit_time", "score_time", "mean_fit_time", "std_fit_time", "mean_score_time",
        "std_score_time", "refit_time_",
    }
)  # fmt: skip
_LOGGERS = frozenset({"log_metric", "log_metrics"})


@dataclass(frozen=True)
class CellTiming:
    """Timing names a cell binds, the metric keys it logs from timings, and whether it
    prints or displays a timing (``print(elapsed)``: a number with no unit to mask)."""

    names: frozenset[str] = frozenset()
    metrics: frozenset[str] = frozenset()
    prints: bool = False


def cell_timing(tree: ast.Module, known: Iterable[str] = ()) -> CellTiming:
    """Timings of one cell, given the timing names earlier cells bound."""
    timing = set(known)
    found: set[str] = set()
    for node in _statements(tree):
        value = _assigned_value(node)
        if value is None or not _reads_time(value, timing):
            continue
        for name in _target_names(node):
            timing.add(name)
            found.add(name)
    metrics = {key for node in ast.walk(tree) for key in _timing_metric_keys(node, timing)}
    last = tree.body[-1] if tree.body else None
    prints = any(_shows_time(node, timing) for node in ast.walk(tree)) or (
        isinstance(last, ast.Expr) and _reads_time(last.value, timing)
    )
    return CellTiming(frozenset(found), frozenset(metrics), prints)


def _shows_time(node: ast.AST, timing: set[str]) -> bool:
    """A ``print``/``display`` call, or the cell's last expression, that reads a timing."""
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name in ("print", "display", "write"):
            return any(
                _reads_time(arg, timing) for arg in [*node.args, *(k.value for k in node.keywords)]
            )
    return False


def _statements(tree: ast.Module) -> Iterable[ast.stmt]:
    """Statements in source order, nested blocks (loops, with, if) included."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            yield node


def _assigned_value(node: ast.stmt) -> ast.expr | None:
    if isinstance(node, ast.Assign | ast.AugAssign):
        return node.value
    if isinstance(node, ast.AnnAssign):
        return node.value
    return None


def _target_names(node: ast.stmt) -> list[str]:
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = list(node.targets)
    elif isinstance(node, ast.AugAssign | ast.AnnAssign):
        targets = [node.target]
    names = []
    for target in targets:
        for sub in ast.walk(target):
            if isinstance(sub, ast.Name):
                names.append(sub.id)
    return names


def _reads_time(expr: ast.expr, timing: set[str]) -> bool:
    """True when the expression calls a clock or reads a timing name."""
    for node in ast.walk(expr):
        if isinstance(node, ast.Name) and node.id in timing:
            return True
        if isinstance(node, ast.Call) and is_clock_call(node):
            return True
    return False


def is_clock_call(call: ast.Call) -> bool:
    """``time.time()``, ``perf_counter()``, ``datetime.now()``, ``timeit.timeit(...)``."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in CLOCKS:
        owner = func.value
        while isinstance(owner, ast.Attribute):  # datetime.datetime.now
            if owner.attr in CLOCK_OWNERS:
                return True
            owner = owner.value
        return isinstance(owner, ast.Name) and owner.id in CLOCK_OWNERS
    return isinstance(func, ast.Name) and func.id in CLOCKS - {"time", "now", "today", "repeat"}


def _timing_metric_keys(node: ast.AST, timing: set[str]) -> list[str]:
    """Literal keys of ``log_metric(s)`` calls whose values come from a clock."""
    if not isinstance(node, ast.Call):
        return []
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name not in _LOGGERS:
        return []
    if name == "log_metric" and len(node.args) >= 2:
        key, value = node.args[0], node.args[1]
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            return [key.value] if _reads_time(value, timing) else []
        return []
    pairs: list[tuple[ast.expr | None, ast.expr]] = []
    if node.args and isinstance(node.args[0], ast.Dict):
        pairs += list(zip(node.args[0].keys, node.args[0].values, strict=True))
    pairs += [(ast.Constant(kw.arg), kw.value) for kw in node.keywords if kw.arg]
    return [
        key.value
        for key, value in pairs
        if isinstance(key, ast.Constant)
        and isinstance(key.value, str)
        and _reads_time(value, timing)
    ]


def is_timing_key(key: str) -> bool:
    """A metric or column name scikit-learn uses for seconds."""
    return key in SKLEARN_TIMING_KEYS or key.rsplit(".", 1)[-1] in SKLEARN_TIMING_KEYS


def without_timing(value: Any) -> Any | None:
    """The value without scikit-learn's timing entries, or None when it has none.

    ``pd.DataFrame(search.cv_results_)`` and ``cross_validate(...)`` hold fit
    and score times beside the scores: a re-run compares the rest.
    """
    keys: Iterable[Any] = ()
    if isinstance(value, dict):
        keys = value.keys()
    elif hasattr(value, "columns") and hasattr(value, "drop"):
        keys = value.columns
    timing = [key for key in keys if isinstance(key, str) and is_timing_key(key)]
    if not timing:
        return None
    if isinstance(value, dict):
        return {key: item for key, item in value.items() if key not in timing}
    return value.drop(columns=timing)
