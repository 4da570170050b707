"""``--require`` conditions: the shared filter language checked against a version's lineage."""

from __future__ import annotations

import pytest

from nbtrail.models.conditions import check, describe, parse_conditions
from nbtrail.store.filter_syntax import FilterError


def test_each_part_of_a_top_level_and_is_one_gate() -> None:
    parsed = parse_conditions("metrics.acc>0.9 and params.C = 1 AND params.kind != 'rbf'")
    assert [describe(c) for c in parsed] == [
        "metrics.acc > 0.9", "params.C = 1", "params.kind != 'rbf'"
    ]  # fmt: skip


def test_keys_with_dots_and_backticks() -> None:
    assert describe(parse_conditions("metrics.val.loss < 1e-2")[0]) == "metrics.val.loss < 0.01"
    gate = check(parse_conditions('params.`my key` == "a b"')[0], {"my key": "a b"}, {})
    assert gate.passed and gate.gate == "params.`my key` = 'a b'"


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
    result = check(parse_conditions(f"metrics.acc {op} {value}")[0], {}, {"acc": 0.96})
    assert result.passed is expected
    assert result.detail == "metrics.acc is 0.96"


def test_check_params_text_missing_keys_nan_and_or() -> None:
    params = {"solver": "lbfgs", "C": 0.5, "fit": True}

    def passed(text: str, metrics: dict[str, float] | None = None) -> bool:
        return all(check(c, params, metrics or {}).passed for c in parse_conditions(text))

    assert passed("params.solver = 'lbfgs'") and passed("params.fit = true")
    assert not passed("params.solver > 1")  # text is not a number
    missing = check(parse_conditions("metrics.f1 >= 0.5")[0], params, {"acc": 1.0})
    assert not missing.passed and missing.detail == "the run has no metric 'f1'"
    assert not passed("metrics.acc > 0", {"acc": float("nan")})
    assert passed("metrics.acc > 0.9 OR params.C < 1", {"acc": 0.5})  # the language's OR too


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "needs a condition"),
        ("accuracy >= 0.9", "unknown attribute 'accuracy'"),
        ("metrics.acc", "expected an operator"),
        ("metrics.acc ~ 3", "position"),
        ("metrics.acc >= fast", "metrics.acc is a number; 'fast' is not"),
        ("metrics.acc >= 0.9 AND", "expected a condition"),
    ],
)
def test_bad_expressions_are_one_line_errors(text: str, says: str) -> None:
    with pytest.raises(FilterError) as info:
        parse_conditions(text)
    assert "\n" not in str(info.value) and says in str(info.value)
