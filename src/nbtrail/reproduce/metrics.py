"""Which metrics a notebook's tracked cells log, and what ``--metric`` names.

Two cells often log the same key (a forest's and a logistic regression's
``accuracy``); one number per sweep row would then be whichever cell ran
last. Keys logged by several cells are qualified by the cell's run name
(``forest.accuracy``); keys of one cell stay as they are. The notebook is
read before anything runs, so a ``--metric`` that no cell logs, or that is
ambiguous, is a usage error up front instead of a surprise after the grid.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat

from nbtrail.capture.names import parse_cell
from nbtrail.directive import split_directive
from nbtrail.errors import NbtrailError
from nbtrail.records import Run
from nbtrail.reproduce.errors import ParameterError
from nbtrail.tracking.text import default_name


@dataclass(frozen=True)
class NotebookMetrics:
    """Metric keys each tracked cell logs (by run name); ``dynamic`` when some key is computed."""

    by_cell: dict[str, frozenset[str]]
    dynamic: bool = False

    def cells_logging(self, key: str) -> list[str]:
        return [name for name, keys in self.by_cell.items() if key in keys]


def notebook_metrics(path: str | Path) -> NotebookMetrics:
    """Read the notebook's ``%%track`` cells for their literal ``log_metric(s)`` keys."""
    from nbtrail.magics import parse_track_line

    notebook = nbformat.read(str(path), as_version=4)
    by_cell: dict[str, frozenset[str]] = {}
    dynamic = False
    count = 0
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        count += 1
        directive = split_directive(cell.source)
        if directive is None:
            continue
        line, body = directive
        try:
            name = parse_track_line(line).name or default_name(body, count)
            keys, computed = _logged_keys(parse_cell(body))
        except (NbtrailError, SyntaxError, ValueError):
            dynamic = True
            continue
        by_cell[name] = by_cell.get(name, frozenset()) | keys
        dynamic = dynamic or computed
    return NotebookMetrics(by_cell, dynamic)


def _logged_keys(tree: ast.Module) -> tuple[frozenset[str], bool]:
    keys: set[str] = set()
    computed = False
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name == "log_metric" and node.args:
            literal = _literal_key(node.args[0])
            computed = computed or literal is None
            keys.update([literal] if literal else [])
        elif name == "log_metrics":
            found, unknown = _dict_keys(node)
            keys.update(found)
            computed = computed or unknown
    return frozenset(keys), computed


def _dict_keys(node: ast.Call) -> tuple[list[str], bool]:
    found = [kw.arg for kw in node.keywords if kw.arg]
    unknown = any(kw.arg is None for kw in node.keywords)
    if node.args:
        arg = node.args[0]
        if isinstance(arg, ast.Dict):
            literal = [_literal_key(key) if key is not None else None for key in arg.keys]
            found += [key for key in literal if key]
            unknown = unknown or None in literal
        else:
            unknown = True
    return found, unknown


def _literal_key(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def resolve_metric(metric: str, metrics: NotebookMetrics) -> str:
    """The column ``metric`` names in sweep results; ParameterError when it names none."""
    cell, dot, key = metric.partition(".")
    if dot and cell in metrics.by_cell and key in metrics.by_cell[cell]:
        return metric if len(metrics.cells_logging(key)) > 1 else key
    cells = metrics.cells_logging(metric)
    if len(cells) == 1:
        return metric
    if len(cells) > 1:
        options = " or ".join(f"{name}.{metric}" for name in cells)
        raise ParameterError(f"metric {metric!r} is logged by several cells: use {options}")
    if metrics.dynamic:
        return metric  # a key computed at run time may be this one
    known = sorted(qualified_keys(metrics))
    raise ParameterError(
        f"no tracked cell logs a metric {metric!r} (logged: {', '.join(known) or 'none'})"
    )


def qualified_keys(metrics: NotebookMetrics) -> set[str]:
    """Every metric as sweep results name it."""
    return {
        f"{name}.{key}" if len(metrics.cells_logging(key)) > 1 else key
        for name, cell_keys in metrics.by_cell.items()
        for key in cell_keys
    }


def row_metrics(runs: Sequence[Run], shared: Iterable[str]) -> dict[str, float]:
    """One execution's metrics: keys that several cells log, qualified by cell name."""
    qualify = set(shared)
    values: dict[str, float] = {}
    for run in runs:  # later cells win for unqualified keys: the notebook's final word
        for key, value in run.latest_metrics().items():
            values[f"{run.name}.{key}" if key in qualify else key] = value
    return values


def shared_keys(runs_by_item: Mapping[int, Sequence[Run]]) -> set[str]:
    """Keys logged by runs of more than one cell name within one execution."""
    shared: set[str] = set()
    for runs in runs_by_item.values():
        cells: dict[str, set[str]] = {}
        for run in runs:
            for key in run.latest_metrics():
                cells.setdefault(key, set()).add(run.name)
        shared |= {key for key, names in cells.items() if len(names) > 1}
    return shared
