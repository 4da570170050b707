"""The filter language: parsed once, compiled to SQL, the same on every surface."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from nbtrail.errors import RunInUse
from nbtrail.records import Artifact, Metric, ModelVersion, Param, Run, RunQuery
from nbtrail.store import Store, open_store
from nbtrail.store.filter_syntax import FilterError, parse
from nbtrail.store.sqlite import SQLiteStore


def _run(n: int, **fields: object) -> Run:
    base: dict[str, object] = {
        "id": f"{n:012x}{'0' * 10}", "name": "train", "status": "finished",
        "started": 1_700_000_000.0 + n, "ended": 1_700_000_010.0 + n * 2,
        "notebook": "nb/train.ipynb",
    }  # fmt: skip
    base.update(fields)
    return Run(**base)  # type: ignore[arg-type]


@pytest.fixture()
def store(location: str) -> Store:
    store = open_store(location)  # each backend: the filter compiles for both
    runs = [
        _run(1, name="random-forest", params=(Param("lr", 0.05), Param("kernel", "rbf")),
             metrics=(Metric("accuracy", 0.91, 0), Metric("accuracy", 0.97, 1)),
             tags=("stage=candidate", "baseline")),
        _run(2, name="Forest-2", params=(Param("lr", 0.5), Param("kernel", "linear")),
             metrics=(Metric("accuracy", 0.93),), tags=("stage=dev",)),
        _run(3, name="logreg", status="failed", params=(Param("lr", "0.05"),),
             metrics=(Metric("loss", 1.5),), notebook="other.ipynb"),
        _run(4, name="svm 50%", params=(Param("C", 10), Param("shrinking", True))),
    ]  # fmt: skip
    for run in runs:
        store.save_run(run)
    return store


def names(store: Store, expression: str, **query: object) -> list[str]:
    return [r.name for r in store.list_runs(RunQuery(filter=expression, **query))]  # type: ignore[arg-type]


def test_mlflow_conditions_on_params_metrics_tags_and_attributes(store: Store) -> None:
    assert names(store, "params.lr = '0.05'") == ["logreg", "random-forest"]
    assert names(store, "params.lr = 0.05") == ["logreg", "random-forest"]  # text '0.05' too
    assert names(store, "params.lr > 0.1") == ["Forest-2"]  # only numbers compare as numbers
    assert names(store, "params.kernel != 'rbf'") == ["Forest-2"]  # must have the key (MLflow)
    assert names(store, "params.shrinking = true") == ["svm 50%"]
    assert names(store, "metrics.accuracy > 0.95") == ["random-forest"]  # the latest value
    assert names(store, "metrics.accuracy >= 0.91 AND metrics.accuracy < 0.95") == ["Forest-2"]
    assert names(store, "tags.stage = 'candidate'") == ["random-forest"]
    assert names(store, "tags.baseline = ''") == ["random-forest"]
    assert names(store, "attributes.status = 'failed'") == ["logreg"]
    assert names(store, "status = 'failed'") == ["logreg"]
    assert names(store, "notebook = 'other.ipynb'") == ["logreg"]
    assert names(store, "attributes.start_time >= 1700000003") == ["svm 50%", "logreg"]
    assert names(store, "started < '2023-11-14T22:13:22'") == ["random-forest"]
    assert names(store, "duration > 12") == ["svm 50%", "logreg"]


def test_like_in_null_or_not_and_parentheses(store: Store) -> None:
    assert names(store, "name LIKE '%forest%'") == ["random-forest"]  # LIKE is case-sensitive
    assert names(store, "name ILIKE '%FOREST%'") == ["Forest-2", "random-forest"]
    assert names(store, "name LIKE '%50\\%'") == []  # no escape: a backslash is a character
    assert names(store, "name LIKE 'svm 50%'") == ["svm 50%"]
    assert names(store, "name NOT ILIKE '%forest%'") == ["svm 50%", "logreg"]
    assert names(store, "params.kernel IN ('rbf', 'poly')") == ["random-forest"]
    assert names(store, "params.kernel NOT IN ('rbf')") == ["Forest-2"]
    assert names(store, "tags.stage IS NULL") == ["svm 50%", "logreg"]
    assert names(store, "metrics.loss IS NOT NULL") == ["logreg"]
    assert names(store, "status = 'failed' OR params.C = 10") == ["svm 50%", "logreg"]
    assert names(store, "NOT (status = 'failed' OR params.C = 10)") == [
        "Forest-2", "random-forest"
    ]  # fmt: skip
    assert names(store, "`name` = 'logreg'") == ["logreg"]


def test_free_text_matches_names_tags_and_params_in_any_case(store: Store) -> None:
    assert names(store, "FOREST") == ["Forest-2", "random-forest"]
    assert names(store, "candidate") == ["random-forest"]
    assert names(store, "linear") == ["Forest-2"]
    assert names(store, "'50%'") == ["svm 50%"]  # % is literal in free text
    assert names(store, "forest metrics.accuracy > 0.95") == ["random-forest"]  # juxtaposed: AND


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("metrics.accuracy >", "expected a value ('text' or a number) at position 19"),
        ("params.lr = 'x", "unclosed quote at position 13"),
        ("colour = 'red'", "unknown attribute 'colour' at position 1"),
        ("metric.acc LIKE 'x%'", "metrics.acc is a number: LIKE does not apply"),
        ("metrics.acc = 'high'", "metrics.acc is a number; 'high' is not"),
        ("params.lr = 1 AND (status = 'failed'", "expected ')' at position 37, found the end"),
        ("name < 'b'", "name compares as text"),
        ("foo.bar = 1", "unknown scope 'foo'"),
        ("status IN 'failed'", "expected '(' after IN at position 11"),
        ("AND", "expected a condition at position 1"),
    ],
)
def test_bad_filters_are_one_line_naming_the_position(
    store: Store, expression: str, message: str
) -> None:
    with pytest.raises(FilterError) as raised:
        store.list_runs(RunQuery(filter=expression))
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_order_by_metric_param_and_attribute_with_missing_last(store: Store) -> None:
    def ordered(order_by: str) -> list[str]:
        return [r.name for r in store.list_runs(RunQuery(order_by=order_by))]

    assert ordered("metrics.accuracy DESC") == ["random-forest", "Forest-2", "svm 50%", "logreg"]
    assert ordered("metrics.accuracy")[:2] == ["Forest-2", "random-forest"]
    assert ordered("params.lr ASC") == ["random-forest", "Forest-2", "logreg", "svm 50%"]
    assert ordered("params.lr DESC")[:2] == ["Forest-2", "random-forest"]
    assert ordered("name") == ["Forest-2", "logreg", "random-forest", "svm 50%"]
    assert ordered("duration DESC")[0] == "svm 50%"
    assert ordered("start_time ASC")[0] == "random-forest"
    paged = store.list_runs(RunQuery(order_by="name", limit=2, offset=1))
    assert [r.name for r in paged] == ["logreg", "random-forest"]
    with pytest.raises(FilterError, match="unknown attribute"):
        ordered("colour DESC")


def test_archive_delete_restore_tags_notes_and_rename(store: Store) -> None:
    forest = store.list_runs(RunQuery(name="random-forest"))[0]
    run = store.set_tags(forest.id, {"stage": "production", "owner": "ana"})
    assert run.tags == {"stage": "production", "baseline": "", "owner": "ana"}
    assert names(store, "tags.stage = 'production'") == ["random-forest"]
    run = store.remove_tags(run.id, ["baseline", "absent"])
    assert run.tags == {"stage": "production", "owner": "ana"}
    run = store.update_run(run.id, name="forest-final", note="best so far")
    assert (run.name, run.note) == ("forest-final", "best so far")
    assert names(store, "'so far'") == ["forest-final"]
    assert store.update_run(run.id, note="").note is None

    store.update_run(run.id, lifecycle="archived")
    assert "forest-final" not in names(store, "")
    assert names(store, "", lifecycle="archived") == ["forest-final"]
    assert names(store, "attributes.lifecycle = 'archived'") == ["forest-final"]
    assert store.count_runs(RunQuery(lifecycle="all")) == 4
    assert store.get_run(run.id).lifecycle == "archived"  # a reference still resolves
    store.update_run(run.id, lifecycle="active")
    assert "forest-final" in names(store, "")


def test_gc_purges_deleted_runs_and_only_unreferenced_old_objects(store: Store) -> None:
    kept, orphan, fresh = b"figure", b"nobody", b"being written"
    digests = {data: f"{abs(hash(data)):032x}"[-32:] for data in (kept, orphan, fresh)}
    for data, digest in digests.items():
        store.put_object(data, digest)
    logreg = store.list_runs(RunQuery(name="logreg"))[0]
    store.save_run(replace(logreg, artifacts=(Artifact("fig.png", digests[kept], "image/png", 6),)))
    old = 1_000_000_000
    for data in (kept, orphan):
        os.utime(store.object_path(digests[data]), (old, old))
    svm = store.list_runs(RunQuery(name="svm 50%"))[0]
    store.update_run(svm.id, lifecycle="deleted")
    assert "svm 50%" not in names(store, "") and names(store, "", lifecycle="deleted") == [
        "svm 50%"
    ]

    dry = store.collect_garbage(dry_run=True)
    assert dry.purged_runs == [svm.id] and dry.objects_removed == 1
    assert store.count_runs(RunQuery(lifecycle="all")) == 4  # nothing changed

    report = store.collect_garbage()
    assert report.purged_runs == [svm.id] and report.objects_removed == 1
    assert report.bytes_freed == len(orphan)
    assert store.has_object(digests[kept]) and store.has_object(digests[fresh])
    assert not store.has_object(digests[orphan])
    assert store.count_runs(RunQuery(lifecycle="all")) == 3


def test_a_run_behind_a_model_version_cannot_be_deleted(store: Store) -> None:
    forest = store.list_runs(RunQuery(name="random-forest"))[0]
    store.add_model_version(
        ModelVersion(name="churn", version=0, run=forest.id, binding="model",
                     model_hash="ab" * 16, object="cd" * 16, created=1.0)
    )  # fmt: skip
    with pytest.raises(RunInUse, match=r"churn v1.*archive it instead"):
        store.update_run(forest.id, lifecycle="deleted")
    assert store.get_run(forest.id).lifecycle == "active"


def test_columns_and_groups_for_the_workspace(store: Store) -> None:
    columns = store.run_columns(RunQuery(filter="forest"))
    assert columns == {
        "params": ["kernel", "lr"], "metrics": ["accuracy"], "tags": ["baseline", "stage"]
    }  # fmt: skip
    groups = store.run_groups("notebook")
    assert [(g.key, g.count) for g in groups] == [("nb/train.ipynb", 3), ("other.ipynb", 1)]


def test_migration_7_turns_tag_lists_into_keys_and_indexes_params(tmp_path: Path) -> None:
    folder = tmp_path / ".nbtrail"
    store = SQLiteStore(folder)
    store.save_run(_run(1, params=(Param("lr", 0.1), Param("opt", "sgd"))))
    store.close()
    conn = sqlite3.connect(folder / "nbtrail.db")
    conn.executescript(
        """
        UPDATE runs SET tags = '["stage=candidate", "baseline"]';
        DELETE FROM run_tags;
        UPDATE params SET text = NULL, number = NULL;
        PRAGMA user_version = 6;
        """
    )
    conn.close()
    store = open_store(str(folder))
    run = store.list_runs()[0]
    assert run.tags == {"stage": "candidate", "baseline": ""}
    assert [r.id for r in store.list_runs(RunQuery(filter="tags.stage = 'candidate'"))] == [run.id]
    assert store.count_runs(RunQuery(filter="params.lr = 0.1 AND params.opt = 'sgd'")) == 1


def test_migration_7_on_postgresql_moves_the_same_data(pg_url: str) -> None:
    """PostgreSQL's own text of migration 7 (SQLite's uses json_each, instr, ...)."""
    import psycopg

    store = open_store(pg_url)
    store.save_run(_run(1, params=(Param("lr", 0.1), Param("opt", "sgd"))))
    store.close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("""UPDATE runs SET tags = '["stage=candidate", "baseline"]'""")
        conn.execute("DELETE FROM run_tags")
        conn.execute("UPDATE params SET text = NULL, number = NULL")
        conn.execute("UPDATE meta SET value = '6' WHERE key = 'schema_version'")
    store = open_store(pg_url)
    run = store.list_runs()[0]
    assert run.tags == {"stage": "candidate", "baseline": ""}
    assert [r.id for r in store.list_runs(RunQuery(filter="tags.stage = 'candidate'"))] == [run.id]
    assert store.count_runs(RunQuery(filter="params.lr = 0.1 AND params.opt = 'sgd'")) == 1


def test_parse_keeps_quoted_keys_and_spells_fields_back() -> None:
    node = parse("params.`learning rate` >= 1e-3")
    assert str(node.field) == "params.`learning rate`"  # type: ignore[union-attr]
    assert parse("   ") is None
