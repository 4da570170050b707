"""Helpers for tests that look at executed notebooks."""

from __future__ import annotations

import time
from collections.abc import Callable
from queue import Empty
from typing import Any

import nbformat

RunNotebook = Callable[..., nbformat.NotebookNode]


def stream_text(cell: nbformat.NotebookNode, name: str) -> str:
    return "".join(
        o["text"] for o in cell.outputs if o["output_type"] == "stream" and o["name"] == name
    )


def execute(kc: Any, code: str, cell_id: str) -> None:
    """Send code the way JupyterLab does: with the cell's id in the metadata."""
    content = {"code": code, "silent": False, "store_history": True, "user_expressions": {},
               "allow_stdin": False, "stop_on_error": True}  # fmt: skip
    msg = kc.session.msg("execute_request", content, metadata={"cellId": cell_id})
    kc.shell_channel.send(msg)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            reply = kc.get_shell_msg(timeout=1)
        except Empty:
            continue
        if reply["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
            assert reply["content"]["status"] == "ok", reply["content"]
            return
    raise TimeoutError(code)
