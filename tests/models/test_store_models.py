"""Model versions, alias events and kept models in both stores; migrations 5 and 6."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from nbtrail.errors import ModelNotFound
from nbtrail.records import AliasEvent, GateResult, ModelVersion, Run
from nbtrail.store import open_store
from nbtrail.store.base import KeptModel
from nbtrail.store.schema import MIGRATIONS, SCHEMA_VERSION
from nbtrail.store.sqlite import SQLiteStore


def draft(name: str = "iris", run: str = "r1") -> ModelVersion:
    return ModelVersion(name=name, version=0, run=run, binding="model", model_hash="h",
                        object="o" * 32, lineage={"params": {"C": 1}})  # fmt: skip


def event(version: int, at: float, alias: str = "production") -> AliasEvent:
    gates = (GateResult("reproduced", True, "ok"),)
    return AliasEvent("iris", alias, version, None, at, "me", gates)


def test_versions_count_per_name_and_round_trip(location: str) -> None:
    store = open_store(location)
    first, second = store.add_model_version(draft()), store.add_model_version(draft())
    other = store.add_model_version(draft("wine"))
    assert (first.version, second.version, other.version) == (1, 2, 1)
    assert store.get_model_version("iris", 2) == second
    assert ModelVersion.from_dict(second.to_dict()) == second
    assert [v.uri for v in store.list_model_versions()] == [
        "models:/iris/1", "models:/iris/2", "models:/wine/1"
    ]  # fmt: skip
    with pytest.raises(ModelNotFound, match=r"no version 3 \(versions: 1, 2\)"):
        store.get_model_version("iris", 3)
    with pytest.raises(ModelNotFound, match="no registered model 'nope'"):
        store.get_model_version("nope", 1)


def test_concurrent_registrations_get_distinct_versions(location: str) -> None:
    open_store(location).close()
    numbers: list[int] = []

    def add() -> None:
        store = open_store(location)
        numbers.extend(store.add_model_version(draft()).version for _ in range(5))
        store.close()

    threads = [threading.Thread(target=add) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(numbers) == list(range(1, 16))


def test_alias_events_append_with_previous_and_filter_by_time(location: str) -> None:
    store = open_store(location)
    a = store.add_alias_event(event(1, 100.0))
    b = store.add_alias_event(event(2, 200.0))
    store.add_alias_event(event(1, 150.0, alias="staging"))
    assert (a.previous, b.previous) == (None, 1)
    assert b.seq > a.seq
    assert [e.version for e in store.alias_events("iris", "production")] == [1, 2]
    assert [e.alias for e in store.alias_events("iris", until=160.0)] == ["production", "staging"]
    assert AliasEvent.from_dict(b.to_dict()) == b


def test_migrations_5_and_6_upgrade_a_version_4_store_in_place(tmp_path: Path) -> None:
    folder = tmp_path / ".nbtrail"
    folder.mkdir()
    conn = sqlite3.connect(folder / "nbtrail.db")
    for script in MIGRATIONS[:4]:
        conn.executescript(script)
    conn.execute("PRAGMA user_version = 4")
    conn.execute(
        "INSERT INTO runs (id, name, status, started, source, source_hash) "
        "VALUES ('0123456789ab0123456789', 'old', 'finished', 1.0, 'x = 1', 'h')"
    )
    conn.commit()
    conn.close()
    store = SQLiteStore(folder)
    assert store._read("PRAGMA user_version")[0][0] == SCHEMA_VERSION >= 6
    assert isinstance(store.get_run("0123456789ab0123456789"), Run)
    assert store.add_model_version(draft(run="0123456789ab0123456789")).version == 1
    assert store.kept_model("h") is None


def test_a_kept_model_is_found_by_hash_and_never_replaced_by_an_error(location: str) -> None:
    store = open_store(location)
    store.record_kept_model(KeptModel("refused", None, None, "skops could not save it: X"))
    store.record_kept_model(KeptModel("h", "o" * 32, 123))
    store.record_kept_model(KeptModel("h", None, None, "a later failure"))
    assert store.kept_model("h") == KeptModel("h", "o" * 32, 123)
    assert store.kept_model("refused") == KeptModel("refused", None, None,
                                                    "skops could not save it: X")  # fmt: skip
    store.record_kept_model(KeptModel("refused", "p" * 32, 7))  # kept after all: kept wins
    assert store.kept_model("refused") == KeptModel("refused", "p" * 32, 7)
    assert store.kept_model("nope") is None
