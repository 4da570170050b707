"""Facts read from the notebook file a kernel is executing.

JupyterLab sends each cell's id with the execute request; nbclient and
papermill do not. When the notebook's path is known, a cell whose source
matches exactly one code cell of the file gets that cell's id, so runs from
papermill line up with the notebook as reliably as runs from JupyterLab.
"""

from __future__ import annotations

import json
import os
from collections.abc import Container, Mapping
from functools import lru_cache
from typing import Any

from nbtrail.capture.lineage import NotebookCell


def cell_id_for_source(path: str, source: str, taken: Container[str] = ()) -> str | None:
    """The id of the code cell of ``path`` whose source is ``source``.

    Several cells may hold the same code; nbclient runs them top to bottom,
    so the first one not ``taken`` (already run) is the one running now.
    """
    try:
        stat = os.stat(path)
    except OSError:
        return None
    matches = _ids_by_source(path, stat.st_mtime_ns, stat.st_size).get(source.strip(), ())
    if len(matches) <= 1:
        return matches[0] if matches else None
    return next((cell_id for cell_id in matches if cell_id not in taken), None)


@lru_cache(maxsize=32)
def _ids_by_source(path: str, mtime_ns: int, size: int) -> dict[str, tuple[str, ...]]:
    """Code cells' ids keyed by stripped source; cached per file version."""
    found: dict[str, list[str]] = {}
    for cell_id, text in _code_cells(path):
        found.setdefault(text.strip(), []).append(cell_id)
    return {key: tuple(ids) for key, ids in found.items()}


def notebook_cells(path: str) -> dict[str, NotebookCell]:
    """Code cells of the saved notebook by id: position and source hash."""
    try:
        stat = os.stat(path)
    except OSError:
        return {}
    return _notebook_cells(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=32)
def _notebook_cells(path: str, mtime_ns: int, size: int) -> dict[str, NotebookCell]:
    from nbtrail.capture.hashing import hash_text

    cells: dict[str, NotebookCell] = {}
    for position, (cell_id, text) in enumerate(_code_cells(path)):
        cells[cell_id] = NotebookCell(position, hash_text(text)[:12])
    return cells


def _code_cells(path: str) -> list[tuple[str, str]]:
    try:
        with open(path, encoding="utf-8") as handle:
            notebook = json.load(handle)
    except (OSError, ValueError):
        return []
    found = []
    for cell in notebook.get("cells", ()):
        if cell.get("cell_type") == "code" and "id" in cell:
            source = cell.get("source", "")
            text = "".join(source) if isinstance(source, list) else str(source)
            found.append((str(cell["id"]), text))
    return found


def parameter_names(path: str) -> tuple[str, ...]:
    """Names assigned in the notebook's cell tagged ``parameters`` (papermill's)."""
    try:
        stat = os.stat(path)
    except OSError:
        return ()
    return _parameter_names(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=32)
def _parameter_names(path: str, mtime_ns: int, size: int) -> tuple[str, ...]:
    import ast

    try:
        with open(path, encoding="utf-8") as handle:
            notebook = json.load(handle)
    except (OSError, ValueError):
        return ()
    for cell in notebook.get("cells", ()):
        if "parameters" in cell.get("metadata", {}).get("tags", ()):
            source = cell.get("source", "")
            text = "".join(source) if isinstance(source, list) else str(source)
            try:
                tree = ast.parse(text)
            except SyntaxError:
                return ()
            return tuple(
                target.id
                for node in tree.body
                if isinstance(node, ast.Assign | ast.AnnAssign)
                for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
                if isinstance(target, ast.Name)
            )
    return ()


def patched_notebook(
    path: str, ran: Mapping[str, str], after: Mapping[str, str | None]
) -> tuple[bytes, list[str]] | None:
    """The notebook as this kernel ran it, or None when the file already is.

    JupyterLab runs cells the user has not saved: the file on disk may hold
    older code or lack a cell altogether. ``ran`` maps each cell id the kernel
    executed to the source it last ran; those sources replace the file's, and a
    missing cell is inserted after the cell that ran before it (``after``).
    Outputs are dropped: a re-run executes the code, it never reads them.
    """
    on_disk = dict(_code_cells(path))
    changed = [cid for cid, source in ran.items() if on_disk.get(cid) != source]
    if not changed:
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            notebook = json.load(handle)
    except (OSError, ValueError):
        return None
    cells: list[dict[str, Any]] = notebook.get("cells", [])
    for cell in cells:
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
            if cell.get("id") in ran:
                cell["source"] = ran[cell["id"]]
    for cid in changed:
        if cid in on_disk:
            continue
        new: dict[str, Any] = {"cell_type": "code", "id": cid, "metadata": {}, "source": ran[cid],
               "outputs": [], "execution_count": None}  # fmt: skip
        positions = {cell.get("id"): i for i, cell in enumerate(cells)}
        previous = after.get(cid)
        cells.insert(positions[previous] + 1 if previous in positions else len(cells), new)
    notebook["cells"] = cells
    return json.dumps(notebook, sort_keys=True, indent=1).encode(), changed
