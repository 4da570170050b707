"""Diffs built from real captured values: they say what moved, not only that it did."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from nbtrail.capture.values import describe_value
from nbtrail.diff import compare
from nbtrail.records import Binding, EnvSnapshot, Metric, Param, Run, new_run_id
from nbtrail.report import show_diff


def run_reading(frame: pd.DataFrame, source: str, **changes: object) -> Run:
    record = describe_value(frame)
    binding = Binding("df", "in", record.kind, record.hash, record.summary)
    base = Run(id=new_run_id(), name="fit", status="finished", started=time.time(),
               source=source, source_hash=str(hash(source)), bindings=(binding,),
               params=(Param("alpha", 0.1),), metrics=(Metric("r2", 0.8),))  # fmt: skip
    return Run(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def test_a_changed_column_is_named_with_its_statistics() -> None:
    rng = np.random.default_rng(0)
    before = pd.DataFrame({"x": rng.normal(size=100), "y": rng.integers(0, 5, 100)})
    after = before.copy()
    after["x"] = after["x"] * 2 + 1
    a = run_reading(before, "model.fit(df)\n")
    b = run_reading(after, "model.fit(df)\n", params=(Param("alpha", 0.2),))
    diff = compare(a, b)
    (change,) = diff.bindings
    assert change.name == "df" and change.hash_a != change.hash_b
    moved = {c.key for c in change.details}
    assert {"columns.x.mean", "columns.x.min", "columns.x.max"} <= moved
    assert not any(key.startswith("columns.y") for key in moved)
    assert [(c.key, c.a, c.b) for c in diff.params] == [("alpha", 0.1, 0.2)]
    text = show_diff(diff)
    assert "columns.x.mean" in text and "alpha: 0.1 -> 0.2" in text


def test_code_packages_and_environment_differences() -> None:
    frame = pd.DataFrame({"x": [1.0, 2.0]})
    a = run_reading(frame, "fit(df, 1)\n", env_hash="a" * 32)
    b = run_reading(frame, "fit(df, 2)\n", env_hash="b" * 32)
    env_a = EnvSnapshot(
        "a" * 32, "3.11.7", "/py", "linux", 2, None, {"numpy": "2.0", "pandas": "2.2"}
    )
    env_b = EnvSnapshot(
        "b" * 32, "3.11.7", "/py", "linux", 2, None, {"numpy": "2.1", "pandas": "2.2"},
        git={"commit": "abc"},
    )  # fmt: skip
    diff = compare(a, b, env_a, env_b)
    assert diff.bindings == ()  # same data, same hash
    assert [(c.key, c.a, c.b) for c in diff.packages] == [("numpy", "2.0", "2.1")]
    assert [c.key for c in diff.environment] == ["git.commit"]
    assert "-fit(df, 1)" in diff.source and "+fit(df, 2)" in diff.source
    assert not diff.identical
