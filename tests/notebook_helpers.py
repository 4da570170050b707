"""Helpers for tests that look at executed notebooks."""

from __future__ import annotations

from collections.abc import Callable

import nbformat

RunNotebook = Callable[..., nbformat.NotebookNode]


def stream_text(cell: nbformat.NotebookNode, name: str) -> str:
    return "".join(
        o["text"] for o in cell.outputs if o["output_type"] == "stream" and o["name"] == name
    )
