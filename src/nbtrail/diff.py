"""What differs between two runs, as a record every surface can render."""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from nbtrail.records import Binding, EnvSnapshot, Run
from nbtrail.store import Store


@dataclass(frozen=True)
class Change:
    key: str
    a: Any
    b: Any


@dataclass(frozen=True)
class BindingChange:
    """A value both runs (or one of them) bound under the same name and direction."""

    name: str
    direction: str
    hash_a: str | None
    hash_b: str | None
    details: tuple[Change, ...]  # summary fields that moved, e.g. columns.x.mean


@dataclass(frozen=True)
class RunDiff:
    a: str
    b: str
    status: Change | None
    params: tuple[Change, ...]
    metrics: tuple[Change, ...]
    bindings: tuple[BindingChange, ...]
    environment: tuple[Change, ...]  # python, platform, git, env vars
    packages: tuple[Change, ...]
    source: str  # unified diff, empty when the code is the same

    @property
    def identical(self) -> bool:
        return not (
            self.status or self.params or self.metrics or self.bindings
            or self.environment or self.packages or self.source
        )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def diff_runs(store: Store, a: str, b: str) -> RunDiff:
    run_a, run_b = store.get_run(a), store.get_run(b)
    env_a = store.get_environment(run_a.env_hash) if run_a.env_hash else None
    env_b = store.get_environment(run_b.env_hash) if run_b.env_hash else None
    return compare(run_a, run_b, env_a, env_b)


def compare(
    run_a: Run, run_b: Run, env_a: EnvSnapshot | None = None, env_b: EnvSnapshot | None = None
) -> RunDiff:
    status = Change("status", run_a.status, run_b.status) if run_a.status != run_b.status else None
    return RunDiff(
        a=run_a.id,
        b=run_b.id,
        status=status,
        params=changed(run_a.param_dict(), run_b.param_dict()),
        metrics=changed(run_a.latest_metrics(), run_b.latest_metrics()),
        bindings=_binding_changes(run_a.bindings, run_b.bindings),
        environment=_environment_changes(env_a, env_b),
        packages=changed(env_a.packages if env_a else {}, env_b.packages if env_b else {}),
        source=source_diff(run_a, run_b),
    )


def changed(a: dict[str, Any], b: dict[str, Any]) -> tuple[Change, ...]:
    """Keys whose values differ (missing on one side shows as None), sorted."""
    return tuple(
        Change(key, a.get(key), b.get(key))
        for key in sorted(set(a) | set(b))
        if not _same(a.get(key), b.get(key))
    )


def _same(x: Any, y: Any) -> bool:
    if isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y):
        return True
    return bool(x == y)


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """``{"columns": [{"name": "x", "mean": 1}]}`` -> ``{"columns.x.mean": 1}``.

    Lists of named entries (a table's columns) are keyed by name, so a diff
    says which column moved rather than that a list differs.
    """
    if (
        isinstance(value, list)
        and value
        and all(isinstance(item, dict) and "name" in item for item in value)
    ):
        value = {
            str(item["name"]): {k: v for k, v in item.items() if k != "name"} for item in value
        }
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(flatten(item, f"{prefix}{key}."))
        return flat
    return {prefix.rstrip("."): value}


def differing_bindings(
    a: tuple[Binding, ...], b: tuple[Binding, ...]
) -> Iterator[tuple[tuple[str, str], Binding | None, Binding | None]]:
    """``((direction, name), a's, b's)`` for every binding whose hash differs or is unknown."""
    left = {(x.direction, x.name): x for x in a}
    right = {(x.direction, x.name): x for x in b}
    for key in sorted(set(left) | set(right)):
        x, y = left.get(key), right.get(key)
        if x is not None and y is not None and x.hash == y.hash and x.hash is not None:
            continue
        yield key, x, y


def _binding_changes(a: tuple[Binding, ...], b: tuple[Binding, ...]) -> tuple[BindingChange, ...]:
    changes = []
    for key, x, y in differing_bindings(a, b):
        details = changed(flatten(x.summary) if x else {}, flatten(y.summary) if y else {})
        changes.append(
            BindingChange(key[1], key[0], x.hash if x else None, y.hash if y else None, details)
        )
    return tuple(changes)


def _environment_changes(a: EnvSnapshot | None, b: EnvSnapshot | None) -> tuple[Change, ...]:
    if a is None or b is None or a.hash == b.hash:
        return ()

    def facts(env: EnvSnapshot) -> dict[str, Any]:
        data = {"python": env.python, "platform": env.platform, "executable": env.executable}
        data.update({f"git.{k}": v for k, v in env.git.items()})
        data.update({f"env.{k}": v for k, v in env.env_vars.items()})
        return data

    return changed(facts(a), facts(b))


def source_diff(a: Run, b: Run) -> str:
    if a.source_hash == b.source_hash:
        return ""
    lines = difflib.unified_diff(
        a.source.splitlines(keepends=True),
        b.source.splitlines(keepends=True),
        fromfile=f"run {a.id}",
        tofile=f"run {b.id}",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
