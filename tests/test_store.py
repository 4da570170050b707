import math
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from nbtrail.errors import AmbiguousRunId, RunNotFound, StoreError, StoreNotFound, StoreTooNew
from nbtrail.records import (
    Artifact,
    Binding,
    EnvSnapshot,
    ExceptionInfo,
    Metric,
    Param,
    Run,
    RunQuery,
    new_run_id,
)
from nbtrail.store import open_store
from nbtrail.store.schema import SCHEMA_VERSION
from nbtrail.store.sqlite import SQLiteStore


def make_run(**changes: object) -> Run:
    now = time.time()
    run = Run(
        id=new_run_id(),
        name="train",
        status="finished",
        started=now,
        ended=now + 1.5,
        notebook="nb.ipynb",
        cell_id="c1",
        execution_count=3,
        source="x = 1\n",
        source_hash="0" * 32,
        tags=("baseline",),
        params=(Param("lr", 0.1, "magic"), Param("layers", [64, 32], "api")),
        metrics=(Metric("loss", 0.5, 0, now), Metric("loss", 0.25, 1, now), Metric("acc", 0.9)),
        bindings=(
            Binding("df", "in", "dataframe", "a" * 32, {"shape": [10, 2]}),
            Binding("model", "out", "model", "b" * 32, {"class": "Ridge"}),
        ),
        artifacts=(Artifact("figure-1.png", "c" * 32, "image/png", 123),),
        extra={"history": {"cells": [[1, "c0", "abc"]]}},
    )
    return Run(**{**run.__dict__, **changes})  # type: ignore[arg-type]


def test_a_run_round_trips_with_everything_it_holds(location: str) -> None:
    store = open_store(location)
    failed = make_run(status="failed", exception=ExceptionInfo("ValueError", "boom", "Traceback"))
    store.save_run(failed)
    assert store.get_run(failed.id) == failed
    assert failed.latest_metrics() == {"loss": 0.25, "acc": 0.9}


def test_store_folder_is_wal_and_ignored_by_git(tmp_path: Path) -> None:
    folder = tmp_path / ".nbtrail"
    open_store(str(folder)).save_run(make_run())
    assert (folder / ".gitignore").read_text().strip().endswith("*")
    conn = sqlite3.connect(folder / "nbtrail.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_prefixes_resolve_unless_unknown_or_ambiguous(location: str) -> None:
    store = open_store(location)
    a, b = make_run(id="0123456789abcdef000001"), make_run(id="0123456789abcdef000002")
    store.save_run(a)
    store.save_run(b)
    assert store.resolve_run_id("0123456789abcdef000002") == b.id
    assert store.get_run("0123456789abcdef000001").id == a.id
    with pytest.raises(AmbiguousRunId):
        store.resolve_run_id("0123")
    with pytest.raises(RunNotFound):
        store.resolve_run_id("fff")
    with pytest.raises(RunNotFound):
        store.resolve_run_id("../etc")


def test_listing_filters_pages_and_counts(location: str) -> None:
    store = open_store(location)
    ids = []
    for i in range(25):
        run = make_run(
            id=f"{i:012x}{'0' * 10}",
            status="failed" if i % 5 == 0 else "finished",
            notebook="a.ipynb" if i % 2 else "b.ipynb",
            params=(Param("depth", i),),
        )
        store.save_run(run)
        ids.append(run.id)
    page = store.list_runs(RunQuery(limit=10))
    assert [r.id for r in page] == ids[::-1][:10]
    assert page[0].params == (Param("depth", 24),)
    assert page[0].bindings == ()  # listing stays cheap
    nxt = store.list_runs(RunQuery(limit=10, before_id=page[-1].id))
    assert [r.id for r in nxt] == ids[::-1][10:20]
    assert store.count_runs(RunQuery(status="failed")) == 5
    assert {r.notebook for r in store.list_runs(RunQuery(notebook="a.ipynb"))} == {"a.ipynb"}
    assert [r.id for r in store.list_runs(RunQuery(text="23"))] == [ids[23]]
    assert store.count_runs(RunQuery(text="TRAIN")) == 25  # case-insensitive on both


def test_listing_sorts_by_the_latest_value_of_a_metric(location: str) -> None:
    store = open_store(location)

    def save(i: int, notebook: str, *metrics: Metric) -> str:
        run = make_run(id=f"{i:012x}{'0' * 10}", notebook=notebook, metrics=metrics)
        store.save_run(run)
        return run.id

    a = save(1, "a.ipynb", Metric("acc", 0.5, None, 1.0))
    # several steps: the greatest step wins, not the last logged nor the largest value
    b = save(2, "a.ipynb", Metric("acc", 0.1, 2, 1.0), Metric("acc", 0.99, 1, 2.0))
    c = save(3, "b.ipynb", Metric("loss", 1.0, None, 1.0))  # no acc: always last
    d = save(4, "b.ipynb", Metric("acc", 0.7, None, 1.0))
    # equal step and time: the last logged wins, as in Run.latest_metrics
    e = save(5, "a.ipynb", Metric("acc", 0.9, None, 1.0), Metric("acc", 0.3, None, 1.0))
    f = save(6, "a.ipynb", Metric("acc", math.nan, None, 1.0))  # NaN sorts as missing
    g = save(7, "b.ipynb", Metric("acc", 0.5, None, 1.0))  # ties: newest first

    def ids(**query: object) -> list[str]:
        return [r.id for r in store.list_runs(RunQuery(sort_metric="acc", **query))]  # type: ignore[arg-type]

    for run in store.list_runs(RunQuery(sort_metric="acc")):
        if run.id in (a, b, d, e, g):
            assert run.latest_metrics()["acc"] == {a: 0.5, b: 0.1, d: 0.7, e: 0.3, g: 0.5}[run.id]
    assert ids() == [d, g, a, e, b, f, c]
    assert ids(descending=False) == [b, e, g, a, d, f, c]
    assert ids(limit=3) == [d, g, a]
    assert ids(limit=3, offset=3) == [e, b, f]
    assert ids(limit=3, offset=6) == [c]
    assert ids(offset=5) == [f, c]
    assert ids(notebook="a.ipynb") == [a, e, b, f]
    assert ids(notebook="b.ipynb", descending=False, limit=2, offset=1) == [d, c]
    assert [r.id for r in store.list_runs(RunQuery(sort_metric="nope", limit=3))] == [g, f, e]
    assert store.list_runs(RunQuery(sort_metric="acc", limit=1))[0].params  # full records
    table = store.runs_table(RunQuery(sort_metric="acc", notebook="a.ipynb", limit=2))
    assert [row[0] for row in table.runs] == [a, e]
    assert [m["acc"] for m in table.metrics] == [0.5, 0.3]  # each run's, in the rows' order
    assert store.count_runs(RunQuery(sort_metric="acc", notebook="a.ipynb", offset=2)) == 4


def test_revision_grows_with_every_write(location: str) -> None:
    store = open_store(location)
    before = store.revision()
    store.save_run(make_run())
    assert store.revision() == before + 1


def test_environments_and_objects_are_content_addressed(location: str) -> None:
    store = open_store(location)
    env = EnvSnapshot("e" * 32, "3.11", "/usr/bin/python", "linux", 2, 1024, {"numpy": "2.0"})
    store.save_environment(env)
    store.save_environment(env)
    assert store.get_environment(env.hash) == env
    store.put_object(b"png bytes", "d" * 32)
    assert store.object_path("d" * 32).read_bytes() == b"png bytes"
    with pytest.raises(Exception, match="not an object hash"):
        store.object_path("../../etc/passwd")


def test_file_hash_cache_is_keyed_by_path_size_mtime_and_inode(location: str) -> None:
    store = open_store(location)
    key = ("/data/x.csv", 10, 123, 7)
    store.remember_file_hash(key, "f" * 32)
    assert store.cached_file_hash(key) == "f" * 32
    assert store.cached_file_hash(("/data/x.csv", 10, 124, 7)) is None


def test_missing_store_is_not_created_for_readers(tmp_path: Path) -> None:
    with pytest.raises(StoreNotFound):
        open_store(str(tmp_path / ".nbtrail"), create=False)
    assert not (tmp_path / ".nbtrail").exists()


def test_a_store_from_a_newer_nbtrail_is_refused_untouched(tmp_path: Path) -> None:
    folder = tmp_path / ".nbtrail"
    store = open_store(str(folder))
    run = make_run()
    store.save_run(run)
    store.close()
    conn = sqlite3.connect(folder / "nbtrail.db")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreTooNew, match="upgrade nbtrail"):
        open_store(str(folder))
    conn = sqlite3.connect(folder / "nbtrail.db")
    assert conn.execute("SELECT id FROM runs").fetchall() == [(run.id,)]


def test_an_old_store_migrates_forward(tmp_path: Path) -> None:
    folder = tmp_path / ".nbtrail"
    folder.mkdir()
    sqlite3.connect(folder / "nbtrail.db").close()  # version 0: empty database
    store = SQLiteStore(folder)
    assert store._read("PRAGMA user_version")[0][0] == SCHEMA_VERSION


def test_migration_3_fills_latest_metrics_from_a_version_2_store(tmp_path: Path) -> None:
    folder = tmp_path / ".nbtrail"
    store = SQLiteStore(folder)
    old = make_run(
        id=f"{1:012x}{'0' * 10}",
        metrics=(
            Metric("acc", 0.1, 2, 1.0),
            Metric("acc", 0.9, 1, 2.0),
            Metric("acc", 0.3, 2, 1.0),
        ),
    )
    new = make_run(id=f"{2:012x}{'0' * 10}", metrics=(Metric("acc", 0.2, None, 1.0),))
    store.save_run(old)
    store.save_run(new)
    store.close()
    conn = sqlite3.connect(folder / "nbtrail.db")
    conn.executescript(
        "DROP INDEX latest_metrics_by_value; DROP TABLE latest_metrics; PRAGMA user_version = 2;"
    )
    conn.close()
    store = SQLiteStore(folder)
    assert store._read("PRAGMA user_version")[0][0] == SCHEMA_VERSION
    assert store._read(
        "SELECT run_id, value FROM latest_metrics WHERE key = 'acc' ORDER BY run_id"
    ) == [
        (old.id, 0.3),
        (new.id, 0.2),
    ]
    assert old.latest_metrics()["acc"] == 0.3
    assert [r.id for r in store.list_runs(RunQuery(sort_metric="acc"))] == [old.id, new.id]


def test_unwritable_location_is_a_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError):
        open_store(str(blocker / ".nbtrail"))


def test_unknown_scheme_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match="unknown store scheme"):
        open_store("mongodb://localhost/x")


def test_concurrent_writers_lose_nothing(location: str) -> None:
    open_store(location)

    def write(n: int) -> None:
        store = open_store(location)  # one connection per writer, like sweep workers
        for _ in range(n):
            store.save_run(make_run())

    threads = [threading.Thread(target=write, args=(30,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert open_store(location).count_runs() == 120


def test_a_run_its_environment_and_file_hashes_are_one_write(location: str) -> None:
    store = open_store(location)
    env = EnvSnapshot("e" * 32, "3.11", "/usr/bin/python", "linux", 2, 1024)
    key = ("/data/x.csv", 10, 123, 7)
    before = store.revision()
    store.save_run(make_run(env_hash=env.hash), environment=env, file_hashes=[(key, "f" * 32)])
    assert store.revision() == before + 1
    assert store.get_environment(env.hash) == env
    assert store.cached_file_hash(key) == "f" * 32


def test_nan_and_infinite_metrics_survive_the_store(location: str) -> None:
    import math

    store = open_store(location)
    run = make_run(metrics=(Metric("loss", math.nan), Metric("ratio", math.inf)))
    store.save_run(run)
    loaded = store.get_run(run.id).latest_metrics()
    assert math.isnan(loaded["loss"]) and loaded["ratio"] == math.inf


def test_text_with_nul_characters_round_trips(location: str) -> None:
    """PostgreSQL refuses NUL in text: the store escapes it, losslessly, and finds it again."""
    store = open_store(location)
    odd = "a\x00b \ue000 \ue0000 \ue000\ue000"  # NUL, and the escape character itself
    run = make_run(name=odd, source=f"print({odd!r})\x00", exception=ExceptionInfo("E", odd, ""))
    store.save_run(run)
    assert store.get_run(run.id) == run
    assert [r.id for r in store.list_runs(RunQuery(name=odd))] == [run.id]
    assert store.resolve_run_id(odd) == run.id


def test_runs_table_folds_each_runs_params_and_latest_metrics(location: str) -> None:
    """The table ``nbtrail.runs()`` is built from, on both backends: odd values survive."""
    import pandas as pd

    from nbtrail.api import runs_frame

    store = open_store(location)
    odd = make_run(
        params=(Param("lr", 0.1, "magic"), Param("layers", [64, 32], "api"),
                Param("opts", {"a": "x\"y", "b": None}, "api"), Param("name", "ä,}{", "api")),
        metrics=(Metric("loss", 0.5, 0), Metric("loss", 0.25, 1), Metric("nan", math.nan),
                 Metric("big", math.inf), Metric("neg", -math.inf)),
    )  # fmt: skip
    plain = make_run(params=(), metrics=(Metric("acc", 0.75),), tags=())
    store.save_run(odd)
    store.save_run(plain)
    table = store.runs_table(RunQuery())
    params = {row[0]: values for row, values in zip(table.runs, table.params, strict=True)}
    assert params == {plain.id: {}, odd.id: {"lr": 0.1, "layers": [64, 32], "name": "ä,}{",
                                             "opts": {"a": 'x"y', "b": None}}}  # fmt: skip
    frame = runs_frame(table).set_index("run_id")
    assert frame.loc[odd.id, "metrics.loss"] == 0.25  # the latest step's value
    assert math.isnan(frame.loc[odd.id, "metrics.nan"]) and math.isnan(
        frame.loc[odd.id, "metrics.acc"]
    )
    assert (frame.loc[odd.id, "metrics.big"], frame.loc[odd.id, "metrics.neg"]) == (
        math.inf,
        -math.inf,
    )
    assert frame.loc[plain.id, "metrics.acc"] == 0.75 and frame.loc[plain.id, "params.lr"] is None
    assert frame.loc[odd.id, "params.layers"] == [64, 32]
    assert frame.loc[odd.id, "tags.baseline"] == "" and pd.isna(
        frame.loc[plain.id, "tags.baseline"]
    )
    limited = store.runs_table(RunQuery(limit=1, order_by="metrics.acc DESC"))
    assert [row[0] for row in limited.runs] == [plain.id] and limited.metrics == [{"acc": 0.75}]
