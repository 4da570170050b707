"""The example notebook in a real kernel: widgets, a comparison, plots, live refresh."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

pytestmark = pytest.mark.kernel

EXAMPLE = Path(__file__).parents[2] / "example_notebooks" / "compare.ipynb"
WIDGET = "application/vnd.jupyter.widget-view+json"

#: Appended to the example: a browser opened before a new run must show it.
LIVE_CELLS = [
    "explorer = nbtrail.show(all=True)\nbefore = len(explorer.browser.runs)",
    "%%track late\nnbtrail.log_metric('accuracy', 0.5)",
    "print(len(explorer.browser.runs) - before, explorer.browser.rows()[1][1])",
    "%nbtrail runs --all --limit 5",
]


def execute(path: Path, store_dir: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    nb.cells += [nbformat.v4.new_code_cell(source) for source in LIVE_CELLS]
    saved = dict(os.environ)
    os.environ["NBTRAIL_NOTEBOOK"] = str(path)
    try:
        NotebookClient(
            nb,
            kernel_name="python3",
            timeout=120,
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return nb


def test_example_notebook_shows_browser_comparison_and_plots(
    tmp_path: Path, store_dir: Path
) -> None:
    path = tmp_path / "compare.ipynb"
    path.write_text(EXAMPLE.read_text())
    nb = execute(path, store_dir)

    results = [out for cell in nb.cells for out in cell.get("outputs", [])]
    assert not [out for out in results if out["output_type"] == "error"]
    widgets = [out for out in results if WIDGET in out.get("data", {})]
    assert len(widgets) == 3  # show(), show(select=...) and %nbtrail runs
    assert all("nbtrail-runs" in out["data"]["text/html"] for out in widgets)
    assert sum("image/png" in out.get("data", {}) for out in results) == 3
    cards = [
        out for out in results if 'class="nbtrail-run"' in out.get("data", {}).get("text/html", "")
    ]
    assert len(cards) == 1

    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    html = [m["state"].get("value", "") for m in state.values() if m["model_name"] == "HTMLModel"]
    comparison = [value for value in html if "nbtrail-compare" in value]
    assert any("nbtrail-differs" in value and "accuracy" in value for value in comparison)

    live = "".join(out.get("text", "") for out in nb.cells[-2].outputs)
    assert live.split() == ["1", "late"]
    assert "late" in nb.cells[-1].outputs[0]["data"]["text/plain"]
