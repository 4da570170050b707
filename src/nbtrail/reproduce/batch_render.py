"""Terminal text for a set of re-runs (like a test run) and for any stored batch."""

from __future__ import annotations

from nbtrail.records import Batch
from nbtrail.report import short, table, when
from nbtrail.reproduce.batch import KIND, BatchReport, NotebookResult, load_report
from nbtrail.store import Store


def batch_summary(report: BatchReport) -> str:
    """One line per notebook, what failed and why, then the totals."""
    rows = [
        [short(r.notebook, 40), str(r.verdict) if r.passed else (r.verdict or "not run").upper(),
         short(f"'{r.cell}'", 30) if r.cell else "-", short(_why(r), 70), f"{r.duration:.1f}s"]
        for r in report.results
    ]  # fmt: skip
    lines = [table(["notebook", "verdict", "first divergent cell", "cause", "time"], rows)]
    failed = [r for r in report.results if r.verdict == "failed" and r.error]
    if failed:
        lines += ["", *(f"{r.notebook}: {r.error}" for r in failed)]
    lines += ["", totals(report)]
    if report.interrupted:
        ran = sum(r.verdict is not None for r in report.results)
        missing = [r.notebook for r in report.results if r.verdict is None]
        lines.append(
            f"interrupted: {ran} of {len(report.results)} notebooks ran; "
            f"not run: {', '.join(missing) or 'none'}"
        )
    return "\n".join(lines)


def totals(report: BatchReport) -> str:
    """``3 notebooks: 2 reproduced, 1 diverged (batch ID, 9.1 s)``."""
    count = len(report.results)
    counts = ", ".join(f"{n} {verdict}" for verdict, n in report.counts().items())
    noun = "notebook" if count == 1 else "notebooks"
    return f"{count} {noun}: {counts} (batch {report.batch}, {report.duration:.1f} s)"


def _params(params: dict[str, object]) -> str:
    return " ".join(f"{k}={v}" for k, v in params.items())


def _why(result: NotebookResult) -> str:
    if result.passed:
        return ""
    return result.cause or result.error or result.summary


def show_batch(store: Store, batch: Batch) -> str:
    """``nbtrail show BATCH``: a set of re-runs as its summary; other batches by item."""
    head = [
        f"batch {batch.id} ({batch.kind}, {batch.status}) created {when(batch.created)}",
        f"executor: {batch.executor}" + (f", notebook: {batch.notebook}" if batch.notebook else ""),
        "",
    ]
    if batch.kind == KIND:
        report = load_report(store, batch)
        batches = [f"  {r.notebook}: re-run batch {r.batch}" for r in report.results if r.batch]
        return "\n".join([*head, batch_summary(report), "", "re-runs:", *batches])
    rows = [
        [str(item.index), item.status, short(_params(item.params), 50), short(item.error or "", 50)]
        for item in batch.items
    ]
    lines = [*head, table(["#", "status", "params", "error"], rows)]
    reproduction = store.get_reproduction(batch.id)
    if reproduction is not None:
        summary = reproduction.report.get("summary", "")
        lines += ["", f"verdict: {reproduction.verdict} - {summary} (run {reproduction.run})"]
    return "\n".join(lines)
