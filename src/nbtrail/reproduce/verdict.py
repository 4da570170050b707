"""The re-run's verdict: every cell compared, the first divergence explained.

``build_report`` is a pure function of the original session's runs, the
re-run's runs, their environments and the execution result, so it can be
tested and re-computed without executing anything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from nbtrail.records import EnvSnapshot, Run, Verdict
from nbtrail.reproduce.compare import (
    Cause,
    CellReport,
    EnvironmentDelta,
    Evidence,
    Tolerance,
    compare_pair,
    environment_delta,
)
from nbtrail.reproduce.engine import ExecutionResult
from nbtrail.reproduce.history import NotebookCells, OutOfOrder, find_out_of_order
from nbtrail.reproduce.matching import latest_per_cell, match_runs

#: Exit codes of ``nbtrail rerun`` by verdict (2 is a usage error).
EXIT_CODES: dict[str, int] = {
    "reproduced": 0,
    "reproduced within tolerance": 0,
    "diverged": 1,
    "failed": 1,
}


@dataclass(frozen=True)
class ReproductionReport:
    run: str  # the run asked for
    batch: str
    notebook: str
    source: str  # "snapshot" (the file as run), "reconstructed snapshot" (the cells run), "current"
    verdict: Verdict
    summary: str  # one line: why this verdict
    cells: tuple[CellReport, ...]
    first_divergent: int | None = None  # index into cells
    cause: Cause | None = None
    error: str | None = None
    environment: EnvironmentDelta = field(default_factory=EnvironmentDelta)
    out_of_order: tuple[OutOfOrder, ...] = ()
    parameters: dict[str, Any] = field(default_factory=dict)
    output: str = ""
    tolerance: Tolerance = field(default_factory=Tolerance)
    environment_used: str = "this environment"  # or the isolated environment rebuilt

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["exit_code"] = self.exit_code
        return data


EnvLookup = Callable[[str | None], EnvSnapshot | None]


def build_report(
    *,
    target: Run,
    originals: Sequence[Run],
    reruns: Sequence[Run],
    result: ExecutionResult,
    environment: EnvLookup,
    cells: NotebookCells,
    tolerance: Tolerance,
    batch: str,
    source: str,
    parameters: dict[str, Any],
    environment_used: str = "this environment",
) -> ReproductionReport:
    flagged = find_out_of_order(originals, cells)
    why_flagged = {f.run: f.detail for f in flagged}
    env_cache: dict[tuple[str | None, str | None], EnvironmentDelta] = {}

    def env_delta(a: str | None, b: str | None) -> EnvironmentDelta:
        if (a, b) not in env_cache:
            env_cache[(a, b)] = environment_delta(environment(a), environment(b))
        return env_cache[(a, b)]

    reports: list[CellReport] = []
    for pair in match_runs(latest_per_cell(originals), reruns):
        if pair.original is not None and pair.rerun is not None:
            evidence = Evidence(
                env_delta(pair.original.env_hash, pair.rerun.env_hash),
                why_flagged.get(pair.original.id),
            )
            report = compare_pair(pair.original, pair.rerun, tolerance, evidence)
            reports.append(replace(report, matched_by=pair.matched_by))
        elif pair.rerun is not None:
            run = pair.rerun
            reports.append(
                CellReport(run.name, run.cell_id, None, run.id, "unmatched", "new")
                if run.status == "finished"
                else CellReport(
                    run.name, run.cell_id, None, run.id, "unmatched", "failed",
                    error=_error(run), causes=(Cause("error", _error(run) or run.status),),
                )
            )  # fmt: skip
        elif pair.original is not None:
            reports.append(_missing(pair.original, result))

    first_env = next(
        (env_delta(o.env_hash, r.env_hash) for o, r in _pairs(reports, originals, reruns)),
        EnvironmentDelta(),
    )
    verdict, index, cause, summary = _verdict(reports, result, tolerance)
    return ReproductionReport(
        run=target.id,
        batch=batch,
        notebook=target.notebook or "cells executed without a notebook file",
        source=source,
        verdict=verdict,
        summary=summary,
        cells=tuple(reports),
        first_divergent=index,
        cause=cause,
        error=result.error,
        environment=first_env,
        out_of_order=tuple(flagged),
        parameters=parameters,
        output=result.output_path,
        tolerance=tolerance,
        environment_used=environment_used,
    )


def _pairs(
    reports: list[CellReport], originals: Sequence[Run], reruns: Sequence[Run]
) -> list[tuple[Run, Run]]:
    by_id = {r.id: r for r in [*originals, *reruns]}
    return [
        (by_id[c.original], by_id[c.rerun])
        for c in reports
        if c.original in by_id and c.rerun in by_id
    ]


def _error(run: Run) -> str | None:
    return f"{run.exception.type}: {run.exception.message}" if run.exception else None


def _missing(original: Run, result: ExecutionResult) -> CellReport:
    if not result.ok:
        cause = Cause("error", "the re-run stopped before this cell")
    else:
        cause = Cause("code changed", "no cell of the re-run matches this run")
    return CellReport(
        original.name, original.cell_id, original.id, None, "unmatched", "missing", causes=(cause,)
    )


def _verdict(
    reports: list[CellReport], result: ExecutionResult, tolerance: Tolerance
) -> tuple[Verdict, int | None, Cause | None, str]:
    for index, cell in enumerate(reports):
        if cell.outcome == "failed":
            cause = cell.causes[0] if cell.causes else None
            return "failed", index, cause, f"cell '{cell.name}' failed: {cell.error or cause}"
    if not result.ok:
        error = result.error or "the execution failed"
        return "failed", None, Cause("error", error), f"the notebook failed: {error}"
    for index, cell in enumerate(reports):
        if cell.outcome in ("diverged", "missing"):
            cause = cell.causes[0] if cell.causes else None
            what = "did not run in the re-run" if cell.outcome == "missing" else "diverged"
            return "diverged", index, cause, f"cell '{cell.name}' {what}: {cause}"
    compared = sum(cell.original is not None for cell in reports)
    if any(cell.outcome == "within tolerance" for cell in reports):
        within = f"rtol={tolerance.rtol:g}, atol={tolerance.atol:g}"
        return "reproduced within tolerance", None, None, f"{compared} cells reproduced ({within})"
    return "reproduced", None, None, f"{compared} cells reproduced exactly"
