"""The table printed at the end and the JSON written next to it.

The JSON keeps everything (details, checks, the machine); the table keeps what
a reader needs to judge a figure: the value, the baseline measured in the same
run, the ratio (above 1: nbtrail does better), the target and whether it holds.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.timing import Figure

COLUMNS = ("figure", "value", "baseline", "ratio", "target", "met?")


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    text = f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return f"{text} {unit}".strip()


def _met(figure: Figure) -> str:
    if figure.skipped:
        return "peer skipped"
    return {True: "yes", False: "NO", None: "-"}[figure.met]


def rows(figures: list[Figure]) -> list[tuple[str, ...]]:
    return [
        (
            figure.title,
            _number(figure.value, figure.unit),
            _number(figure.baseline, figure.unit),
            _number(figure.ratio) + ("x" if figure.ratio is not None else ""),
            figure.target or "-",
            _met(figure),
        )
        for figure in figures
    ]


def text_table(figures: list[Figure]) -> str:
    body = rows(figures)
    widths = [max(len(row[i]) for row in [COLUMNS, *body]) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
             for row in [COLUMNS, *body]]  # fmt: skip
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


def markdown_table(figures: list[Figure]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |"
              for row in rows(figures)]  # fmt: skip
    return "\n".join(lines)


def legend(figures: list[Figure], skipped: dict[str, str]) -> str:
    """What each baseline is, the notes, and what could not be measured."""
    lines = ["baselines and notes:"]
    for figure in figures:
        line = f"  {figure.key}: baseline = {figure.baseline_title}"
        if figure.note:
            line += f"; {figure.note}"
        if figure.skipped:
            line += f"; PEER SKIPPED: {figure.skipped}"
        lines.append(line)
    for key, reason in skipped.items():
        lines.append(f"  {key}: NOT MEASURED: {reason}")
    return "\n".join(lines)


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def machine() -> dict[str, Any]:
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "versions": {
            name: _version(name) for name in ("nbtrail", "mlflow", "numpy", "pandas", "pyarrow")
        },
    }


def write_json(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
