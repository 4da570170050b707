"""``nbtrail rerun RUN... | --notebook | --all | --filter``: many re-runs as one check.

Each target (one notebook session) is planned here with the single re-run's
``plan_rerun``, executed on a sweep executor (local worker processes or
Dask), and judged here with ``judge_execution`` as its result arrives, so
every notebook gets the same stored re-run batch and ``Reproduction`` as
``nbtrail rerun RUN``. One more batch (kind ``rerun-set``) records the whole
set: an item per notebook (its target run, status, timing) and, in its spec,
each notebook's verdict and re-run batch.

Nothing one notebook does ends the set: a plan that cannot be made, a kernel
that does not start, a timeout or a crash is that notebook's ``failed``
verdict. Ctrl-C stops the set; what finished is kept and reported.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from typing import Any, TextIO

from nbtrail.errors import NbtrailError
from nbtrail.records import Batch, BatchItem, BatchKind, BatchStatus, Run, Verdict, new_run_id
from nbtrail.reproduce.engine import ExecutionResult
from nbtrail.reproduce.errors import ReproduceUsageError
from nbtrail.reproduce.executors import Executor, ExecutorOptions, open_executor
from nbtrail.reproduce.progress import Progress
from nbtrail.reproduce.render import rerun_report
from nbtrail.reproduce.rerun import (
    RerunOptions,
    RerunPlan,
    judge_execution,
    mark_running,
    plan_rerun,
)
from nbtrail.reproduce.targets import Selection, select_targets
from nbtrail.reproduce.verdict import EXIT_CODES, ReproductionReport
from nbtrail.store import Store

KIND: BatchKind = "rerun-set"
VERDICT_ORDER: tuple[Verdict, ...] = (
    "reproduced", "reproduced within tolerance", "diverged", "failed",
)  # fmt: skip
#: Exit code of an interrupted set (as for any command stopped by Ctrl-C).
INTERRUPTED = 130


@dataclass(frozen=True)
class NotebookResult:
    """One notebook's outcome in a set: a test case of the JUnit report."""

    index: int
    run: str  # the target run
    notebook: str
    verdict: Verdict | None = None  # None: the set was interrupted before it finished
    batch: str | None = None  # the notebook's own re-run batch (its Reproduction's key)
    summary: str = ""
    cell: str | None = None  # first divergent (or failed) cell
    cause: str | None = None
    error: str | None = None
    duration: float = 0.0
    text: str = ""  # the single re-run's report (per-cell table); not stored in the set
    report: dict[str, Any] | None = None  # ReproductionReport.to_dict(); ditto

    @property
    def passed(self) -> bool:
        return self.verdict is not None and EXIT_CODES[self.verdict] == 0

    def stored(self) -> dict[str, Any]:
        """What the set's batch keeps (the full report is the Reproduction's)."""
        data = asdict(self)
        del data["text"], data["report"]
        return data


@dataclass(frozen=True)
class BatchReport:
    batch: str
    results: tuple[NotebookResult, ...]
    started: float
    ended: float
    executor: str = "local"
    interrupted: bool = False

    @property
    def duration(self) -> float:
        return self.ended - self.started

    @property
    def exit_code(self) -> int:
        """0 only when every notebook reproduced (within tolerance counts)."""
        if self.interrupted:
            return INTERRUPTED
        return 0 if self.results and all(r.passed for r in self.results) else 1

    def counts(self) -> dict[str, int]:
        counted: Counter[str] = Counter(r.verdict or "not run" for r in self.results)
        order = [*VERDICT_ORDER, "not run"]
        return {verdict: counted[verdict] for verdict in order if counted[verdict]}

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(exit_code=self.exit_code, counts=self.counts(), duration=self.duration)
        return data


@dataclass(frozen=True)
class BatchOptions:
    rerun: RerunOptions = field(default_factory=RerunOptions)
    executor: str = "local"
    workers: int = 2
    scheduler: str | None = None


def rerun_many(
    store: Store,
    selection: Selection,
    options: BatchOptions,
    *,
    stream: TextIO | None = None,
    show_progress: bool = True,
) -> BatchReport:
    """Re-run every selected notebook session once, in parallel; judge each."""
    if options.workers < 1:
        raise ReproduceUsageError("--workers must be at least 1")
    if options.rerun.parameters:
        raise ReproduceUsageError("-p overrides apply to one run: give a single RUN")
    targets = select_targets(store, selection)
    executor_options = ExecutorOptions(workers=options.workers, scheduler=options.scheduler)
    with open_executor(options.executor, executor_options) as pool:
        return _Set(store, targets, selection, options).run(pool, stream, show_progress)


class _Set:
    """The set's batch record, kept up to date as each notebook ends."""

    def __init__(
        self, store: Store, targets: list[Run], selection: Selection, options: BatchOptions
    ) -> None:
        self.store = store
        self.options = options
        self.started = time.time()
        self.results = {
            i: NotebookResult(i, run.id, run.notebook or "cells executed without a notebook file")
            for i, run in enumerate(targets)
        }
        tolerance = options.rerun.tolerance
        self.batch = Batch(
            id=new_run_id(),
            kind=KIND,
            notebook="",
            created=self.started,
            executor=options.executor,
            spec={
                "selection": asdict(selection),
                "workers": options.workers,
                "scheduler": options.scheduler,
                "current": options.rerun.current,
                "kernel": options.rerun.kernel,
                "timeout": options.rerun.timeout,
                "rtol": tolerance.rtol,
                "atol": tolerance.atol,
                "results": [],
            },
            items=tuple(
                BatchItem(i, {"run": r.run, "notebook": r.notebook})
                for i, r in self.results.items()
            ),
        )
        self.items = {item.index: item for item in self.batch.items}
        self.save()

    def run(self, pool: Executor, stream: TextIO | None, show_progress: bool) -> BatchReport:
        plans = self.plan_all()
        progress = Progress(len(self.results), pool.workers, stream=stream, label="rerun")
        if show_progress:
            progress.start()
            for index in self.results.keys() - plans.keys():  # failed to plan
                progress.finished(False, self.note(self.results[index]))
        by_output = {plan.execution.output_path: (i, plan) for i, plan in plans.items()}
        interrupted = False
        results = pool.run([p.execution for p in longest_first(plans.values())])
        try:
            for result in results:
                index, plan = by_output[result.output_path]
                done = self.judge(index, plan, result)
                del plans[index]
                if show_progress:
                    progress.finished(done.passed, self.note(done))
        except KeyboardInterrupt:
            interrupted = True
        finally:
            if show_progress:
                progress.close()
            try:
                _close(results)
            except KeyboardInterrupt:
                interrupted = True
        for index, plan in plans.items():
            self.abandon(index, plan)
        status: BatchStatus = "failed" if interrupted else "finished"
        self.batch = replace(
            self.batch, status=status, spec={**self.batch.spec, "interrupted": interrupted}
        )
        self.save()
        return BatchReport(
            self.batch.id, tuple(self.results.values()), self.started, time.time(),
            self.options.executor, interrupted,
        )  # fmt: skip

    def plan_all(self) -> dict[int, RerunPlan]:
        """Plan every target; one that cannot be planned is a failed notebook now."""
        plans: dict[int, RerunPlan] = {}
        for index, result in self.results.items():
            try:
                plan = plan_rerun(self.store, result.run, self.options.rerun)
            except NbtrailError as exc:
                now = time.time()
                failed = replace(
                    result, verdict="failed", error=str(exc), summary=f"could not start: {exc}"
                )
                self.finish(index, failed, now, now)
                continue
            # --timeout bounds each notebook as a whole here (and each cell, as for one run).
            execution = replace(plan.execution, deadline=self.options.rerun.timeout)
            spec = {**plan.batch.spec, "set": self.batch.id}
            batch = replace(plan.batch, executor=self.options.executor, spec=spec)
            plan = replace(plan, batch=batch, execution=execution)
            mark_running(self.store, plan)
            self.items[index] = replace(self.items[index], status="running", started=time.time(),
                                        output=plan.execution.output_path)  # fmt: skip
            plans[index] = plan
        self.save()
        return plans

    def judge(self, index: int, plan: RerunPlan, result: ExecutionResult) -> NotebookResult:
        try:
            report = judge_execution(self.store, plan, result)
        except Exception as exc:  # a store or comparison bug must not end the set
            error = f"could not judge the re-run: {type(exc).__name__}: {exc}"
            done = replace(self.results[index], verdict="failed", batch=plan.batch.id,
                           error=error, summary=error, duration=result.duration)  # fmt: skip
        else:
            done = from_report(self.results[index], report, result.duration)
        return self.finish(index, done, result.started, result.ended)

    def abandon(self, index: int, plan: RerunPlan) -> None:
        """A notebook the interrupt stopped: its own batch says so; it has no verdict."""
        item = replace(plan.batch.items[0], status="failed", error="interrupted", ended=time.time())
        self.store.save_batch(replace(plan.batch, status="failed", items=(item,)))
        self.results[index] = replace(self.results[index], batch=plan.batch.id, error="interrupted")
        self.items[index] = replace(self.items[index], status="failed", error="interrupted",
                                    ended=time.time())  # fmt: skip
        self.save()

    def finish(
        self, index: int, done: NotebookResult, started: float, ended: float
    ) -> NotebookResult:
        self.results[index] = done
        self.items[index] = replace(
            self.items[index], status="finished" if done.verdict != "failed" else "failed",
            error=done.error, started=started, ended=ended,
        )  # fmt: skip
        self.save()
        return done

    def save(self) -> None:
        spec = {**self.batch.spec, "results": [r.stored() for r in self.results.values()]}
        self.batch = replace(self.batch, spec=spec, items=tuple(self.items.values()))
        self.store.save_batch(self.batch)

    @staticmethod
    def note(result: NotebookResult) -> str:
        return f"{result.notebook}: {result.verdict or 'not run'}"


def longest_first(plans: Iterable[RerunPlan]) -> list[RerunPlan]:
    """Plans by the time their originals' cells took, longest first.

    Starting the long notebooks first ends the set sooner: three notebooks of
    1, 1 and 3 minutes on two workers take 3 minutes instead of 4.
    """

    def cost(plan: RerunPlan) -> float:
        return sum(run.duration or 0.0 for run in plan.originals)

    return sorted(plans, key=cost, reverse=True)


def _close(results: Iterator[ExecutionResult]) -> None:
    """Close an executor's generator now: it cancels what has not started, waits for the rest."""
    close = getattr(results, "close", None)
    if close is not None:
        close()


def from_report(
    result: NotebookResult, report: ReproductionReport, duration: float
) -> NotebookResult:
    """A notebook's line of the set, from its single re-run's report."""
    cell = report.cells[report.first_divergent] if report.first_divergent is not None else None
    return replace(
        result,
        verdict=report.verdict,
        batch=report.batch,
        summary=report.summary,
        cell=cell.name if cell else None,
        cause=str(report.cause) if report.cause else None,
        error=report.error,
        duration=duration,
        text=rerun_report(report),
        report=report.to_dict(),
    )


def load_report(store: Store, batch: Batch) -> BatchReport:
    """A stored set, with each notebook's full report from its ``Reproduction``."""
    if batch.kind != KIND:
        raise ReproduceUsageError(f"batch {batch.id} is a {batch.kind}, not a set of re-runs")
    results = []
    for data in batch.spec.get("results", []):
        result = NotebookResult(**data)
        stored = store.get_reproduction(result.batch) if result.batch else None
        results.append(replace(result, report=stored.report) if stored else result)
    ends = [item.ended for item in batch.items if item.ended]
    return BatchReport(
        batch.id, tuple(results), batch.created, max(ends, default=batch.created),
        batch.executor, bool(batch.spec.get("interrupted")),
    )  # fmt: skip


def batch_detail(store: Store, batch_id: str) -> dict[str, Any]:
    """Any batch as plain data (REST): the record, and for a set its per-notebook report.

    ``report`` is the set's :class:`BatchReport` (each notebook's verdict, first
    divergent cell, cause and full re-run report); ``reproduction`` the verdict
    of a single re-run batch. Either is ``None`` when the batch has none.
    """
    batch = store.get_batch(batch_id)
    reproduction = store.get_reproduction(batch.id) if batch.kind == "rerun" else None
    return {
        "batch": batch.to_dict(),
        "report": load_report(store, batch).to_dict() if batch.kind == KIND else None,
        "reproduction": reproduction.to_dict() if reproduction else None,
    }
