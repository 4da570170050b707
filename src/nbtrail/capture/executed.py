"""The cells a kernel executed, read as a notebook.

When no notebook file can be found (a plain IPython session, a notebook
deleted since, an output written somewhere unreadable), the executed cells
are the notebook: a run keeps them as its snapshot so it can always be
re-executed. papermill's injected cell is recognised by its leading
``# Parameters`` comment (papermill's default), and the cell executed just
before it is the ``parameters`` cell papermill injected after.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

#: papermill's default comment on the cell it injects.
INJECTED_HEADER = "# Parameters"


def is_injected_cell(source: str) -> bool:
    """True for papermill's injected parameters cell (``# Parameters`` first)."""
    return source.lstrip().partition("\n")[0].strip() == INJECTED_HEADER


@dataclass(frozen=True)
class ExecutedParameters:
    """What the executed cells say about the notebook's parameters."""

    injected: dict[str, Any]  # papermill's values, as injected
    defaults_cell: str | None  # the source of the ``parameters`` cell, when recognised


def executed_parameters(executed: Sequence[str]) -> ExecutedParameters:
    """papermill's injected values and the parameters cell, from executed sources."""
    for index in range(len(executed) - 1, -1, -1):
        if is_injected_cell(executed[index]):
            before = executed[index - 1] if index > 0 else None
            return ExecutedParameters(literal_assignments(executed[index]), before)
    return ExecutedParameters({}, None)


@lru_cache(maxsize=64)
def _assignments(source: str) -> tuple[tuple[str, str], ...]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ()
    found = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name):
            found.append((target.id, json.dumps(_literal(value))))
    return tuple(found)


def _literal(node: ast.expr) -> Any:
    """A literal's value; anything else (a call, a name) as its source text."""
    try:
        return ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return ast.unparse(node)


def literal_assignments(source: str) -> dict[str, Any]:
    """``name = literal`` statements of a cell, in order (non-literals as text)."""
    return {name: json.loads(value) for name, value in _assignments(source)}


def assigned_names(source: str) -> tuple[str, ...]:
    """Names a cell assigns at top level (a ``parameters`` cell's parameters)."""
    return tuple(name for name, _ in _assignments(source))


def reconstructed_notebook(cells: Sequence[str], language: str = "python") -> bytes:
    """A notebook of ``cells`` in execution order, papermill's tags restored.

    Cell ids are derived from position so the same execution always gives
    the same bytes (and so the same content hash). Each cell's JSON is
    cached: a session that grows by one cell per run pays for one cell.
    """
    injected = next((i for i, s in enumerate(cells) if is_injected_cell(s)), None)
    fragments = []
    for index, source in enumerate(cells):
        tags: tuple[str, ...] = ()
        if index == injected:
            tags = ("injected-parameters",)
        elif injected is not None and index == injected - 1:
            tags = ("parameters",)
        fragments.append(_cell_json(index, source, tags))
    metadata = {
        "kernelspec": {"display_name": "Python 3", "language": language, "name": "python3"},
        "language_info": {"name": language},
        "nbtrail": {"reconstructed": True},
    }
    text = (
        '{"cells":[' + ",".join(fragments) + '],"metadata":' + _compact(metadata)
        + ',"nbformat":4,"nbformat_minor":5}'
    )  # fmt: skip
    return text.encode()


@lru_cache(maxsize=4096)
def _cell_json(index: int, source: str, tags: tuple[str, ...]) -> str:
    cell: dict[str, Any] = {
        "cell_type": "code",
        "execution_count": None,
        "id": f"executed-{index + 1}",
        "metadata": {"tags": list(tags)} if tags else {},
        "outputs": [],
        "source": source,
    }
    return _compact(cell)


def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
