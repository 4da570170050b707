"""Re-running a run whose notebook had unsaved cells, as JupyterLab leaves them."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import start_new_kernel

from nbtrail.reproduce import reproduce
from nbtrail.store import open_store
from notebook_helpers import execute

pytestmark = pytest.mark.kernel

FIT = "%%track fit\nimport nbtrail\ny = x * 10\nnbtrail.log_metric('y', y)"


def test_unsaved_edits_and_cells_are_part_of_the_snapshot(
    tmp_path: Path, store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        nbformat.v4.new_code_cell("%load_ext nbtrail", id="load"),
        nbformat.v4.new_code_cell("x = 1", id="data"),
    ]
    path = tmp_path / "draft.ipynb"
    nbformat.write(nb, path)  # what the user last saved
    monkeypatch.setenv("JPY_SESSION_NAME", str(path))  # what jupyter_server sets
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(tmp_path))
    try:
        execute(kc, "%load_ext nbtrail", "load")
        execute(kc, "x = 2", "data")  # edited, not saved
        execute(kc, FIT, "fit")  # a new cell, not saved
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    store = open_store(str(store_dir))
    (run,) = store.list_runs()
    assert run.latest_metrics() == {"y": 20.0}
    assert sorted(run.extra["notebook"]["unsaved_cells"]) == ["data", "fit"]
    snapshot = nbformat.reads(
        store.object_path(run.extra["notebook"]["hash"]).read_text(), as_version=4
    )
    assert [(c.id, c.source) for c in snapshot.cells] == [
        ("load", "%load_ext nbtrail"), ("data", "x = 2"), ("fit", FIT)
    ]  # fmt: skip
    report = reproduce(run.id, store=store)
    assert report.verdict == "reproduced", report.summary
