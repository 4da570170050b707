"""``--require`` conditions: the small parser until the shared filter language exists."""

from __future__ import annotations

import pytest

from nbtrail.models.conditions import Condition, ConditionError, parse_conditions


def test_one_metric_condition() -> None:
    assert parse_conditions("metrics.accuracy >= 0.95") == [
        Condition("metrics", "accuracy", ">=", 0.95)
    ]


def test_conditions_joined_by_and_in_any_case_without_spaces() -> None:
    parsed = parse_conditions("metrics.acc>0.9 and params.C = 1 AND params.kind != 'rbf'")
    assert parsed == [
        Condition("metrics", "acc", ">", 0.9),
        Condition("params", "C", "=", 1),
        Condition("params", "kind", "!=", "rbf"),
    ]


def test_keys_with_dots_and_backticks() -> None:
    assert parse_conditions("metrics.val.loss < 1e-2")[0] == Condition(
        "metrics", "val.loss", "<", 0.01
    )
    assert parse_conditions('params.`my key` == "a b"')[0] == Condition(
        "params", "my key", "==", "a b"
    )


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        (">=", 0.95, True),
        (">", 0.96, False),
        ("<", 1, True),
        ("=", 0.96, True),
        ("!=", 0.96, False),
    ],
)
def test_check_compares_numbers(op: str, value: float, expected: bool) -> None:
    result = Condition("metrics", "acc", op, value).check({}, {"acc": 0.96})
    assert result.passed is expected
    assert result.detail == "metrics.acc is 0.96"


def test_check_params_text_and_missing_keys() -> None:
    params = {"solver": "lbfgs", "C": 0.5, "fit": True}
    assert Condition("params", "solver", "=", "lbfgs").check(params, {}).passed
    assert not Condition("params", "solver", ">", 1).check(params, {}).passed  # text vs number
    assert Condition("params", "fit", "=", True).check(params, {}).passed
    missing = Condition("metrics", "f1", ">=", 0.5).check(params, {"acc": 1.0})
    assert not missing.passed
    assert missing.detail == "the run has no metric 'f1'"
    assert not Condition("metrics", "acc", ">", 0).check({}, {"acc": float("nan")}).passed


@pytest.mark.parametrize(
    "text",
    [
        "",
        "accuracy >= 0.9",  # no scope
        "metrics.acc",  # incomplete
        "metrics.acc ~ 3",  # unknown operator
        "metrics.acc >= 0.9 OR metrics.f1 > 0.5",  # only AND
        "metrics.acc >= fast",  # unquoted text
        "metrics.acc >= 0.9 AND",
    ],
)
def test_bad_expressions_are_one_line_errors(text: str) -> None:
    with pytest.raises(ConditionError) as info:
        parse_conditions(text)
    assert "\n" not in str(info.value)
