"""Terminal text for re-run reports and sweep results."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nbtrail.report import short, table
from nbtrail.reproduce.compare import CellReport
from nbtrail.reproduce.printed import MAX_LINES as MAX_PRINTED
from nbtrail.reproduce.verdict import ReproductionReport

_MARKS = {
    "same": "ok",
    "within tolerance": "~ok",
    "diverged": "DIVERGED",
    "failed": "FAILED",
    "missing": "MISSING",
    "new": "new",
}


def rerun_report(report: ReproductionReport) -> str:
    lines = [
        f"re-run of {report.run} ({report.notebook}, {report.source}) as batch {report.batch}",
        f"verdict: {report.verdict.upper()} - {report.summary}",
    ]
    if report.parameters:
        params = ", ".join(f"{k}={short(v, 20)}" for k, v in report.parameters.items())
        lines.append(f"parameters: {params}")
    if report.environment_used != "this environment":
        lines.append(f"environment: {report.environment_used}")
    rows = [
        [c.name[:30], _MARKS[c.outcome], (c.original or "-")[-8:], (c.rerun or "-")[-8:],
         short(_brief(c), 60)]
        for c in report.cells
    ]  # fmt: skip
    lines += ["", table(["cell", "result", "original", "re-run", "detail"], rows)]
    if report.first_divergent is not None:
        lines += ["", *cell_details(report.cells[report.first_divergent])]
    if report.out_of_order:
        lines += ["", "the original was produced by out-of-order execution:"]
        lines += [f"  {f.name}: {f.detail}" for f in report.out_of_order]
    if report.environment:
        lines += ["", f"environment changed: {report.environment.describe()}"]
    lines += ["", f"executed notebook: {report.output}"]
    return "\n".join(lines)


def _brief(cell: CellReport) -> str:
    if cell.outcome in ("failed", "diverged", "missing") and cell.causes:
        return str(cell.causes[0])
    if cell.outcome == "within tolerance":
        keys = [m.key for m in cell.metrics if not m.timing]
        keys += [b.name for b in cell.bindings if b.decisive]
        keys += ["printed output"] if cell.printed else []
        return "within tolerance: " + ", ".join(keys)
    if cell.notes:
        return "; ".join(cell.notes)
    return ""


def cell_details(cell: CellReport) -> list[str]:
    """What differs in one cell, with the evidence for each cause."""
    lines = [f"first divergent cell: '{cell.name}' (cell id {cell.cell_id or '-'})"]
    if cell.error:
        lines.append(f"  error: {cell.error}")
    if cell.status:
        lines.append(f"  status: {cell.status.a} -> {cell.status.b}")
    for m in cell.metrics:
        diff = f" (difference {m.difference:+.4g})" if m.difference is not None else ""
        timing = " (a timing, not compared)" if m.timing else ""
        lines.append(f"  metric {m.key}: {_num(m.original)} -> {_num(m.rerun)}{diff}{timing}")
    for b in cell.bindings:
        if not b.decisive:
            continue
        lines.append(
            f"  {b.direction} {b.name} ({b.kind}): {(b.original or '-')[:12]} -> "
            f"{(b.rerun or '-')[:12]}"
        )
        lines += [f"      {c.key}: {short(c.a)} -> {short(c.b)}" for c in b.details[:5]]
    for p in cell.printed[:MAX_PRINTED]:
        lines += [
            f"  printed ({p.where}): {p.original.strip()!r}",
            f"       now: {p.rerun.strip()!r}",
        ]
    lines += [f"  note: {note}" for note in cell.notes]
    if cell.causes:
        lines.append("  likely cause" + ("s" if len(cell.causes) > 1 else "") + ":")
        lines += [f"    - {cause}" for cause in cell.causes]
    return lines


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.6g}"


def results_table(
    rows: Sequence[dict[str, Any]], param_keys: Sequence[str], metric_keys: Sequence[str]
) -> str:
    """Sweep results: one row per execution (its last run's id), as ordered by the caller."""
    header = ["#", *param_keys, "status", "run", *metric_keys]
    body = [
        [str(row["index"])]
        + [short(row["params"].get(k), 16) for k in param_keys]
        + [row["status"], row["runs"][-1][-8:] if row.get("runs") else "-"]
        + [_num(row["metrics"].get(k)) if k in row["metrics"] else "" for k in metric_keys]
        for row in rows
    ]
    return table(header, body)
