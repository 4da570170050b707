"""Compare an original run with its re-run counterpart; explain why they differ.

Hashes are exact, so data bindings either match or differ; tolerances apply
to what is numeric and small (metrics and scalar values), where floating
point noise is expected. Opaque and unhashable bindings are listed but never
decide a verdict: their hashes are best effort.

The likely cause of a divergence is chosen from the evidence in a fixed
order, strongest first: the code changed, an input file changed, the
parameters changed, the original came from out-of-order execution, a model
was fitted without a seed, the environment changed (packages named), an
input value differs, and finally unseeded randomness when the same inputs,
code and environment gave different outputs.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from nbtrail.diff import Change, changed, differing_bindings, flatten
from nbtrail.records import Binding, EnvSnapshot, Run

Outcome = Literal["same", "within tolerance", "diverged", "failed", "missing", "new"]
CauseKind = Literal[
    "code changed",
    "input data changed",
    "parameters changed",
    "out-of-order execution",
    "environment changed",
    "unseeded randomness",
    "error",
]

#: Binding kinds whose hashes are not reliable enough to call a divergence.
UNRELIABLE_KINDS = frozenset({"opaque", "unhashable"})


@dataclass(frozen=True)
class Tolerance:
    rtol: float = 1e-7
    atol: float = 0.0

    def close(self, a: Any, b: Any) -> bool:
        if _is_number(a) and _is_number(b):
            a, b = float(a), float(b)
            if math.isnan(a) and math.isnan(b):
                return True
            return math.isclose(a, b, rel_tol=self.rtol, abs_tol=self.atol)
        return bool(a == b)


@dataclass(frozen=True)
class Cause:
    kind: CauseKind
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}" if self.detail else self.kind


@dataclass(frozen=True)
class MetricDelta:
    key: str
    original: float | None
    rerun: float | None
    within_tolerance: bool

    @property
    def difference(self) -> float | None:
        if self.original is None or self.rerun is None:
            return None
        return self.rerun - self.original


@dataclass(frozen=True)
class BindingDelta:
    name: str
    direction: str
    kind: str
    original: str | None  # hash
    rerun: str | None
    within_tolerance: bool
    decisive: bool  # False for opaque/unhashable values
    details: tuple[Change, ...] = ()


@dataclass(frozen=True)
class EnvironmentDelta:
    """What differs between two environments, NBTRAIL_* variables aside."""

    packages: tuple[Change, ...] = ()
    facts: tuple[Change, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.packages or self.facts)

    def describe(self) -> str:
        parts = [f"{c.key} {c.a or 'absent'} -> {c.b or 'absent'}" for c in self.packages[:6]]
        parts += [f"{c.key} {c.a} -> {c.b}" for c in self.facts[:3]]
        more = len(self.packages) - 6
        return ", ".join(parts) + (f" and {more} more" if more > 0 else "")


@dataclass(frozen=True)
class CellReport:
    name: str
    cell_id: str | None
    original: str | None
    rerun: str | None
    matched_by: str
    outcome: Outcome
    status: Change | None = None
    error: str | None = None
    metrics: tuple[MetricDelta, ...] = ()
    bindings: tuple[BindingDelta, ...] = ()
    params: tuple[Change, ...] = ()
    code_changed: bool = False
    causes: tuple[Cause, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Evidence:
    """Session-level facts a cell comparison needs besides the two runs."""

    environment: EnvironmentDelta
    out_of_order: str | None = None  # why the original was out of order, if it was


def environment_delta(a: EnvSnapshot | None, b: EnvSnapshot | None) -> EnvironmentDelta:
    if a is None or b is None or a.hash == b.hash:
        return EnvironmentDelta()

    def facts(env: EnvSnapshot) -> dict[str, Any]:
        data: dict[str, Any] = {"python": env.python, "platform": env.platform}
        data["git.commit"] = env.git.get("commit")
        data.update(
            {f"env.{k}": v for k, v in env.env_vars.items() if not k.startswith("NBTRAIL_")}
        )
        return data

    return EnvironmentDelta(changed(a.packages, b.packages), changed(facts(a), facts(b)))


def compare_pair(original: Run, rerun: Run, tolerance: Tolerance, evidence: Evidence) -> CellReport:
    metrics = _metric_deltas(original, rerun, tolerance)
    bindings = _binding_deltas(original.bindings, rerun.bindings, tolerance)
    params = changed(original.param_dict(), rerun.param_dict())
    status = (
        Change("status", original.status, rerun.status) if original.status != rerun.status else None
    )
    error = None
    if rerun.exception is not None:
        error = f"{rerun.exception.type}: {rerun.exception.message}"
    code_changed = original.source_hash != rerun.source_hash
    decisive = [b for b in bindings if b.decisive]
    outcome: Outcome
    if rerun.status != "finished":
        outcome = "failed"
    elif (
        status is not None
        or any(not m.within_tolerance for m in metrics)
        or any(not b.within_tolerance for b in decisive)
    ):
        outcome = "diverged"
    elif metrics or decisive:
        outcome = "within tolerance"
    else:
        outcome = "same"
    report = CellReport(
        name=rerun.name,
        cell_id=rerun.cell_id or original.cell_id,
        original=original.id,
        rerun=rerun.id,
        matched_by="",
        outcome=outcome,
        status=status,
        error=error,
        metrics=metrics,
        bindings=bindings,
        params=params,
        code_changed=code_changed,
        notes=tuple(
            f"{b.direction} {b.name}: {b.kind} value, not compared"
            for b in bindings
            if not b.decisive
        ),
    )
    if outcome == "failed":
        causes: tuple[Cause, ...] = (Cause("error", error or f"status {rerun.status}"),)
    elif outcome == "diverged":
        causes = likely_causes(original, rerun, report, evidence)
    else:
        causes = ()
    return _with(report, causes=causes)


def _with(report: CellReport, **changes: Any) -> CellReport:
    from dataclasses import replace

    return replace(report, **changes)


def likely_causes(
    original: Run, rerun: Run, report: CellReport, evidence: Evidence
) -> tuple[Cause, ...]:
    """Every cause the evidence supports, most likely first."""
    causes: list[Cause] = []
    inputs = [b for b in report.bindings if b.direction == "in" and b.decisive]
    if report.code_changed:
        causes.append(Cause("code changed", "the cell's source differs from the original"))
    for b in inputs:
        if b.kind == "file":
            causes.append(Cause("input data changed", f"file {b.name} {_hash_change(b)}"))
    if report.params:
        moved = ", ".join(f"{c.key} {c.a!r} -> {c.b!r}" for c in report.params)
        causes.append(Cause("parameters changed", moved))
    if evidence.out_of_order:
        causes.append(
            Cause(
                "out-of-order execution", f"the original ran out of order: {evidence.out_of_order}"
            )
        )
    unseeded = _unseeded_models(original) + _unseeded_models(rerun)
    if unseeded:
        causes.append(
            Cause(
                "unseeded randomness",
                f"{', '.join(dict.fromkeys(unseeded))} fitted with random_state=None",
            )
        )
    if evidence.environment:
        causes.append(Cause("environment changed", evidence.environment.describe()))
    for b in inputs:
        if b.kind != "file":
            causes.append(Cause("input data changed", f"input {b.name} {_hash_change(b)}"))
    if not causes:
        causes.append(Cause("unseeded randomness", _randomness_detail(original, rerun)))
    return tuple(causes)


def _randomness_detail(original: Run, rerun: Run) -> str:
    detail = "the same inputs, code and environment gave different outputs"
    a = original.extra.get("random_state") or {}
    b = rerun.extra.get("random_state") or {}
    moved = [name for name in ("numpy", "python") if name in a and name in b and a[name] != b[name]]
    if moved:
        detail += (
            f"; the global {' and '.join(moved)} random state differed at cell start (not seeded)"
        )
    return detail


def _unseeded_models(run: Run) -> list[str]:
    return [
        f"{b.name} ({b.summary.get('class', 'model')})"
        for b in run.bindings
        if b.direction == "out" and b.kind == "model" and b.summary.get("unseeded")
    ]


def _hash_change(b: BindingDelta) -> str:
    if b.original is None:
        return "was not read by the original"
    if b.rerun is None:
        return "was not read by the re-run"
    size = {c.key: c for c in b.details}.get("size")
    sizes = f", {size.a} -> {size.b} bytes" if size else ""
    return f"changed (hash {b.original[:10]} -> {b.rerun[:10]}{sizes})"


def _metric_deltas(a: Run, b: Run, tolerance: Tolerance) -> tuple[MetricDelta, ...]:
    left, right = a.latest_metrics(), b.latest_metrics()
    deltas = []
    for key in sorted(set(left) | set(right)):
        x, y = left.get(key), right.get(key)
        if x is not None and y is not None and (x == y or (math.isnan(x) and math.isnan(y))):
            continue
        close = x is not None and y is not None and tolerance.close(x, y)
        deltas.append(MetricDelta(key, x, y, close))
    return tuple(deltas)


def _binding_deltas(
    a: tuple[Binding, ...], b: tuple[Binding, ...], tolerance: Tolerance
) -> tuple[BindingDelta, ...]:
    deltas = []
    for key, x, y in differing_bindings(a, b):
        kind = (y or x).kind  # type: ignore[union-attr]
        decisive = not ({x.kind if x else "", y.kind if y else ""} & UNRELIABLE_KINDS)
        details = changed(flatten(x.summary) if x else {}, flatten(y.summary) if y else {})
        close = x is not None and y is not None and _scalars_close(x, y, tolerance)
        deltas.append(
            BindingDelta(
                key[1], key[0], kind, x.hash if x else None, y.hash if y else None, close,
                decisive, details,
            )
        )  # fmt: skip
    return tuple(deltas)


def _scalars_close(x: Binding, y: Binding, tolerance: Tolerance) -> bool:
    """Numeric scalars within tolerance; every other kind must hash the same."""
    if x.kind != "scalar" or y.kind != "scalar":
        return False
    a, b = x.summary.get("value"), y.summary.get("value")
    return _is_number(a) and _is_number(b) and tolerance.close(a, b)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
