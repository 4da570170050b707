"""A sweep on a Dask ``LocalCluster`` of worker processes records every execution once.

Two worker processes on 127.0.0.1 each start kernels that write their runs to
the store ``NBTRAIL_STORE`` names, while the sweep in this process writes the
batch: nothing may be lost or written twice.
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


@pytest.fixture(params=["sqlite"])
def store_location(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """``NBTRAIL_STORE`` for the sweep, its workers and their kernels."""
    location = str(tmp_path / ".nbtrail")
    monkeypatch.setenv("NBTRAIL_STORE", location)
    config.configure(None)
    yield location
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
        runs = store.list_runs(RunQuery(batch=batch.id))
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
