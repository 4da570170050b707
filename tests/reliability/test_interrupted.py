"""Every started run is accounted for: a SIGKILLed kernel's run shows as interrupted."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from nbtrail.store import open_store
from reliability.kernels import kernel, kill_when, run

pytestmark = pytest.mark.kernel


@pytest.fixture(params=["sqlite", "postgresql"])
def where(request: pytest.FixtureRequest, store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The store kernels write: the folder (start records in its journal) or a database
    (start records in its ``running`` table)."""
    if request.param == "sqlite":
        return str(store_dir)
    url = str(request.getfixturevalue("pg_url"))
    monkeypatch.setenv("NBTRAIL_STORE", url)
    return url


DOOMED = """%%track doomed -p lr=0.5
import time
total = sum(data)
nbtrail.log_metric("loss", 0.9, step=0)
time.sleep(120)
"""


def test_a_killed_kernels_run_is_interrupted_with_what_was_known(
    tmp_path: Path, where: str
) -> None:
    with kernel(tmp_path) as (km, kc):
        run(kc, "import nbtrail\ndata = [1, 2, 3]")
        run(kc, "%%track before\nx = 1")
        reader = open_store(where)  # held open, like the server's
        kc.execute(DOOMED)

        def logged() -> bool:  # the metric's rewrite of the start record, not only the start
            return any(run.metrics for run in reader.running_runs())

        kill_when(km, logged)
    time.sleep(1.1)  # an open store looks again at most once a second
    listed = {r.name: r for r in reader.list_runs()}
    assert listed["before"].status == "finished"
    assert listed["doomed"].status == "interrupted"
    fresh = open_store(where)
    doomed = fresh.get_run(listed["doomed"].id)
    assert doomed.status == "interrupted" and doomed.exception is not None
    assert doomed.exception.type == "KernelDied"
    assert doomed.source.startswith("import time\ntotal = sum(data)")
    assert [(b.name, b.direction, b.summary.get("value")) for b in doomed.bindings] == [
        ("data", "in", [1, 2, 3])
    ]
    assert {p.key: p.value for p in doomed.params} == {"lr": 0.5}
    assert [(m.key, m.value, m.step) for m in doomed.metrics] == [("loss", 0.9, 0)]
    assert doomed.extra["owner"]["pid"] > 0 and doomed.env_hash


LIVE = """%%track slow
import time, nbtrail
for step in range(8):
    nbtrail.log_metric("loss", 1 / (step + 1), step=step)
    time.sleep(0.3)
"""


def test_a_live_kernels_run_in_progress_is_left_alone(tmp_path: Path, where: str) -> None:
    with kernel(tmp_path) as (_km, kc):
        kc.execute(LIVE)
        deadline = time.monotonic() + 30
        store = open_store(where)
        while not store.running_runs():
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert store.reap_interrupted() == [] and store.list_runs() == []
        seen: set[int] = set()  # step metrics show while the cell runs, updated live
        while len(seen) < 3 and time.monotonic() < deadline:
            for live in store.running_runs():
                assert live.name == "slow" and live.status == "running"
                seen.add(max((m.step or 0 for m in live.metrics), default=-1))
            time.sleep(0.1)
        assert len(seen - {-1}) >= 2, seen
        kc.get_shell_msg(timeout=30)  # the reply: the cell ended
        assert store.running_runs() == []
        assert [r.status for r in open_store(where).list_runs()] == ["finished"]
        assert open_store(where).running_runs() == []
