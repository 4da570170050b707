"""A sweep on a Dask ``LocalCluster`` with the PostgreSQL store records every execution once.

Two worker processes on 127.0.0.1 each start kernels that write their runs to
the PostgreSQL database ``NBTRAIL_STORE`` names, while the sweep in this
process writes the batch: nothing may be lost or written twice.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from nbtrail import config
from nbtrail.records import RunQuery
from nbtrail.reproduce import sweep
from nbtrail.store import open_store

pytestmark = pytest.mark.kernel

EXAMPLE = Path(__file__).parents[2] / "example_notebooks" / "sweep.ipynb"
GRID = {"lr": [0.01, 0.1], "depth": [2, 4]}


@pytest.fixture
def store_location(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``NBTRAIL_STORE``: a database of the throwaway PostgreSQL server (objects in
    ``$NBTRAIL_OBJECTS``), set before the cluster starts so worker processes inherit it.
    (SQLite under Dask is covered by test_sweep.py.)"""
    monkeypatch.setenv("NBTRAIL_STORE", pg_url)
    config.configure(None)
    yield pg_url
    config.configure(None)


def test_a_sweep_on_a_local_cluster_of_processes_records_every_execution_once(
    store_location: str, tmp_path: Path
) -> None:
    from distributed import LocalCluster

    notebook = Path(shutil.copy(EXAMPLE, tmp_path / "sweep.ipynb"))
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:  # fmt: skip
        assert len(cluster.workers) == 2
        result = sweep(notebook, GRID, executor="dask", scheduler=cluster.scheduler_address,
                       metric="score", progress=False)  # fmt: skip
    assert result.executed == 4 and result.failed == 0
    store = open_store(store_location, create=False)
    try:
        batch = store.get_batch(result.batch)
        runs = [store.get_run(r.id) for r in store.list_runs(RunQuery(batch=batch.id))]
        snapshots = {r.extra["notebook"]["hash"] for r in runs}
        assert all(store.has_object(digest) for digest in snapshots)  # in $NBTRAIL_OBJECTS
    finally:
        store.close()
    assert [item.status for item in batch.items] == ["finished"] * 4
    assert batch.executor == "dask"
    items = Counter(run.extra.get("batch_item") for run in runs)
    assert items == Counter(range(4))  # each execution once, none lost, none twice
    assert {(r.param_dict()["lr"], r.param_dict()["depth"]) for r in runs} == {
        (lr, depth) for lr in GRID["lr"] for depth in GRID["depth"]
    }
    assert all(r.status == "finished" and r.latest_metrics()["score"] > 0 for r in runs)
