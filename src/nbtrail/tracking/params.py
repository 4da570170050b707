"""A run's notebook parameters: the ones its cell reads, with the value in effect.

A notebook's ``parameters`` cell (papermill's convention) holds settings for
the whole notebook, but a run is one cell: a random forest does not depend on
the ``C`` meant for a logistic regression. So a run's notebook parameters are
the names the ``parameters`` cell assigns (or papermill injected) that the
cell reads, with the value the cell sees (papermill's, else the default).
Every execution, original, re-run or sweep item, follows the same rule, so an
identical re-run records identical params.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nbtrail.capture.discovery import code_sources
from nbtrail.capture.executed import ExecutedParameters, assigned_names, executed_parameters
from nbtrail.capture.notebook import parameter_names
from nbtrail.records import Param

#: The origin recorded on parameters that come from the notebook.
NOTEBOOK_ORIGIN = "notebook"


@dataclass(frozen=True)
class NotebookParameters:
    """The notebook's parameter names and papermill's injected values, if any."""

    names: tuple[str, ...] = ()
    injected: dict[str, Any] = field(default_factory=dict)


def notebook_parameters(executed: Sequence[str], notebook_file: str | None) -> NotebookParameters:
    """Names from the file's ``parameters`` cell, else the executed one, plus injected names.

    A cell the notebook file itself holds was not injected, whatever its
    first line says: people write ``# Parameters`` on their own cells too.
    """
    found = executed_parameters(executed)
    if found.injected and notebook_file and _in_file(executed[-1], notebook_file):
        found = ExecutedParameters({}, None)
    names = parameter_names(notebook_file) if notebook_file else ()
    if not names and found.defaults_cell is not None:
        names = assigned_names(found.defaults_cell)
    names = tuple(dict.fromkeys([*names, *found.injected]))
    return NotebookParameters(names, found.injected)


def params_read(
    parameters: NotebookParameters, reads: Iterable[str], namespace: Mapping[str, Any]
) -> list[Param]:
    """The notebook parameters this cell reads, valued as the cell will see them."""
    known = set(parameters.names)
    return [
        Param(name, namespace[name], NOTEBOOK_ORIGIN)
        for name in dict.fromkeys(reads)
        if name in known and name in namespace and is_plain(namespace[name])
    ]


def is_plain(value: Any) -> bool:
    """JSON scalars and small lists of them: what a parameters cell holds."""
    if value is None or isinstance(value, str | int | float | bool):
        return True
    return isinstance(value, list | tuple) and len(value) <= 50 and all(map(is_plain, value))


def _in_file(source: str, notebook_file: str) -> bool:
    return source.strip() in (code_sources(Path(notebook_file)) or ())
