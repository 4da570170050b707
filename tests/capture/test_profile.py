"""Column statistics gathered while hashing agree with pandas' own, and never change a hash."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from nbtrail.capture import _profile
from nbtrail.capture.hashing import content_hash
from nbtrail.capture.summary import column_stats
from nbtrail.capture.values import describe_value

ROWS = 3 * _profile.BLOCK_VALUES + 17  # several blocks, the last one short


def mixed_frame(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    floats = rng.normal(size=rows)
    floats[rng.integers(0, rows, 50)] = np.nan  # NaNs in some blocks only
    words = np.array([f"w{i}" for i in range(3000)] + [None], dtype=object)
    text = words[rng.integers(0, len(words), rows)]
    return pd.DataFrame(
        {
            "f": floats,
            "f32": rng.normal(size=rows).astype(np.float32),
            "i": rng.integers(-1000, 1000, rows),
            "u8": rng.integers(0, 255, rows).astype(np.uint8),
            "b": rng.random(rows) < 0.3,
            "nan_only": np.full(rows, np.nan),
            "cat": pd.Categorical.from_codes(rng.integers(-1, 6, rows), list("abcdef")),
            "obj": pd.Series(text, dtype=object),
            "str": pd.Series(text, dtype="str"),
            "when": pd.to_datetime(rng.integers(0, 10**9, rows), unit="s"),
            "nullable": pd.array(rng.integers(0, 9, rows), dtype="Int64"),
        }
    )


def assert_same_stats(profiled: dict[str, object], computed: dict[str, object]) -> None:
    assert profiled.keys() == computed.keys()
    for key, value in computed.items():
        if key == "mean" and value is not None:
            # float64 sums where pandas sums float32 in float32: equal to 1e-6
            assert math.isclose(profiled[key], value, rel_tol=1e-6), key  # type: ignore[arg-type]
        else:
            assert profiled[key] == value, key


def test_frame_statistics_from_the_hashing_pass_match_pandas() -> None:
    df = mixed_frame(ROWS)
    hashed = content_hash(df, profile=True)
    assert hashed.profile is not None and len(hashed.profile["columns"]) == df.shape[1]
    profiled = {c["name"]: c for c in describe_value(df).summary["columns"]}
    for name in df.columns:
        computed = {"name": name, **column_stats(df[name])}
        assert_same_stats(profiled[name], computed)
    # what the pass gathered is the numeric, boolean, categorical and text columns
    gathered = [s for s in hashed.profile["columns"] if s]
    assert len(gathered) == 9
    assert profiled["cat"]["nulls"] > 0 and profiled["f"]["nulls"] > 0
    assert profiled["nan_only"]["min"] is None and profiled["nan_only"]["count"] == 0


def test_a_profile_never_changes_the_hash() -> None:
    df = mixed_frame(1000)
    assert content_hash(df, profile=True).hash == content_hash(df).hash
    ser = df["f"]
    assert content_hash(ser, profile=True).hash == content_hash(ser).hash


def test_series_statistics_come_from_the_pass() -> None:
    ser = pd.Series(np.arange(ROWS, dtype=np.int64), name="n")
    hashed = content_hash(ser, profile=True)
    assert hashed.profile is not None and hashed.profile["column"]["max"] == ROWS - 1
    summary = describe_value(ser).summary
    assert (summary["min"], summary["max"], summary["count"]) == (0, ROWS - 1, ROWS)
    assert summary["mean"] == pytest.approx((ROWS - 1) / 2)


@pytest.fixture
def small_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    """Estimate beyond 1,000 rows from about 4,000 sampled, so tests stay small."""
    monkeypatch.setattr(_profile, "EXACT_DISTINCT_ROWS", 1000)
    monkeypatch.setattr(_profile, "SAMPLE_ROWS", 4096)


@pytest.mark.usefixtures("small_sample")
@pytest.mark.parametrize("dtype", ["str", object])
@pytest.mark.parametrize(
    "values",
    [
        pytest.param(lambda rng, n: rng.integers(0, 500, n), id="uniform"),
        pytest.param(lambda rng, n: rng.permutation(n), id="all-distinct"),
        pytest.param(
            lambda rng, n: np.where(np.arange(n) % 2 == 0, -1, np.arange(n)), id="half-one-value"
        ),
    ],
)
def test_distinct_values_of_long_columns_are_estimated(dtype: object, values: object) -> None:
    n = 40_000
    numbers = values(np.random.default_rng(3), n)  # type: ignore[operator]
    ser = pd.Series(numbers.astype(str), dtype=dtype)  # type: ignore[arg-type]
    summary = describe_value(ser).summary
    truth = len(np.unique(numbers))
    assert summary["distinct_estimated"] is True
    assert summary["distinct"] == pytest.approx(truth, rel=0.15)
    again = describe_value(ser.copy()).summary  # another object, the same data
    assert again["distinct"] == summary["distinct"]


@pytest.mark.usefixtures("small_sample")
def test_distinct_values_of_short_columns_are_exact() -> None:
    ser = pd.Series([f"v{i % 37}" for i in range(900)], dtype="str")
    summary = describe_value(ser).summary
    assert summary["distinct"] == 37 and "distinct_estimated" not in summary


@pytest.mark.usefixtures("small_sample")
def test_columns_hashed_element_by_element_are_estimated_by_pandas() -> None:
    mixed = pd.Series([i if i % 2 else f"s{i}" for i in range(20_000)], dtype=object)
    summary = describe_value(mixed).summary
    assert summary["distinct_estimated"] is True
    assert summary["distinct"] == pytest.approx(20_000, rel=0.15)


def test_a_changed_object_gets_a_fresh_summary() -> None:
    """Described twice, the second time without a profile (a cached summary is likely)."""
    df = pd.DataFrame({"x": np.arange(10.0)})
    first = describe_value(df)
    df.loc[0, "x"] = 100.0  # same object, new content: summarised by its own passes
    second = describe_value(df)
    assert first.hash != second.hash
    assert second.summary["columns"][0]["max"] == 100.0
    assert second.summary["columns"][0]["mean"] == pytest.approx(14.5)
