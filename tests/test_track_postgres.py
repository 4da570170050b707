"""A real kernel tracking cells into the PostgreSQL store, objects in the configured folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from nbtrail.store import open_store
from notebook_helpers import RunNotebook, stream_text

pytestmark = pytest.mark.kernel


def test_a_kernel_tracks_cells_into_postgresql(
    run_notebook: RunNotebook, pg_url: str, tmp_path: Path
) -> None:
    nb = run_notebook(
        [
            "%load_ext nbtrail",
            "%%track fit -p lr=0.1\nimport nbtrail\nlr = 0.1\nscore = lr * 9\n"
            "nbtrail.log_metric('acc', score)",
            "%%track boom\nraise ValueError('no good')",
        ],
        env={"NBTRAIL_STORE": pg_url},
    )
    text = "".join(stream_text(cell, "stderr") + stream_text(cell, "stdout") for cell in nb.cells)
    assert "nbtrail: could not" not in text, text  # no warning: tracking worked
    store = open_store(pg_url)
    runs = {run.name: run for run in store.list_runs()}
    assert set(runs) == {"fit", "boom"}
    assert runs["fit"].status == "finished" and runs["boom"].status == "failed"
    # a shared store records notebooks relative to this checkout's project
    assert runs["fit"].notebook == "notebook.ipynb"
    assert runs["fit"].latest_metrics() == {"acc": pytest.approx(0.9)}
    fit = store.get_run(runs["fit"].id)
    assert {b.name for b in fit.bindings if b.direction == "out"} >= {"score"}
    snapshot = fit.extra["notebook"]["hash"]
    assert store.has_object(snapshot)
    assert (tmp_path / "objects" / snapshot[:2] / snapshot[2:]).is_file()  # $NBTRAIL_OBJECTS
    assert not (tmp_path / ".nbtrail" / "nbtrail.db").exists()  # nothing went to SQLite
