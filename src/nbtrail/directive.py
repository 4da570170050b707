"""Recognising a ``%%track`` cell and parsing its line.

A tracked cell runs as the plain cell it would be without the magic: a cleanup
input transformer drops the ``%%track`` line, and IPython's ``pre_run_cell`` /
``post_run_cell`` events bracket the body. That keeps display of the last
expression, ``%`` magics, top-level ``await`` and exceptions (with the reply's
error status and the very same traceback) exactly as in an untracked cell.
"""

from __future__ import annotations

import ast
import re
from typing import Any

_DIRECTIVE = re.compile(r"^%%track(?:[ \t]+(?P<args>.*))?$")


def split_directive(raw_cell: str) -> tuple[str, str] | None:
    """``(argument line, body)`` when the cell starts with ``%%track``, else None."""
    text = raw_cell.lstrip("\n")
    first, _, body = text.partition("\n")
    match = _DIRECTIVE.match(first.rstrip())
    if match is None or first.rstrip().endswith("?"):
        return None
    return (match.group("args") or "").strip(), body


#: Cell magics that run their body as Python in this kernel: ``%%time`` above
#: ``%%track`` tracks the body (the magic's own output is part of the run's).
WRAPPERS = ("time", "capture")
_MAGIC_LINE = re.compile(r"^%%(?P<name>\w+)\b")


def split_wrapped(raw_cell: str) -> tuple[str, str, str] | None:
    """``(magic, argument line, body)`` for ``%%MAGIC`` then ``%%track``, else None.

    Any cell magic counts here; the caller tracks those in :data:`WRAPPERS`
    and says why it does not track the others.
    """
    text = raw_cell.lstrip("\n")
    first, _, rest = text.partition("\n")
    match = _MAGIC_LINE.match(first)
    if match is None:
        return None
    inner = split_directive(rest)
    if inner is None:
        return None
    return match.group("name"), inner[0], inner[1]


def strip_directive(lines: list[str]) -> list[str]:
    """Cleanup transformer: a ``%%track`` cell becomes its body (pure function)."""
    if not lines or split_directive(lines[0]) is None:
        return lines
    return lines[1:]


def parse_value(text: str) -> Any:
    """A literal when the text is one (1, 0.1, True, 'x', [1, 2]), else the text."""
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return ast.literal_eval(text.strip())
    except (ValueError, SyntaxError):
        return text
