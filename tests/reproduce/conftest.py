"""Fixtures for re-run and sweep tests: small notebooks executed in real kernels."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from nbtrail.records import Run
from nbtrail.store import Store, open_store


def write_notebook(path: Path, cells: Sequence[str], params: str | None = None) -> Path:
    """A notebook with an optional papermill ``parameters`` cell first."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    code = []
    if params is not None:
        cell = nbformat.v4.new_code_cell(params)
        cell.metadata["tags"] = ["parameters"]
        code.append(cell)
    code += [nbformat.v4.new_code_cell(source) for source in cells]
    nb.cells = code
    nbformat.write(nb, path)
    return path


@pytest.fixture
def notebook(tmp_path: Path) -> Callable[..., Path]:
    def make(cells: Sequence[str], params: str | None = None, name: str = "analysis") -> Path:
        return write_notebook(tmp_path / f"{name}.ipynb", cells, params)

    return make


@pytest.fixture
def store(store_dir: Path) -> Store:
    return open_store(str(store_dir))


@pytest.fixture
def run_original(store: Store) -> Callable[..., list[Run]]:
    """Execute a notebook as a person would (nbclient), optionally out of order.

    Returns the tracked runs of that kernel session, oldest first.
    """

    def run(path: Path, order: Sequence[int] | None = None) -> list[Run]:
        nb = nbformat.read(path, as_version=4)
        saved = dict(os.environ)
        os.environ.pop("NBTRAIL_NOTEBOOK", None)  # found as papermill's would be: by content
        before = {r.id for r in store.list_runs()}
        try:
            client = NotebookClient(
                nb, kernel_name="python3", timeout=60,
                resources={"metadata": {"path": str(path.parent)}},
            )  # fmt: skip
            if order is None:
                client.execute()
            else:
                with client.setup_kernel():
                    for index in order:
                        client.execute_cell(nb.cells[index], index)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        new = [r for r in store.list_runs() if r.id not in before]
        return [store.get_run(r.id) for r in sorted(new, key=lambda r: r.id)]

    return run
