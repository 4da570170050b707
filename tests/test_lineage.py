"""Hidden state: reads of values written by code a fresh run would not run."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import start_new_kernel

from nbtrail.capture.lineage import Lineage, NotebookCell, Writer
from nbtrail.store import open_store
from notebook_helpers import execute


def test_rerun_with_other_code_edit_deletion_and_order() -> None:
    lineage = Lineage()
    lineage.record(Writer("a", 1, "h1"), ["x", "y", "z"])
    lineage.record(Writer("b", 2, "h2"), ["w"])
    lineage.record(Writer("a", 3, "h1-new"), ["other"])  # cell a re-ran without writing x..z
    notebook = {
        "a": NotebookCell(0, "h1-new"),
        "b": NotebookCell(5, "h2"),
        "t": NotebookCell(3, "ht"),
    }
    found = {
        item["name"]: item["reason"]
        for item in lineage.hidden_state(["x", "w", "other"], "t", notebook)
    }
    assert "since run different code" in str(found["x"])
    assert "further down" in str(found["w"])
    assert "other" not in found
    lineage.record(Writer("gone", 4, "h4"), ["v"])
    lineage.record(Writer("b", 6, "h2"), ["u"])
    edited = {"b": NotebookCell(1, "h2-edited"), "t": NotebookCell(3, "ht")}
    reasons = {i["name"]: i["reason"] for i in lineage.hidden_state(["v", "u"], "t", edited)}
    assert "no longer in the notebook" in str(reasons["v"])
    assert "edited since" in str(reasons["u"])
    assert lineage.hidden_state(["unknown"], "t", notebook) == []


@pytest.mark.kernel
def test_a_kernel_flags_reads_of_hidden_state(tmp_path: Path, store_dir: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    nb = nbformat.v4.new_notebook()
    cells = {"load": "%load_ext nbtrail", "uses": "%%track uses\ny = x + seed",
             "x": "x = 10", "seed": "seed = 1"}  # fmt: skip
    # The saved notebook: "seed = 1" sits below the tracked cell that reads it.
    order = ["load", "x", "uses", "seed"]
    nb.cells = [nbformat.v4.new_code_cell(cells[key], id=key) for key in order]
    path = tmp_path / "order.ipynb"
    nbformat.write(nb, path)
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))  # what jupyter_server sets
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(tmp_path))
    try:
        execute(kc, cells["load"], "load")
        execute(kc, "x = 1", "x")  # an earlier version of cell "x"
        execute(kc, "x_unused = 0", "x")  # re-run with code that no longer writes x
        execute(kc, cells["seed"], "seed")  # run before the cell above it
        execute(kc, cells["uses"], "uses")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    (run,) = [r for r in open_store(str(store_dir)).list_runs() if r.name == "uses"]
    reasons = {item["name"]: item["reason"] for item in run.extra["hidden_state"]}
    assert set(reasons) == {"x", "seed"}, json.dumps(run.extra["hidden_state"])
    assert "different code" in reasons["x"] and "further down" in reasons["seed"]
    assert run.cell_id == "uses"
