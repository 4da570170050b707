"""Parameters: parse ``-p`` assignments like papermill, validate them, build grids.

Values are typed the way ``papermill -p`` types them (``True``/``False``/
``None``, int, float, else the string), so a sweep's parameters are the ones a
person would get running papermill by hand. Names are checked against the
notebook's ``parameters`` cell: a typo would otherwise be injected silently
and every execution would run with the default.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from nbtrail.capture.notebook import parameter_names
from nbtrail.reproduce.errors import ParameterError

Grid = dict[str, list[Any]]


def parse_value(text: str) -> Any:
    """One value typed as papermill's CLI types it."""
    constants: dict[str, Any] = {"True": True, "False": False, "None": None}
    if text in constants:
        return constants[text]
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _split(item: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    key = key.strip()
    if not sep or not key.isidentifier():
        raise ParameterError(f"-p expects NAME=VALUE with NAME a Python name, got {item!r}")
    return key, value.strip()


def parse_assignments(items: Iterable[str]) -> dict[str, Any]:
    """``["lr=0.1", "name=a"]`` -> ``{"lr": 0.1, "name": "a"}`` (one value each)."""
    return {key: parse_value(value) for key, value in map(_split, items)}


def parse_grid(items: Iterable[str]) -> Grid:
    """``["lr=0.1,0.01", "depth=3"]`` -> ``{"lr": [0.1, 0.01], "depth": [3]}``.

    Repeating a name adds values; duplicates are dropped, order is kept.
    """
    grid: Grid = {}
    for key, text in map(_split, items):
        values = [parse_value(part.strip()) for part in text.split(",")]
        if any(part.strip() == "" for part in text.split(",")):
            raise ParameterError(f"-p {key}= has an empty value in {text!r}")
        merged = grid.setdefault(key, [])
        merged.extend(v for v in values if v not in merged)
    return grid


def validate_names(names: Iterable[str], notebook: str | Path) -> None:
    """Raise ParameterError unless every name is assigned in the parameters cell."""
    names = list(names)
    if not names:
        return
    known = parameter_names(str(notebook))
    if not known:
        raise ParameterError(
            f"{notebook} has no cell tagged 'parameters' (papermill's), so it takes no -p"
        )
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ParameterError(
            f"unknown parameter {', '.join(map(repr, unknown))}: the parameters cell of "
            f"{Path(notebook).name} assigns {', '.join(known)}"
        )


def grid_size(grid: Mapping[str, Sequence[Any]]) -> int:
    size = 1
    for values in grid.values():
        size *= len(values)
    return size


def expand(grid: Mapping[str, Sequence[Any]]) -> Iterator[dict[str, Any]]:
    """Every combination, the last name varying fastest (like nested loops)."""
    keys = list(grid)
    for combo in itertools.product(*(grid[k] for k in keys)):
        yield dict(zip(keys, combo, strict=True))


def sample(grid: Mapping[str, Sequence[Any]], count: int, seed: int | None) -> list[dict[str, Any]]:
    """``count`` distinct combinations drawn at random, in grid order.

    Draws indexes, not combinations, so a huge grid is never materialised.
    """
    total = grid_size(grid)
    if count >= total:
        return list(expand(grid))
    chosen = sorted(random.Random(seed).sample(range(total), count))
    return [_combination(grid, index) for index in chosen]


def _combination(grid: Mapping[str, Sequence[Any]], index: int) -> dict[str, Any]:
    combo: dict[str, Any] = {}
    for key in reversed(list(grid)):
        values = grid[key]
        index, position = divmod(index, len(values))
        combo[key] = values[position]
    return {key: combo[key] for key in grid}
