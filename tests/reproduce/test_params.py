"""Parameter parsing, validation and grids (no kernel)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nbtrail.reproduce.errors import ParameterError
from nbtrail.reproduce.params import (
    expand,
    grid_size,
    parse_assignments,
    parse_grid,
    parse_value,
    sample,
    validate_names,
)

EXAMPLE = Path(__file__).parents[2] / "example_notebooks" / "sweep.ipynb"


def test_values_are_typed_like_papermill() -> None:
    assert [parse_value(v) for v in ["3", "0.5", "True", "None", "adam", "1e-3"]] == [
        3, 0.5, True, None, "adam", 0.001,
    ]  # fmt: skip
    assert parse_assignments(["lr=0.1", "name=a=b"]) == {"lr": 0.1, "name": "a=b"}


def test_grids_expand_and_sample_without_repeats() -> None:
    grid = parse_grid(["lr=0.1,0.01", "depth=3,5,7", "lr=0.1"])
    assert grid == {"lr": [0.1, 0.01], "depth": [3, 5, 7]}
    assert grid_size(grid) == 6
    combos = list(expand(grid))
    assert combos[:2] == [{"lr": 0.1, "depth": 3}, {"lr": 0.1, "depth": 5}]
    picked = sample(grid, 4, seed=1)
    assert len(picked) == 4 and all(p in combos for p in picked)
    assert len({tuple(p.items()) for p in picked}) == 4
    assert sample(grid, 4, seed=1) == picked
    assert sample(grid, 10, seed=1) == combos


@pytest.mark.parametrize("item", ["lr", "=1", "1x=2", "a-b=1"])
def test_malformed_assignments_are_rejected(item: str) -> None:
    with pytest.raises(ParameterError, match="NAME=VALUE"):
        parse_grid([item])


def test_names_are_checked_against_the_parameters_cell(tmp_path: Path) -> None:
    validate_names(["lr", "depth"], EXAMPLE)
    with pytest.raises(ParameterError, match=r"unknown parameter 'lrate'.*assigns lr, depth"):
        validate_names(["lrate"], EXAMPLE)
    plain = tmp_path / "plain.ipynb"
    plain.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    with pytest.raises(ParameterError, match="no cell tagged 'parameters'"):
        validate_names(["lr"], plain)
