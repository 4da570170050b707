"""Bad input gives one warning line (or a recorded binding), never an nbtrail traceback,
and the cell's own output is what it would be without nbtrail."""

from __future__ import annotations

from pathlib import Path

import pytest

from nbtrail.store import open_store
from notebook_helpers import RunNotebook, stream_text
from test_track_kernel import summaries, visible

pytestmark = pytest.mark.kernel

NON_UTF8 = 'import os\nopen(os.fsdecode(b"caf\\xe9-\\xff.txt"), "w").write("x")\nprint("wrote")'
NESTED = (
    "z = 5\nget_ipython().run_cell_magic('track', 'inner', 'w = z + 1\\nprint(w)')\nq = w * 2\nq"
)
BIG = "# " + "padding " * 20_000 + "\nbig = 1\nprint('big')\nbig"
FILL = (
    "import nbtrail.tracking as t\n"
    "conn = t.current_tracker().store._conn\n"  # a real SQLITE_FULL, without a full disk
    "pages = conn.execute('PRAGMA page_count').fetchone()[0]\n"
    "conn.execute(f'PRAGMA max_page_count = {pages}').fetchone()"
)


def shown(outputs: list) -> list:
    """What a person sees, stderr aside, with stream chunks joined (flush timing varies)."""
    merged: list = []
    for out in visible(outputs):
        if out["output_type"] == "stream" and out["name"] == "stderr":
            continue
        if out["output_type"] == "stream" and merged and merged[-1].get("name") == out["name"]:
            merged[-1] = {**merged[-1], "text": merged[-1]["text"] + out["text"]}
        else:
            merged.append(out)
    return merged


def test_bad_input_never_breaks_a_cell(run_notebook: RunNotebook, store_dir: Path) -> None:
    nb = run_notebook(
        [
            "%load_ext nbtrail",
            NON_UTF8,
            "%%track nonutf8\n" + NON_UTF8,
            "%%time\n%%track timed\nt = 1 + 1",
            "%%capture captured\n%%track captured\nc = 3\nprint(c)",
            "%%track outer\n" + NESTED,
            NESTED,
            "%%track ok\nbefore_full = 1",
            FILL,
            BIG,
            "%%track full\n" + BIG,
        ]
    )
    cells = nb.cells
    errors = [o for c in cells for o in c.outputs if o["output_type"] == "error"]
    assert not errors, errors
    # a file name that is not UTF-8: recorded, escaped
    assert shown(cells[2].outputs) == shown(cells[1].outputs)
    # %%time above %%track: tracked, the timing printed as without nbtrail
    assert "Wall time" in stream_text(cells[3], "stdout") and not stream_text(cells[3], "stderr")
    # nested: one warning line, the outer run holds the inner body's work
    warning = stream_text(cells[5], "stderr")
    assert warning.count("\n") == 1 and "not a run of its own" in warning
    assert shown(cells[5].outputs) == shown(cells[6].outputs)
    # disk full: one line saying so, no "finished run" line, the output unchanged
    full = stream_text(cells[10], "stderr")
    assert full.count("\n") == 1 and "the disk is full" in full, full
    assert "Traceback" not in full and "rollback" not in full
    assert summaries(cells[10].outputs) == []
    assert shown(cells[10].outputs) == shown(cells[9].outputs)

    store = open_store(str(store_dir))
    runs = {r.name: store.get_run(r.id) for r in store.list_runs()}
    # "inner": run_cell_magic('track') from an untracked cell is a run as usual
    assert set(runs) == {"nonutf8", "timed", "captured", "outer", "inner", "ok"}
    assert {r.status for r in runs.values()} == {"finished"}
    files = [b.name for b in runs["nonutf8"].bindings if b.kind == "file"]
    assert files == ["caf\\xe9-\\xff.txt"]
    assert {b.name for b in runs["timed"].bindings} == {"t"}
    assert {b.name for b in runs["captured"].bindings} >= {"c"}
    assert {b.name for b in runs["outer"].bindings} == {"z", "w", "q"}


def test_a_run_that_cannot_be_written_is_never_announced(
    run_notebook: RunNotebook, store_dir: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the store's folder would be")
    nb = run_notebook(
        ["%load_ext nbtrail", "%%track\nx = 1\nx"], env={"NBTRAIL_STORE": str(blocker / "s")}
    )
    cell = nb.cells[1]
    assert summaries(cell.outputs) == []
    err = stream_text(cell, "stderr")
    assert err.count("\n") == 1 and "could not record the run" in err
    assert [o["data"]["text/plain"] for o in cell.outputs if "data" in o] == ["1"]
