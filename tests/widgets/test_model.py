"""Filter, sort and key columns over records; RunSource over a real store."""

from __future__ import annotations

from nbtrail.records import Run, RunQuery
from nbtrail.store import Store
from nbtrail.widgets.model import RunSource, filter_problem, filter_runs, key_columns, sort_runs
from widgets.sweep_records import EVIL, make_run, run_id


def names(runs: list[Run]) -> list[str]:
    return [run.name for run in runs]


def test_key_columns_prefer_params_that_vary(store: Store) -> None:
    runs = store.list_runs()
    assert key_columns(runs, max_params=1).params == ("depth",)  # ties: by name
    assert key_columns(runs).params == ("depth", "lr")
    assert key_columns(runs).metrics == ("acc", "loss")
    same = [make_run(1, lr=0.1, depth=3), make_run(2, lr=0.2, depth=3)]
    assert key_columns(same, max_params=1).params == ("lr",)  # depth never varies


def test_filter_by_text_and_status(store: Store) -> None:
    runs = store.list_runs()
    assert names(filter_runs(runs, status="failed")) == ["diverged"]
    assert len(filter_runs(runs, "lr=0.1")) == 2
    assert names(filter_runs(runs, "DIVERGED")) == ["diverged"]
    assert names(filter_runs(runs, "script")) == [EVIL]
    assert len(filter_runs(runs, "", "finished")) == 7
    assert filter_runs(runs, "lr=0.1", "failed") == []


def test_the_widget_takes_the_filter_language_the_store_does(store: Store) -> None:
    runs = store.list_runs()
    for expression in ("params.lr = 0.1", "params.depth > 3 OR status = 'failed'", "diverged"):
        in_store = {run.id for run in store.list_runs(RunQuery(filter=expression))}
        assert {run.id for run in filter_runs(runs, expression)} == in_store, expression
    assert filter_problem("params.lr =") is not None  # half typed: searched as text meanwhile
    assert filter_problem("params.lr = 0.1") is None


def test_sort_puts_missing_values_last_both_ways(store: Store) -> None:
    runs = store.list_runs()
    ascending = sort_runs(runs, "metrics.acc")
    assert [r.latest_metrics().get("acc") for r in ascending][:6] == [
        0.70, 0.75, 0.80, 0.82, 0.86, 0.90,
    ]  # fmt: skip
    descending = sort_runs(runs, "metrics.acc", descending=True)
    assert descending[0].latest_metrics()["acc"] == 0.90
    assert {r.name for r in descending[-2:]} == {"diverged", EVIL}  # no acc: last
    mixed = [make_run(1, name="b"), make_run(2, name="A"), make_run(3, name="c")]
    assert names(sort_runs(mixed, "name")) == ["A", "b", "c"]
    assert names(sort_runs(runs, "id"))[0] == "train-0"


def test_run_source_loads_details_and_notices_writes(store: Store) -> None:
    source = RunSource(store, notebook="sweep.ipynb")
    assert source.changed()
    listed = source.load()
    assert len(listed) == 7 and listed[0].id == run_id(6)  # newest first, other.ipynb out
    assert not listed[0].bindings  # listing stays cheap
    assert not source.changed()
    store.save_run(make_run(20, lr=0.3, depth=3, acc=0.5))
    assert source.changed()
    runs, envs = source.details([run_id(0), run_id(4)])
    assert [len(r.bindings) for r in runs] == [2, 2]
    assert set(envs) == {"env-a", "env-b"}
