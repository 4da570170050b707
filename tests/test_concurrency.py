"""Eight processes writing one store at once: no run lost, none doubled, no error shown."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from nbtrail.records import RunQuery
from nbtrail.store import open_store
from store_writers import open_new, write

WRITERS = 8
RUNS = 20  # per writer
EVERY = 5  # a model version (and an alias move) every 5 runs


def test_eight_writers_lose_nothing_and_number_versions_uniquely(
    location: str, tmp_path: Path
) -> None:
    open_store(location).close()  # created (and migrated) once, as a team's store is
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Barrier(WRITERS), ctx.Queue()
    objects = str(tmp_path / "objects")
    workers = [
        ctx.Process(target=write, args=(location, objects, n, RUNS, EVERY, start, results))
        for n in range(WRITERS)
    ]
    for process in workers:
        process.start()
    outcomes = [results.get(timeout=240) for _ in workers]
    for process in workers:
        process.join(timeout=60)
        assert process.exitcode == 0
    store = open_store(location)
    ids = [run_id for _, written, _, _ in outcomes for run_id in written]
    versions = sorted(v for _, _, numbers, _ in outcomes for v in numbers)
    per_model = WRITERS * len(range(0, RUNS, EVERY))
    assert len(ids) == len(set(ids)) == WRITERS * RUNS
    assert store.count_runs() == WRITERS * RUNS
    assert store.count_runs(RunQuery(status="finished")) == WRITERS * RUNS  # none left running
    assert {run.id for run in store.list_runs()} == set(ids)
    assert versions == list(range(1, per_model + 1))  # every number once, no gap
    assert [v.version for v in store.list_model_versions("shared")] == versions
    events = store.alias_events("shared", "production")
    assert len(events) == per_model and len({e.seq for e in events}) == per_model
    by_seq = sorted(events, key=lambda e: e.seq)
    # each move's `previous` is the version the move before it (in commit order) set
    assert [e.previous for e in by_seq] == [None] + [e.version for e in by_seq[:-1]]


def test_processes_setting_up_one_new_store_at_once_all_succeed(
    location: str, tmp_path: Path
) -> None:
    """The first tracked cells of a sweep open a new store together: one sets it up."""
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Barrier(4), ctx.Queue()
    objects = str(tmp_path / "objects")
    openers = [
        ctx.Process(target=open_new, args=(location, objects, start, results)) for _ in range(4)
    ]
    for process in openers:
        process.start()
    outcomes = [results.get(timeout=120) for _ in openers]
    for process in openers:
        process.join(timeout=60)
    assert outcomes == [("ok", 0)] * 4
