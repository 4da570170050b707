"""Drift between two frames: found where the data moved, and only there.

Sizes and seeds are fixed so each statistic sits far from its threshold: a
same-distribution sample of 5,000 rows against a 20,000-row reference stays
an order of magnitude under every default threshold.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import nbtrail
from nbtrail.errors import NbtrailError


def table(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "income": rng.normal(50.0, 10.0, n),
        "age": rng.normal(40.0, 8.0, n),
        "segment": rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2]),
    })  # fmt: skip


@pytest.fixture(scope="module")
def reference() -> nbtrail.monitoring.profiles.Profile:  # type: ignore[name-defined]
    return nbtrail.profile(table(20_000, 1))


def drifted(report: object) -> list[str]:
    return report.drifted_columns  # type: ignore[attr-defined, no-any-return]


METHODS = [("wasserstein", "jensenshannon"), ("psi", "chisquare"), ("ks", "chisquare")]


@pytest.mark.parametrize(("number", "category"), METHODS)
def test_a_sample_of_the_same_distribution_is_not_drift(
    reference: object, number: str, category: str
) -> None:
    report = nbtrail.drift(reference, table(5_000, 2), number_method=number,
                           category_method=category)  # fmt: skip
    assert report.drifted is False and drifted(report) == []
    assert {c.method for c in report.columns} == {number, category}


def test_the_reference_sketch_adds_no_false_alarm() -> None:
    """A 1,000-row batch whose exact normed Wasserstein distance on ``age`` is
    0.085 (sampling noise, threshold 0.1) stays unflagged against every fresh
    profile of the same training data: KLL compaction is random, and at the
    library's default k one profile in ten flagged it."""
    training, batch = table(20_000, 1), table(1_000, 2)
    statistics = []
    for _ in range(40):
        report = nbtrail.drift(nbtrail.profile(training), batch)
        assert drifted(report) == []
        statistics += [c.statistic for c in report.columns if c.name == "age"]
    assert 0.075 < min(statistics) <= max(statistics) < 0.095


@pytest.mark.parametrize("number", ["wasserstein", "psi", "ks"])
def test_one_scaled_column_is_drift_on_that_column_only(reference: object, number: str) -> None:
    current = table(5_000, 2)
    current["income"] *= 1.6
    report = nbtrail.drift(reference, current, number_method=number)
    assert report.drifted is True and drifted(report) == ["income"]
    income = next(c for c in report.columns if c.name == "income")
    assert income.method == number and income.details["null_rate"]["current"] == 0.0


def test_a_category_mix_that_moved_and_an_unseen_category(reference: object) -> None:
    rng = np.random.default_rng(4)
    current = table(5_000, 2)
    current["segment"] = rng.choice(["a", "b", "c", "z"], 5_000, p=[0.2, 0.2, 0.5, 0.1])
    report = nbtrail.drift(reference, current)
    assert drifted(report) == ["segment"]
    assert report.unseen == {"segment": ["z"]}
    segment = next(c for c in report.columns if c.name == "segment")
    assert (segment.method, segment.threshold) == ("jensenshannon", 0.1)


def test_a_missing_or_retyped_column_is_a_schema_change(reference: object) -> None:
    current = table(5_000, 2).drop(columns="age").assign(income="high", extra=1)
    report = nbtrail.drift(reference, current)
    assert report.drifted is True
    assert report.schema.to_dict() == {"missing": ["age"], "new": ["extra"], "retyped": ["income"]}
    assert [c.name for c in report.columns] == ["segment"]


def test_thresholds_are_the_callers(reference: object) -> None:
    current = table(5_000, 2)
    current["age"] += 2.0  # a quarter of a standard deviation: about 0.25 normed
    assert drifted(nbtrail.drift(reference, current)) == ["age"]
    assert drifted(nbtrail.drift(reference, current, number_threshold=0.5)) == []


def test_json_report_names_method_statistic_threshold(reference: object) -> None:
    report = nbtrail.drift(reference, table(2_000, 5)).to_dict()
    assert report["drifted"] is False
    for column in report["columns"]:
        assert set(column) >= {"name", "drifted", "method", "statistic", "threshold"}


def test_frames_runs_and_methods_that_do_not_exist() -> None:
    frame = table(100, 1)
    with pytest.raises(NbtrailError, match="unknown number drift method 'mean'"):
        nbtrail.drift(frame, frame, number_method="mean")
    with pytest.raises(NbtrailError, match="runs keep hashes and summaries"):
        nbtrail.drift(frame, {"income": [1.0]})


def test_a_figure_per_drifted_column(reference: object) -> None:
    from nbtrail.monitoring import drift_figures

    current = table(2_000, 6)
    current["age"] *= 1.6
    figures = drift_figures(reference, current)
    assert list(figures) == ["age"]
    axes = figures["age"].axes[0]
    assert axes.get_title().startswith("age: wasserstein ")
    assert [t.get_text() for t in axes.get_legend().get_texts()] == ["training", "current"]
