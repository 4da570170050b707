"""Compare what a cell printed and displayed, number by number.

Results are often only printed (``print(silhouette_score(...))``), so a
re-run that prints other numbers has not reproduced, even when every value
it bound hashes the same. Text is compared line by line: the words must be
the same, the numbers equal within the tolerance. What cannot repeat is
masked first: timings (numbers with a time unit, lines that speak of time
taken), dates and clock times, memory addresses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any

Close = Callable[[float, float], bool]

#: At most this many differing lines are reported per cell.
MAX_LINES = 5

_NUMBER = re.compile(
    r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w])|\bnan\b|\binf\b"
)
_DIGITS = re.compile(r"\d+(?:\.\d*)?(?:[eE][-+]?\d+)?")
_TIME_LINE = re.compile(
    r"\b(wall time|cpu times?|elapsed|took|time taken|duration|per loop|it/s|s/it|"
    r"seconds?|secs?|runtime|fit_time|score_time)\b",
    re.IGNORECASE,
)
_WITH_UNIT = re.compile(
    r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?\s?(?:ns|µs|us|ms|s|sec|min|h)\b"
)
_MASKS = (
    re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[+-]\d{2}:?\d{2}|Z)?"),
    re.compile(r"\d{4}-\d{2}-\d{2}"),
    re.compile(r"\b\d{1,2}:\d{2}:\d{2}(?:\.\d+)?\b"),
    re.compile(r"0x[0-9a-fA-F]{4,}"),
)


@dataclass(frozen=True)
class PrintedDelta:
    """One line that differs: where it was printed, both versions, and whether it is close."""

    where: str  # "stdout" or "display"
    original: str
    rerun: str
    within_tolerance: bool


def compare_printed(
    original: dict[str, Any],
    rerun: dict[str, Any],
    close: Callable[[float, float], bool],
    numbers: bool = True,
) -> tuple[PrintedDelta, ...]:
    """Lines of stdout and displayed text/plain that differ, most telling first.

    ``original`` and ``rerun`` are the runs' ``extra["output"]`` records. Text
    cut at the capture limit is compared as far as both were kept; display
    text is compared only when both runs recorded it. ``numbers=False``
    (a cell that prints a timing) compares the words only.
    """
    compare: Close | None = close if numbers else None
    cut = _was_cut(original) or _was_cut(rerun)
    deltas = list(_compare_text("stdout", _kept(original), _kept(rerun), compare, cut))
    if "text" in original and "text" in rerun:
        a, b = "\n".join(original["text"]), "\n".join(rerun["text"])
        deltas += _compare_text("display", a, b, compare, cut=False)
    deltas.sort(key=lambda d: d.within_tolerance)
    return tuple(deltas)


def _was_cut(output: dict[str, Any]) -> bool:
    text = str(output.get("stdout") or "")
    return int(output.get("stdout_size") or len(text)) > len(text)


def _kept(output: dict[str, Any]) -> str:
    text = str(output.get("stdout") or "")
    if _was_cut(output):
        text = text[: text.rfind("\n") + 1]  # the last line was cut
    return text


def _compare_text(
    where: str, a: str, b: str, close: Close | None, cut: bool
) -> Iterable[PrintedDelta]:
    """Line by line; when either text was cut, only as many lines as both kept."""
    if a == b:
        return []
    lines_a, lines_b = a.splitlines(), b.splitlines()
    if cut:
        shown = min(len(lines_a), len(lines_b))
        lines_a, lines_b = lines_a[:shown], lines_b[:shown]
    found = []
    for x, y in zip_longest(lines_a, lines_b, fillvalue=None):
        outcome = _compare_line(x, y, close)
        if outcome is not None:
            found.append(PrintedDelta(where, x or "", y or "", outcome))
    return found


def _compare_line(a: str | None, b: str | None, close: Close | None) -> bool | None:
    """None when the lines agree; else whether they differ only within tolerance.

    ``close=None`` compares the words only (the numbers may be timings).
    """
    if a == b:
        return None
    if a is None or b is None:
        return False
    (shape_a, numbers_a), (shape_b, numbers_b) = _parse(a), _parse(b)
    if shape_a != shape_b or len(numbers_a) != len(numbers_b):
        return False
    if close is None or all(x == y for x, y in zip(numbers_a, numbers_b, strict=True)):
        return None
    return all(close(x, y) for x, y in zip(numbers_a, numbers_b, strict=True))


def _parse(line: str) -> tuple[str, list[float]]:
    """The line with its numbers taken out (masked parts dropped), and the numbers."""
    for mask in _MASKS:
        line = mask.sub("~", line)
    if _TIME_LINE.search(line):
        return _DIGITS.sub("#", line), []
    line = _WITH_UNIT.sub("~", line)
    numbers = [float(match.group()) for match in _NUMBER.finditer(line)]
    return _NUMBER.sub("#", line), numbers


def describe(deltas: Iterable[PrintedDelta]) -> str:
    """The first differing lines, as a cause's detail."""
    shown = [f"{d.where}: {d.original.strip()!r} -> {d.rerun.strip()!r}" for d in deltas]
    more = len(shown) - MAX_LINES
    return "; ".join(shown[:MAX_LINES]) + (f" and {more} more lines" if more > 0 else "")
