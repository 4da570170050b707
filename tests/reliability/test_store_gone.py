"""A store deleted or replaced while a kernel runs: one warning, a fresh store."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nbtrail.store import open_store
from notebook_helpers import RunNotebook, stream_text
from test_track_kernel import summaries

pytestmark = pytest.mark.kernel


def test_a_deleted_or_replaced_store_is_noticed(run_notebook: RunNotebook, store_dir: Path) -> None:
    spare = store_dir.parent / "spare"
    open_store(str(spare)).close()  # an empty store, checkpointed: a backup to restore
    nb = run_notebook(
        [
            "%load_ext nbtrail",
            "%%track first\na = 1",
            f"import shutil, os\nshutil.rmtree({str(store_dir)!r})",
            "%%track after_delete\nb = a + 1\nb",
            f"for f in os.listdir({str(store_dir)!r}):\n"
            f"    if f.startswith('nbtrail.db-'): os.remove(os.path.join({str(store_dir)!r}, f))\n"
            f"os.replace({str(spare / 'nbtrail.db')!r}, {str(store_dir / 'nbtrail.db')!r})",
            "%%track after_replace\nc = b + 1",
            "%%track later\nd = c + 1",
        ]
    )
    warnings = [stream_text(cell, "stderr") for cell in nb.cells]
    assert "was deleted or moved" in warnings[3] and warnings[3].count("\n") == 1
    assert "was replaced" in warnings[5] and warnings[5].count("\n") == 1
    assert warnings[6] == ""
    for index in (3, 5, 6):
        assert len(summaries(nb.cells[index].outputs)) == 1
    assert next(o["data"]["text/plain"] for o in nb.cells[3].outputs if "data" in o) == "2"
    names = {r.name for r in open_store(str(store_dir)).list_runs()}
    assert names == {"after_replace", "later"}  # the restored file replaced the rest
    shutil.rmtree(spare, ignore_errors=True)
