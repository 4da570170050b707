"""The Python API over a real store: runs() as MLflow users expect it."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import nbtrail
from nbtrail.errors import NoActiveRun
from nbtrail.records import Metric, Param, Run
from nbtrail.store import open_store


def test_runs_frame_pivots_params_and_latest_metrics(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / ".nbtrail"))
    store.save_run(Run(id="000000000001" + "0" * 10, name="a", status="finished", started=10.0,
                       ended=12.5, tags=("x",), params=(Param("lr", 0.1), Param("opt", "sgd")),
                       metrics=(Metric("loss", 0.9, 0, 1.0), Metric("loss", 0.4, 1, 2.0),
                                Metric("acc", 0.7, None, 3.0))))  # fmt: skip
    nan_loss = (Metric("loss", math.nan),)
    store.save_run(Run(id="000000000002" + "0" * 10, name="b", status="failed", started=20.0,
                       params=(Param("lr", 0.01),), metrics=nan_loss))  # fmt: skip
    nbtrail.configure(store=str(tmp_path / ".nbtrail"))
    try:
        frame = nbtrail.runs()
        only_failed = nbtrail.runs(status="failed")
    finally:
        nbtrail.configure(None)
    assert list(frame["name"]) == ["b", "a"]  # newest first
    assert list(frame.columns[-5:]) == [
        "params.lr", "params.opt", "metrics.acc", "metrics.loss", "tags.x"
    ]  # fmt: skip
    a = frame.iloc[1]
    assert a["params.lr"] == 0.1 and a["params.opt"] == "sgd" and a["duration"] == 2.5
    assert a["metrics.loss"] == 0.4 and a["metrics.acc"] == 0.7 and a["tags"] == {"x": ""}
    assert math.isnan(frame.iloc[0]["metrics.loss"]) and frame.iloc[0]["params.lr"] == 0.01
    assert list(only_failed["name"]) == ["b"]


def test_logging_outside_a_tracked_cell_is_a_clear_error() -> None:
    with pytest.raises(NoActiveRun, match="put %%track on the cell"):
        nbtrail.log_metric("acc", 1.0)
    with pytest.raises(NoActiveRun):
        nbtrail.log_params(lr=0.1)


def test_runs_without_a_store_is_an_empty_frame(tmp_path: Path) -> None:
    nbtrail.configure(store=str(tmp_path / "nothing-here"))
    try:
        assert nbtrail.runs().empty
    finally:
        nbtrail.configure(None)


def test_filter_order_and_management_from_python(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / ".nbtrail"))
    for n, lr in enumerate((0.1, 0.01, 0.5), start=1):
        store.save_run(Run(id=f"{n:012x}{'0' * 10}", name="fit", status="finished",
                           started=float(n), params=(Param("lr", lr),),
                           metrics=(Metric("acc", 0.8 + n / 100),)))  # fmt: skip
    nbtrail.configure(store=str(tmp_path / ".nbtrail"))
    try:
        frame = nbtrail.runs("params.lr < 0.2", order_by="metrics.acc DESC")
        assert list(frame["params.lr"]) == [0.01, 0.1]
        nbtrail.set_tag("@last", "stage", "candidate")
        nbtrail.set_note("fit~1", "smaller step")
        assert list(nbtrail.runs("tags.stage = 'candidate'")["params.lr"]) == [0.5]
        assert nbtrail.get_run("fit~1").note == "smaller step"
        nbtrail.archive_run("fit~2")
        assert len(nbtrail.runs()) == 2 and len(nbtrail.runs(lifecycle="all")) == 3
        nbtrail.delete_run("@last")
        assert nbtrail.gc(dry_run=True).purged_runs == [f"{3:012x}{'0' * 10}"]
        nbtrail.restore_run(f"{3:012x}{'0' * 10}")
        assert nbtrail.delete_tag("@last", "stage").tags == {}
        assert nbtrail.rename_run("@last", "fit-final").name == "fit-final"
    finally:
        nbtrail.configure(None)
