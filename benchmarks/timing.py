"""Timing helpers and the figure record every group produces.

Medians, not minimums or means: a notebook user feels the typical cell, and a
median shrugs off the odd garbage collection or page fault that would dominate
a mean on a 2-core machine. Every figure carries its baseline so a reader never
compares against a number from another machine.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Better = Literal["lower", "higher"]


def samples(func: Callable[[], Any], repeat: int, warmup: int = 1) -> list[float]:
    """Seconds per call of ``func``, ``repeat`` times after ``warmup`` untimed calls.

    One full collection first, so garbage left by an earlier group is not
    collected inside these samples; the collector stays on (as in a kernel).
    """
    for _ in range(warmup):
        func()
    gc.collect()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return times


def median_seconds(func: Callable[[], Any], repeat: int, warmup: int = 1) -> float:
    return statistics.median(samples(func, repeat, warmup))


def interleaved(
    funcs: dict[str, Callable[[], Any]], repeat: int, warmup: int = 2
) -> dict[str, float]:
    """Median seconds of several functions sampled in turn, A B A B ...

    Interleaving makes a slow drift of the machine (thermal, another process)
    hit every variant alike, which matters when the figure is a difference of
    two medians (tracked minus untracked cell).
    """
    for func in funcs.values():
        for _ in range(warmup):
            func()
    times: dict[str, list[float]] = {name: [] for name in funcs}
    for _ in range(repeat):
        for name, func in funcs.items():
            start = time.perf_counter()
            func()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


@dataclass(frozen=True)
class Check:
    """One target: ``value`` or ``ratio`` compared with a threshold."""

    on: Literal["value", "ratio"]
    op: Literal["<=", ">="]
    threshold: float
    text: str

    def holds(self, value: float, ratio: float | None) -> bool | None:
        subject = value if self.on == "value" else ratio
        if subject is None:
            return None
        return subject <= self.threshold if self.op == "<=" else subject >= self.threshold


def at_most(threshold: float, text: str) -> Check:
    return Check("value", "<=", threshold, text)


def at_least(threshold: float, text: str) -> Check:
    return Check("value", ">=", threshold, text)


def ratio_at_least(threshold: float, text: str) -> Check:
    return Check("ratio", ">=", threshold, text)


@dataclass
class Figure:
    """One row of the table.

    ``ratio`` is always oriented so that above 1 means nbtrail does better than
    the baseline: baseline / value for times, value / baseline for throughputs.
    A baseline of ``None`` means it could not be measured here (``skipped``
    says why); such a figure never counts as compared.
    """

    key: str
    title: str
    value: float
    unit: str
    baseline: float | None
    baseline_title: str
    better: Better = "lower"
    checks: tuple[Check, ...] = ()
    note: str = ""
    skipped: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.value <= 0 or self.baseline <= 0:
            return None
        if self.better == "lower":
            return self.baseline / self.value
        return self.value / self.baseline

    @property
    def met(self) -> bool | None:
        """All targets hold (``None`` when the figure has none or one is unmeasurable)."""
        if not self.checks:
            return None
        results = [check.holds(self.value, self.ratio) for check in self.checks]
        if any(result is None for result in results):
            return None
        return all(results)

    @property
    def target(self) -> str:
        return " and ".join(check.text for check in self.checks)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["checks"] = [asdict(check) for check in self.checks]
        data |= {"ratio": self.ratio, "met": self.met, "target": self.target}
        return data


def ms(seconds: float) -> float:
    return seconds * 1e3
