"""``nbtrail rerun``: execute a run's notebook again and judge the result.

The original is the whole kernel session the run belongs to: every tracked
cell of that session is compared with its counterpart in the re-run. By
default the notebook is executed as it was (the content-addressed snapshot the
run references), so "does it still reproduce?" tests data and environment,
not later edits; ``current=True`` executes the file as it is now.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from nbtrail.errors import ObjectNotFound
from nbtrail.records import Batch, BatchItem, Reproduction, Run, RunQuery, new_run_id
from nbtrail.reproduce.compare import Tolerance
from nbtrail.reproduce.engine import Execution, ExecutionResult, run_execution
from nbtrail.reproduce.errors import ReproduceUsageError
from nbtrail.reproduce.history import NotebookCells
from nbtrail.reproduce.isolated import IsolatedEnvironment, build_environment
from nbtrail.reproduce.params import validate_names
from nbtrail.reproduce.verdict import ReproductionReport, build_report
from nbtrail.reproduce.workspace import batch_folder, copy_into, notebook_file, project_root
from nbtrail.store import Store, open_store

#: Origin of injected parameters on runs recorded before runs kept them in ``extra``.
LEGACY_INJECTED_ORIGIN = "papermill"


@dataclass(frozen=True)
class RerunOptions:
    parameters: dict[str, Any] = field(default_factory=dict)  # overrides
    current: bool = False
    kernel: str | None = None
    timeout: float | None = None
    tolerance: Tolerance = field(default_factory=Tolerance)
    isolated: bool = False  # rebuild the run's environment and run there


@dataclass(frozen=True)
class RerunPlan:
    """A re-run ready to execute: what, where, with which parameters."""

    target: Run
    originals: tuple[Run, ...]
    batch: Batch
    execution: Execution
    snapshot: Path | None  # the original notebook as it was, for cell positions


def session_runs(store: Store, target: Run) -> list[Run]:
    """Every tracked run of the target's kernel session, in full.

    Interrupted runs (Ctrl-C, or a kernel that died mid-cell) recorded no
    outcome to compare with, so they are left out.
    """
    if not target.session:
        return [target]
    listed = store.list_runs(RunQuery(session=target.session))
    listed = [
        run for run in listed if run.notebook == target.notebook and run.status != "interrupted"
    ]
    return [store.get_run(run.id) for run in sorted(listed, key=lambda r: r.id)]


def notebook_parameters(originals: list[Run]) -> dict[str, Any]:
    """The values papermill injected into the session (none: the notebook's defaults).

    Only injected values are passed again: the defaults are in the snapshot,
    and injecting them would turn a ``Path`` default into a string.
    """
    for run in originals:
        injected = run.extra.get("injected_parameters")
        if isinstance(injected, dict):
            return dict(injected)
    for run in originals:
        params = {p.key: p.value for p in run.params if p.origin == LEGACY_INJECTED_ORIGIN}
        if params:
            return params
    return {}


def working_directory(store: Store, target: Run, notebook: Path | None) -> Path:
    """Where the original kernel ran, so relative data paths resolve as they did.

    The folder inside the project first (the project may have moved), then
    the absolute one, then the notebook's folder (runs recorded before the
    working directory was).
    """
    root = project_root(store)
    inside = target.extra.get("cwd_in_project")
    candidates = [root / inside] if root is not None and isinstance(inside, str) else []
    if isinstance(target.extra.get("cwd"), str):
        candidates.append(Path(target.extra["cwd"]))
    if notebook is not None:
        candidates.append(notebook.parent)
    for folder in candidates:
        if folder.is_dir():
            return folder
    shown = candidates[0] if candidates else "unknown"
    raise ReproduceUsageError(f"the folder the notebook ran in ({shown}) does not exist")


def plan_rerun(store: Store, run_id: str, options: RerunOptions) -> RerunPlan:
    target = store.get_run(run_id)
    originals = session_runs(store, target)
    current = notebook_file(store, target.notebook) if target.notebook else None
    snapshot = _snapshot(store, _snapshot_run(target, originals))
    if not options.current and snapshot is None:
        raise ReproduceUsageError(
            f"run {target.id} has no notebook snapshot; use --current to run "
            f"{target.notebook or 'its notebook'} as it is now"
        )
    if options.current and (current is None or not current.is_file()):
        raise ReproduceUsageError(
            f"the notebook {current} does not exist any more"
            if current
            else f"run {target.id} was not recorded from a notebook file: re-run its snapshot"
        )
    cwd = working_directory(store, target, current)

    batch_id = new_run_id()
    folder = batch_folder(store, batch_id)
    stem = Path(target.notebook).stem if target.notebook else "executed"
    if options.current and current is not None:
        source = current
    else:
        assert snapshot is not None
        source = copy_into(snapshot, folder, f"{stem}.ipynb")
    validate_names(options.parameters, source)
    parameters = {**notebook_parameters(originals), **options.parameters}
    isolated = _isolated(store, target) if options.isolated else None
    execution = Execution(
        input_path=str(source),
        output_path=str(folder / f"{stem}.out.ipynb"),
        cwd=str(cwd),
        parameters=parameters,
        store=store.location,
        notebook_file=str(source.resolve()),
        notebook_name=target.notebook,
        batch=batch_id,
        parent=target.id,
        kernel_name=isolated.kernel_name if isolated else options.kernel,
        timeout=options.timeout,
        kernel_dirs=isolated.kernel_dirs if isolated else (),
    )
    batch = Batch(
        id=batch_id,
        kind="rerun",
        notebook=target.notebook or "",
        created=time.time(),
        executor="inline",
        spec={
            "run": target.id,
            "source": "current" if options.current else _snapshot_kind(target),
            "overrides": options.parameters,
            "kernel": options.kernel,
            "timeout": options.timeout,
            "rtol": options.tolerance.rtol,
            "atol": options.tolerance.atol,
            "environment": isolated.describe() if isolated else "this environment",
        },
        items=(BatchItem(0, parameters, output=execution.output_path),),
    )
    return RerunPlan(target, tuple(originals), batch, execution, snapshot)


def _isolated(store: Store, target: Run) -> IsolatedEnvironment:
    """The target's environment rebuilt (or reused) in its own virtual environment."""
    snapshot = store.get_environment(target.env_hash) if target.env_hash else None
    if snapshot is None:
        raise ReproduceUsageError(f"run {target.id} has no environment snapshot to rebuild")
    return build_environment(store, snapshot)


def _snapshot_run(target: Run, originals: list[Run]) -> Run:
    """The run whose snapshot to execute: the target's, unless it was reconstructed.

    A reconstructed snapshot holds the cells run up to its own run; the
    session's last one holds every tracked cell the re-run compares.
    """
    if _snapshot_kind(target) != "reconstructed snapshot":
        return target
    rebuilt = [run for run in originals if _snapshot_kind(run) == "reconstructed snapshot"]
    return max(rebuilt, key=lambda run: run.id) if rebuilt else target


def _snapshot_kind(target: Run) -> str:
    """``snapshot`` (the notebook file as it ran) or ``reconstructed`` (the cells it ran)."""
    kind = (target.extra.get("notebook") or {}).get("snapshot")
    return "reconstructed snapshot" if kind == "reconstructed" else "snapshot"


def _snapshot(store: Store, target: Run) -> Path | None:
    digest = (target.extra.get("notebook") or {}).get("hash")
    if not digest:
        return None
    try:
        return store.object_path(digest)
    except ObjectNotFound:
        return None


def execute_plan(
    store: Store, plan: RerunPlan, execute: Callable[[Execution], ExecutionResult] = run_execution
) -> ReproductionReport:
    """Run the plan, record the batch and the verdict, link re-runs to originals."""
    mark_running(store, plan)
    return judge_execution(store, plan, execute(plan.execution))


def mark_running(store: Store, plan: RerunPlan) -> None:
    """Save the plan's batch with its one execution running (before it executes)."""
    item = replace(plan.batch.items[0], status="running", started=time.time())
    store.save_batch(replace(plan.batch, items=(item,)))


def judge_execution(store: Store, plan: RerunPlan, result: ExecutionResult) -> ReproductionReport:
    """Record how the plan's execution ended and judge its runs against the originals.

    Split from :func:`execute_plan` so a batch of re-runs can execute on an
    executor (another process or machine) and judge here as results arrive.
    """
    item = replace(
        plan.batch.items[0],
        status="finished" if result.ok else "failed",
        error=result.error,
        started=result.started,
        ended=result.ended,
    )
    store.save_batch(
        replace(plan.batch, status="finished" if result.ok else "failed", items=(item,))
    )
    reruns = [
        store.get_run(run.id)
        for run in sorted(store.list_runs(RunQuery(batch=plan.batch.id)), key=lambda r: r.id)
    ]
    tolerance = Tolerance(plan.batch.spec["rtol"], plan.batch.spec["atol"])
    report = build_report(
        target=plan.target,
        originals=plan.originals,
        reruns=reruns,
        result=result,
        environment=lambda digest: store.get_environment(digest) if digest else None,
        cells=NotebookCells.load(plan.snapshot),
        tolerance=tolerance,
        batch=plan.batch.id,
        source=plan.batch.spec["source"],
        parameters=plan.execution.parameters,
        environment_used=plan.batch.spec.get("environment", "this environment"),
    )
    for cell in report.cells:
        if cell.rerun and cell.original:
            store.set_parent(cell.rerun, cell.original)
    store.save_reproduction(
        Reproduction(plan.batch.id, plan.target.id, report.verdict, time.time(), report.to_dict())
    )
    return report


def reproduce(
    run_id: str,
    parameters: dict[str, Any] | None = None,
    *,
    current: bool = False,
    kernel: str | None = None,
    timeout: float | None = None,
    rtol: float = Tolerance.rtol,
    atol: float = Tolerance.atol,
    isolated: bool = False,
    store: Store | str | None = None,
) -> ReproductionReport:
    """Re-execute the notebook of ``run_id`` and say whether its results reproduced.

    ``parameters`` override the ones the original ran with. The report's
    ``verdict`` is ``reproduced``, ``reproduced within tolerance``,
    ``diverged`` or ``failed``; it is also stored with the re-run batch.
    ``isolated=True`` rebuilds the run's environment in a fresh virtual
    environment (cached under the store) and executes there.
    """
    opened = store if isinstance(store, Store) else open_store(store, create=False)
    options = RerunOptions(
        parameters=dict(parameters or {}),
        current=current,
        kernel=kernel,
        timeout=timeout,
        tolerance=Tolerance(rtol, atol),
        isolated=isolated,
    )
    return execute_plan(opened, plan_rerun(opened, run_id, options))
