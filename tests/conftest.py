"""Shared fixtures: a fresh store per test and a real kernel to run notebooks in."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from nbtrail import config
from notebook_helpers import RunNotebook
from pg_cluster import Cluster


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """A throwaway PostgreSQL server on 127.0.0.1 for this worker, stopped at the end."""
    cluster = Cluster().start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_url(pg_cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh database (with its password in the URL); objects in this test's folder."""
    monkeypatch.setenv("NBTRAIL_OBJECTS", str(tmp_path / "objects"))
    config.configure(None)
    return pg_cluster.url(pg_cluster.new_database())


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new store's location on each backend: the store tests run against both."""
    if request.param == "sqlite":
        return str(tmp_path / ".nbtrail")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def store_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store folder of this test's own, also seen by kernels it starts."""
    folder = tmp_path / ".nbtrail"
    monkeypatch.setenv("NBTRAIL_STORE", str(folder))
    config.configure(None)
    return folder


@pytest.fixture
def run_notebook(tmp_path: Path, store_dir: Path) -> RunNotebook:
    """Execute cells in a real python3 kernel (nbclient), in ``tmp_path``."""

    def run(cells: list[str], *, allow_errors: bool = True, env: dict[str, str] | None = None,
            timeout: int = 120) -> nbformat.NotebookNode:  # fmt: skip
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
        path = tmp_path / "notebook.ipynb"
        nbformat.write(nb, path)  # so runs can find their cell ids, as under papermill
        saved = dict(os.environ)
        os.environ.update(env or {})  # the kernel finds notebook.ipynb by its content
        try:
            client = NotebookClient(
                nb,
                kernel_name="python3",
                timeout=timeout,
                allow_errors=allow_errors,
                resources={"metadata": {"path": str(tmp_path)}},
            )
            client.execute()
        finally:
            os.environ.clear()
            os.environ.update(saved)
        return nb

    return run
