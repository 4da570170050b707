"""``%%track`` in a real kernel (nbclient): behaviour identical to a plain cell."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nbtrail.store import open_store
from notebook_helpers import RunNotebook, stream_text

pytestmark = pytest.mark.kernel


def summaries(outputs: list) -> list[str]:
    """nbtrail's own summary lines: display output marked with nbtrail metadata."""
    return [
        out["data"]["text/plain"]
        for out in outputs
        if out["output_type"] == "display_data" and "nbtrail" in out.get("metadata", {})
    ]


def visible(outputs: list) -> list:
    """Outputs as a person sees them, minus nbtrail's own summary line."""
    shown = []
    for out in outputs:
        out = dict(out)
        out.pop("execution_count", None)
        if out["output_type"] == "display_data" and "nbtrail" in out.get("metadata", {}):
            continue
        if out["output_type"] == "error":
            out["traceback"] = [re.sub(r"In\[\d+\]", "In[N]", line) for line in out["traceback"]]
        shown.append(out)
    return shown


BODY = """\
from IPython.display import HTML, display
print("to stdout")
import sys; print("to stderr", file=sys.stderr)
display(HTML("<b>rich</b>"))
value = 40 + 2
value
"""

FAILING = """\
def inner():
    raise ValueError("boom")
inner()
"""


def test_tracked_cells_look_exactly_like_plain_cells(
    run_notebook: RunNotebook, store_dir: Path
) -> None:
    nb = run_notebook(
        [
            "%load_ext nbtrail",
            BODY,
            "%%track shown\n" + BODY,
            "%%track --quiet\n" + BODY,
            FAILING,
            "%%track fails\n" + FAILING,
            "after = 1",
        ]
    )
    plain, tracked, quiet = nb.cells[1], nb.cells[2], nb.cells[3]
    assert visible(tracked.outputs) == visible(plain.outputs)
    assert [dict(o, execution_count=None) for o in quiet.outputs] == [
        dict(o, execution_count=None) for o in plain.outputs
    ]
    summary = summaries(tracked.outputs)
    assert len(summary) == 1 and "finished run" in summary[0] and "'shown'" in summary[0]
    assert stream_text(tracked, "stderr") == stream_text(plain, "stderr")  # stderr untouched

    assert visible(nb.cells[5].outputs) == visible(nb.cells[4].outputs)
    assert [o["output_type"] for o in nb.cells[5].outputs] == ["error", "display_data"]
    assert "failed run" in summaries(nb.cells[5].outputs)[0]

    store = open_store(str(store_dir), create=False)
    runs = {run.name: store.get_run(run.id) for run in store.list_runs()}
    assert set(runs) == {"shown", "In [4]", "fails"}
    failed = runs["fails"]
    assert failed.status == "failed"
    assert failed.exception is not None
    assert (failed.exception.type, failed.exception.message) == ("ValueError", "boom")
    assert (
        "inner()" in failed.exception.traceback and "IPython/core" not in failed.exception.traceback
    )
    shown = runs["shown"]
    assert shown.status == "finished" and shown.source == BODY
    assert shown.cell_id == nb.cells[2].id and shown.execution_count == 3
    assert shown.notebook == "notebook.ipynb"  # relative to the project (store's parent)
    out = {b.name: b for b in shown.bindings if b.direction == "out"}
    assert out["value"].kind == "scalar" and out["value"].summary["value"] == 42
    assert shown.extra["output"]["stdout"] == "to stdout\n"
    assert "text/html" in shown.extra["output"]["display_types"]


def test_params_metrics_inputs_and_outputs_are_recorded(
    run_notebook: RunNotebook, store_dir: Path
) -> None:
    nb = run_notebook(
        [
            "%load_ext nbtrail\nimport nbtrail\nimport numpy as np",
            "data = np.arange(12.0).reshape(3, 4)\nscale = 2",
            "%%track train -p lr=0.1 -p optimizer=adam -t exp1\nscaled = data * scale\n"
            'for step in range(3):\n    nbtrail.log_metric("loss", 1.0 / (step + 1), step=step)\n'
            'nbtrail.log_params(batch=32)\nnbtrail.log_metric("acc", 0.75)',
            "nbtrail.log_metric('acc', 1.0)",
            "import asyncio\n",
            "%%track awaited\nawait asyncio.sleep(0)\n%time later = scale + 1",
            "%%track interrupted\nraise KeyboardInterrupt",
        ]
    )
    assert "NoActiveRun" in nb.cells[3].outputs[-1]["ename"]
    assert "no tracked cell is running" in nb.cells[3].outputs[-1]["evalue"]
    store = open_store(str(store_dir), create=False)
    runs = {run.name: store.get_run(run.id) for run in store.list_runs()}
    train = runs["train"]
    assert train.tags == {"exp1": ""}
    assert train.param_dict() == {"lr": 0.1, "optimizer": "adam", "batch": 32}
    assert {p.key: p.origin for p in train.params} == {
        "lr": "magic",
        "optimizer": "magic",
        "batch": "api",
    }
    assert [m.value for m in train.metrics if m.key == "loss"] == [1.0, 0.5, 1.0 / 3]
    assert train.latest_metrics() == {"loss": 1.0 / 3, "acc": 0.75}
    inputs = {b.name: b for b in train.bindings if b.direction == "in"}
    outputs = {b.name: b for b in train.bindings if b.direction == "out"}
    assert set(inputs) >= {"data", "scale"} and "scaled" in outputs
    assert inputs["data"].kind == "ndarray" and len(inputs["data"].hash or "") == 32
    assert outputs["scaled"].hash != inputs["data"].hash
    assert train.env_hash and store.get_environment(train.env_hash) is not None
    awaited = runs["awaited"]
    assert awaited.status == "finished"
    assert {b.name for b in awaited.bindings if b.direction == "out"} == {"later"}
    assert runs["interrupted"].status == "interrupted"


def test_an_unwritable_store_leaves_the_cell_intact(
    run_notebook: RunNotebook, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store folder should be")
    nb = run_notebook(
        ["%load_ext nbtrail", "%%track\nprint('work done')\nresult = 6 * 7\nresult", "result + 1"],
        env={"NBTRAIL_STORE": str(blocker / ".nbtrail")},
    )
    cell = nb.cells[1]
    assert stream_text(cell, "stdout") == "work done\n"
    results = [o for o in cell.outputs if o["output_type"] == "execute_result"]
    assert results[0]["data"]["text/plain"] == "42"
    warnings = stream_text(cell, "stderr").strip().splitlines()
    assert len(warnings) == 1 and warnings[0].startswith("nbtrail: could not record the run")
    assert nb.cells[2].outputs[-1]["data"]["text/plain"] == "43"


def test_bad_track_arguments_warn_and_run_the_cell(
    run_notebook: RunNotebook, store_dir: Path
) -> None:
    nb = run_notebook(["%load_ext nbtrail", "%%track --no-such-flag\nprint('ran')"])
    assert stream_text(nb.cells[1], "stdout") == "ran\n"
    assert "cell runs untracked" in stream_text(nb.cells[1], "stderr")


def test_cli_diff_names_the_column_whose_statistics_moved(
    run_notebook: RunNotebook, store_dir: Path
) -> None:
    import subprocess
    import sys

    run_notebook(
        [
            "%load_ext nbtrail\nimport numpy as np, pandas as pd",
            "df = pd.DataFrame({'price': np.arange(100.0), 'qty': np.arange(100) % 7})",
            "%%track fit\nmodel_input = df.describe()",
            "df['price'] = df['price'] * 1.5",
            "%%track fit\nmodel_input = df.describe()",
        ]
    )
    first, second = sorted(open_store(str(store_dir)).list_runs(), key=lambda r: r.id)
    result = subprocess.run(
        [sys.executable, "-m", "nbtrail.cli", "diff", first.id, second.id],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "in df:" in result.stdout
    assert "columns.price.mean: 49.5 -> 74.25" in result.stdout
    assert "columns.qty" not in result.stdout
