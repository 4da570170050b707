"""Profiles: per-column facts right, and mergeable (two halves add up to the whole)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import nbtrail
from nbtrail.monitoring import sketches
from nbtrail.monitoring.profiles import CATEGORY, NUMBER, Profile


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 20_000
    amount = rng.lognormal(3.0, 0.5, n)
    amount[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame({
        "amount": amount,
        "count": rng.integers(0, 500, n),
        "city": rng.choice(["paris", "lyon", "nice", "lille"], n, p=[0.4, 0.3, 0.2, 0.1]),
        "active": rng.random(n) < 0.25,
        "when": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 86_400, n), "s"),
    })  # fmt: skip


def test_each_column_is_described(frame: pd.DataFrame) -> None:
    profile = nbtrail.profile(frame)
    columns = profile.columns
    assert profile.rows == len(frame)
    kinds = {name: c.kind for name, c in columns.items()}
    assert kinds == {"amount": NUMBER, "count": NUMBER, "city": CATEGORY, "active": CATEGORY,
                     "when": NUMBER}  # fmt: skip
    assert columns["amount"].null_rate == pytest.approx(frame["amount"].isna().mean())
    assert columns["amount"].minimum == pytest.approx(frame["amount"].min())
    assert columns["amount"].mean == pytest.approx(frame["amount"].mean())
    assert columns["count"].distinct_estimate == pytest.approx(500, rel=0.03)
    assert [k for k, _ in columns["city"].top(2)] == ["paris", "lyon"]
    assert dict(columns["city"].top()) == frame["city"].value_counts().to_dict()
    median = sketches.load_quantiles(columns["amount"].quantiles).get_quantile(0.5)
    assert median == pytest.approx(frame["amount"].median(), rel=0.02)
    assert set(profile.table().index) == set(frame.columns)


def test_two_halves_merge_into_the_whole(frame: pd.DataFrame) -> None:
    whole = nbtrail.profile(frame)
    merged = nbtrail.profile(frame.iloc[:7000]).merge(nbtrail.profile(frame.iloc[7000:]))
    assert merged.rows == whole.rows
    for name, column in whole.columns.items():
        other = merged.columns[name]
        assert (other.count, other.nulls) == (column.count, column.nulls), name
        assert other.distinct_estimate == pytest.approx(column.distinct_estimate, rel=0.03)
    assert merged.columns["city"].top() == whole.columns["city"].top()
    assert merged.columns["amount"].maximum == whole.columns["amount"].maximum
    q = sketches.load_quantiles(merged.columns["amount"].quantiles).get_quantile(0.9)
    assert q == pytest.approx(frame["amount"].quantile(0.9), rel=0.03)


def test_a_profile_survives_its_bytes(frame: pd.DataFrame) -> None:
    profile = nbtrail.profile(frame)
    again = Profile.from_bytes(profile.to_bytes())
    assert again == profile
    assert again.merge(profile).rows == 2 * len(frame)


def test_a_non_frame_is_one_line() -> None:
    with pytest.raises(nbtrail.NbtrailError, match="expected a DataFrame, not list"):
        nbtrail.profile([1, 2, 3])
