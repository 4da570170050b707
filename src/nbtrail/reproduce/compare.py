"""Compare an original run with its re-run counterpart; explain why they differ.

Hashes are exact, so data bindings either match or differ; tolerances apply
to what is numeric and small (metrics and scalar values), where floating
point noise is expected. Opaque and unhashable bindings are listed but never
decide a verdict: their hashes are best effort.

Timings never decide: values and metrics the tracker recorded as clock
readings (``extra["timing"]``), and scikit-learn's fit/score times inside
tables (``untimed_hash``), are listed and skipped. What the cell printed and
displayed is compared too (:mod:`nbtrail.reproduce.printed`), numbers within
the tolerance.

The likely cause of a divergence is chosen from the evidence in a fixed
order, strongest first: the code changed, an input file changed, the
parameters changed, the original came from out-of-order execution (which
explains the inputs it saw), an input value changed, a model drawing
unseeded random numbers was fitted differently (only when no input changed),
the environment changed (packages named), the printed output alone differs,
and finally unseeded randomness when the same inputs, code and environment
gave different outputs.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from nbtrail.capture.timing import is_timing_key
from nbtrail.diff import Change, changed, differing_bindings, flatten
from nbtrail.records import Binding, EnvSnapshot, Run
from nbtrail.reproduce.printed import PrintedDelta, compare_printed
from nbtrail.reproduce.printed import describe as describe_printed

Outcome = Literal["same", "within tolerance", "diverged", "failed", "missing", "new"]
CauseKind = Literal[
    "code changed",
    "input data changed",
    "parameters changed",
    "out-of-order execution",
    "environment changed",
    "printed output differs",
    "unseeded randomness",
    "error",
]

#: Binding kinds whose hashes are not reliable enough to call a divergence.
UNRELIABLE_KINDS = frozenset({"opaque", "unhashable"})


@dataclass(frozen=True)
class Tolerance:
    """How close two numbers must be to count as the same result.

    The defaults absorb floating-point noise (summation order, thread counts)
    and nothing more: ``rtol=1e-10`` lets an epoch timestamp move 0.17 s, not
    the minutes ``1e-7`` allowed; ``atol=1e-12`` lets values that should be
    zero differ in their last bits.
    """

    rtol: float = 1e-10
    atol: float = 1e-12

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
    timing: bool = False  # a clock reading: shown, never decisive

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
    decisive: bool  # False for opaque/unhashable values and timings
    details: tuple[Change, ...] = ()
    note: str = ""  # why it is not decisive


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
    printed: tuple[PrintedDelta, ...] = ()
    params: tuple[Change, ...] = ()
    code_changed: bool = False
    causes: tuple[Cause, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Timing:
    """A pair's clock readings: binding names and metric keys (see capture.timing)."""

    names: frozenset[str] = frozenset()
    metrics: frozenset[str] = frozenset()
    prints: bool = False  # the cell prints a timing: printed numbers cannot be compared

    def __or__(self, other: Timing) -> Timing:
        return Timing(
            self.names | other.names, self.metrics | other.metrics, self.prints or other.prints
        )


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
    timing = _timing(original) | _timing(rerun)
    metrics = _metric_deltas(original, rerun, tolerance, timing)
    bindings = _binding_deltas(original.bindings, rerun.bindings, tolerance, timing)
    printed = compare_printed(
        original.extra.get("output") or {},
        rerun.extra.get("output") or {},
        tolerance.close,
        numbers=not timing.prints,
    )
    params = changed(original.param_dict(), rerun.param_dict())
    status = (
        Change("status", original.status, rerun.status) if original.status != rerun.status else None
    )
    error = None
    if rerun.exception is not None:
        error = f"{rerun.exception.type}: {rerun.exception.message}"
    decisive = [b for b in bindings if b.decisive]
    results = [m for m in metrics if not m.timing]
    outcome: Outcome
    if rerun.status != "finished":
        outcome = "failed"
    elif (
        status is not None
        or any(not m.within_tolerance for m in results)
        or any(not b.within_tolerance for b in decisive)
        or any(not p.within_tolerance for p in printed)
    ):
        outcome = "diverged"
    elif results or decisive or printed:
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
        printed=printed,
        params=params,
        code_changed=original.source_hash != rerun.source_hash,
        notes=_notes(bindings, metrics, timing),
    )
    if outcome == "failed":
        causes: tuple[Cause, ...] = (Cause("error", error or f"status {rerun.status}"),)
    elif outcome == "diverged":
        causes = likely_causes(original, rerun, report, evidence)
    else:
        causes = ()
    return _with(report, causes=causes)


def _notes(
    bindings: tuple[BindingDelta, ...], metrics: tuple[MetricDelta, ...], timing: Timing
) -> tuple[str, ...]:
    notes = [f"{b.direction} {b.name}: {b.note}" for b in bindings if not b.decisive]
    notes += [f"metric {m.key}: a timing, not compared" for m in metrics if m.timing]
    if timing.prints:
        notes.append("printed numbers not compared: the cell prints a timing")
    return tuple(notes)


def _timing(run: Run) -> Timing:
    record = run.extra.get("timing") or {}
    return Timing(
        frozenset(record.get("names", ())),
        frozenset(record.get("metrics", ())),
        bool(record.get("prints")),
    )


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
    for b in inputs:
        if b.kind != "file":
            causes.append(Cause("input data changed", f"input {b.name} {_hash_change(b)}"))
    unseeded = _unseeded_models(report, original, rerun) if not inputs else []
    if unseeded:
        causes.append(
            Cause(
                "unseeded randomness",
                f"{', '.join(dict.fromkeys(unseeded))} fitted with random_state=None "
                "(its fitted state differs)",
            )
        )
    if evidence.environment:
        causes.append(Cause("environment changed", evidence.environment.describe()))
    if _only_printed(report):
        causes.append(Cause("printed output differs", describe_printed(report.printed)))
    if not any(c.kind in ("code changed", "input data changed", "parameters changed",
                          "unseeded randomness") for c in causes):  # fmt: skip
        causes.append(Cause("unseeded randomness", _randomness_detail(original, rerun)))
    return tuple(causes)


def _only_printed(report: CellReport) -> bool:
    """The cell diverged in what it printed and in nothing it bound or logged."""
    return (
        any(not p.within_tolerance for p in report.printed)
        and report.status is None
        and all(m.within_tolerance or m.timing for m in report.metrics)
        and all(b.within_tolerance or not b.decisive for b in report.bindings)
    )


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


def _unseeded_models(report: CellReport, original: Run, rerun: Run) -> list[str]:
    """Unseeded models the cell wrote whose fitted state differs (never one that matched)."""
    moved = {b.name for b in report.bindings if b.direction == "out" and b.kind == "model"}
    return [
        f"{b.name} ({b.summary.get('class', 'model')})"
        for run in (original, rerun)
        for b in run.bindings
        if b.direction == "out" and b.kind == "model" and b.summary.get("unseeded")
        and b.name in moved
    ]  # fmt: skip


def _hash_change(b: BindingDelta) -> str:
    if b.original is None:
        return "was not read by the original"
    if b.rerun is None:
        return "was not read by the re-run"
    size = {c.key: c for c in b.details}.get("size")
    sizes = f", {size.a} -> {size.b} bytes" if size else ""
    return f"changed (hash {b.original[:10]} -> {b.rerun[:10]}{sizes})"


def _metric_deltas(a: Run, b: Run, tolerance: Tolerance, timing: Timing) -> tuple[MetricDelta, ...]:
    left, right = a.latest_metrics(), b.latest_metrics()
    deltas = []
    for key in sorted(set(left) | set(right)):
        x, y = left.get(key), right.get(key)
        if x is not None and y is not None and (x == y or (math.isnan(x) and math.isnan(y))):
            continue
        close = x is not None and y is not None and tolerance.close(x, y)
        is_timing = key in timing.metrics or is_timing_key(key)
        deltas.append(MetricDelta(key, x, y, close, is_timing))
    return tuple(deltas)


def _binding_deltas(
    a: tuple[Binding, ...], b: tuple[Binding, ...], tolerance: Tolerance, timing: Timing
) -> tuple[BindingDelta, ...]:
    deltas = []
    for key, x, y in differing_bindings(a, b):
        kind = (y or x).kind  # type: ignore[union-attr]
        note = _not_compared(key[1], x, y, timing)
        details = changed(flatten(x.summary) if x else {}, flatten(y.summary) if y else {})
        close = x is not None and y is not None and _scalars_close(x, y, tolerance)
        deltas.append(
            BindingDelta(
                key[1], key[0], kind, x.hash if x else None, y.hash if y else None, close,
                note is None, details, note or "",
            )
        )  # fmt: skip
    return tuple(deltas)


def _not_compared(name: str, x: Binding | None, y: Binding | None, timing: Timing) -> str | None:
    """Why a differing binding does not decide the verdict, or None when it does."""
    kinds = {x.kind if x else "", y.kind if y else ""}
    if kinds & UNRELIABLE_KINDS:
        return f"{(y or x).kind} value, not compared"  # type: ignore[union-attr]
    if name in timing.names:
        return "a timing (read from a clock), not compared"
    untimed = {(v.summary.get("untimed_hash") if v else None) for v in (x, y)}
    if len(untimed) == 1 and None not in untimed:
        return "differs only in fit/score times, not compared"
    return None


def _scalars_close(x: Binding, y: Binding, tolerance: Tolerance) -> bool:
    """Numeric scalars within tolerance; every other kind must hash the same."""
    if x.kind != "scalar" or y.kind != "scalar":
        return False
    a, b = x.summary.get("value"), y.summary.get("value")
    return _is_number(a) and _is_number(b) and tolerance.close(a, b)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
