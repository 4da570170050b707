"""Summaries: right numbers, JSON-safe, bounded in size."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from nbtrail.capture.summary import MAX_COLUMNS, summarise
from nbtrail.capture.values import describe_value


def test_frame_statistics() -> None:
    df = pd.DataFrame(
        {
            "x": [1.0, 2.0, np.nan, 5.0],
            "n": pd.array([1, None, 3, 4], dtype="Int64"),
            "s": ["a", "b", "a", None],
            "c": pd.Categorical(["u", "v", "u", "u"]),
            "b": [True, False, True, True],
            "t": pd.to_datetime(["2024-01-01", "2024-01-03", None, "2024-01-02"]),
        }
    )
    summary = describe_value(df).summary
    json.dumps(summary, allow_nan=False)
    assert summary["shape"] == [4, 6]
    cols = {c["name"]: c for c in summary["columns"]}
    assert cols["x"] == {
        "name": "x",
        "dtype": "float64",
        "count": 3,
        "nulls": 1,
        "min": 1.0,
        "max": 5.0,
        "mean": 8.0 / 3,
    }
    assert (cols["n"]["nulls"], cols["n"]["min"], cols["n"]["max"]) == (1, 1, 4)
    assert cols["n"]["mean"] == 8 / 3
    assert (cols["s"]["nulls"], cols["s"]["distinct"]) == (1, 2)
    assert cols["c"]["distinct"] == 2
    assert cols["b"]["mean"] == 0.75
    assert (cols["t"]["min"], cols["t"]["max"]) == ("2024-01-01T00:00:00", "2024-01-03T00:00:00")


def test_wide_frames_are_truncated() -> None:
    df = pd.DataFrame(np.zeros((2, MAX_COLUMNS + 5)))
    summary = summarise(df, "dataframe")
    assert len(summary["columns"]) == MAX_COLUMNS
    assert summary["columns_truncated"] == 5


def test_series_and_index() -> None:
    s = describe_value(pd.Series([3, 1, 2], name="v"))
    assert s.kind == "series"
    assert (s.summary["name"], s.summary["min"], s.summary["max"], s.summary["mean"]) == (
        "v",
        1,
        3,
        2.0,
    )
    idx = describe_value(pd.Index(["a", "b", "b"], name="k"))
    assert idx.kind == "index" and idx.summary["distinct"] == 2 and idx.summary["names"] == ["k"]


def test_array_statistics_ignore_nan() -> None:
    arr = np.array([[1.0, np.nan], [3.0, 8.0]])
    summary = describe_value(arr).summary
    assert summary == {
        "type": "numpy.ndarray",
        "shape": [2, 2],
        "dtype": "float64",
        "nbytes": 32,
        "min": 1.0,
        "max": 8.0,
        "mean": 4.0,
    }
    all_nan = describe_value(np.array([np.nan, np.nan])).summary
    assert all_nan["min"] is None and all_nan["mean"] is None
    assert "min" not in describe_value(np.array(["a"])).summary


def test_scalars() -> None:
    long = describe_value("x" * 500).summary
    assert long["length"] == 500 and long["value"] == "x" * 200 + "…"
    assert describe_value(np.float64(2.5)).summary["value"] == 2.5
    assert describe_value(float("nan")).summary["value"] is None
    assert describe_value(pd.Timestamp("2024-05-01")).summary["value"] == "2024-05-01T00:00:00"
    assert describe_value(b"abc").summary == {"type": "builtins.bytes", "length": 3}


def test_collections() -> None:
    small = describe_value({"a": [1, 2], "b": None}).summary
    assert small == {"type": "builtins.dict", "length": 2, "value": {"a": [1, 2], "b": None}}
    big = describe_value(list(range(1000))).summary
    assert big == {"type": "builtins.list", "length": 1000}
    assert describe_value({3, 1}).summary["value"] == [1, 3]
    assert "value" not in describe_value([np.arange(2)]).summary


def test_model_summary() -> None:
    from sklearn.tree import DecisionTreeClassifier

    model = DecisionTreeClassifier(max_depth=2)
    summary = describe_value(model).summary
    json.dumps(summary, allow_nan=False)
    assert summary["class"] == "sklearn.tree._classes.DecisionTreeClassifier"
    assert summary["params"]["max_depth"] == 2
    assert summary["fitted"] is False and summary["unseeded"] is True


def test_other_kinds_summaries() -> None:
    assert describe_value(np).summary == {"name": "numpy", "version": np.__version__}
    assert describe_value(test_scalars).summary["name"].endswith("test_scalars")
    opaque = describe_value(range(3))
    assert opaque.summary["repr"] == "range(0, 3)"
