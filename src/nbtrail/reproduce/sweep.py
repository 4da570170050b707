"""``nbtrail sweep``: run a notebook over a parameter grid, in parallel, as one batch.

The batch and its items (one per parameter combination, a random sample
drawn once) are stored before anything runs, and each item's outcome is
saved as it completes. So a sweep that is killed can be resumed: only items
that never finished run again. A failing execution is recorded on its item
and the others go on.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, TextIO

from nbtrail.records import Batch, BatchItem, Run, RunQuery, new_run_id
from nbtrail.reproduce.engine import Execution
from nbtrail.reproduce.errors import ParameterError, ReproduceUsageError
from nbtrail.reproduce.executors import ExecutorOptions, open_executor
from nbtrail.reproduce.metrics import notebook_metrics, resolve_metric, row_metrics, shared_keys
from nbtrail.reproduce.params import expand, grid_size, sample, validate_names
from nbtrail.reproduce.progress import Progress
from nbtrail.reproduce.render import results_table
from nbtrail.reproduce.workspace import batch_folder, notebook_file, recorded_name
from nbtrail.store import Store, open_store

DONE = ("finished", "failed")


@dataclass(frozen=True)
class SweepRow:
    index: int
    params: dict[str, Any]
    status: str
    metrics: dict[str, float]
    runs: tuple[str, ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class SweepResult:
    batch: str
    rows: tuple[SweepRow, ...]  # best first when a metric was chosen
    metric: str | None = None
    maximize: bool = True
    executed: int = 0  # executions run by this call (less than rows on resume)
    param_keys: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def best(self) -> SweepRow | None:
        metric = self.metric
        if metric is None:
            return None
        return next((r for r in self.rows if metric in r.metrics), None)

    @property
    def failed(self) -> int:
        return sum(row.status == "failed" for row in self.rows)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["best"] = asdict(self.best) if self.best else None
        return data

    def table(self) -> str:
        metrics = sorted({k for row in self.rows for k in row.metrics})
        if self.metric in metrics:
            metrics.remove(self.metric)
            metrics.insert(0, self.metric)
        lines = [results_table([asdict(r) for r in self.rows], self.param_keys, metrics[:5])]
        failures = [r for r in self.rows if r.error]
        lines += [f"#{r.index} failed: {r.error}" for r in failures]
        best = self.best
        if best is not None and self.metric is not None:
            params = " ".join(f"{k}={v!r}" for k, v in best.params.items())
            lines.append(f"best: {params} ({self.metric}={best.metrics[self.metric]:.6g})")
        lines += list(self.notes)
        lines.append(f"batch {self.batch}: {len(self.rows)} executions, {self.failed} failed")
        return "\n".join(lines)


def create_batch(
    store: Store,
    notebook: str | Path,
    grid: Mapping[str, Sequence[Any]],
    *,
    random: int | None = None,
    seed: int | None = None,
    executor: str = "local",
    kernel: str | None = None,
    timeout: float | None = None,
) -> Batch:
    path = Path(notebook).resolve()
    if not path.is_file():
        raise ReproduceUsageError(f"no notebook {notebook}")
    if not grid or any(not values for values in grid.values()):
        raise ParameterError("a sweep needs at least one -p NAME=VALUE[,VALUE...]")
    validate_names(grid, path)
    if random is not None and random < 1:
        raise ParameterError("--random must be at least 1")
    combos = list(expand(grid)) if random is None else sample(grid, random, seed)
    batch = Batch(
        id=new_run_id(),
        kind="sweep",
        notebook=recorded_name(store, path),
        created=time.time(),
        executor=executor,
        spec={
            "notebook_file": str(path),
            "grid": {k: list(v) for k, v in grid.items()},
            "parameters": list(grid),  # the store keeps JSON objects sorted; this keeps order
            "grid_size": grid_size(grid),
            "random": random,
            "seed": seed,
            "kernel": kernel,
            "timeout": timeout,
        },
        items=tuple(BatchItem(i, combo) for i, combo in enumerate(combos)),
    )
    store.save_batch(batch)
    return batch


def run_batch(
    store: Store,
    batch: Batch,
    *,
    workers: int = 2,
    executor: str = "local",
    scheduler: str | None = None,
    stream: TextIO | None = None,
    show_progress: bool = True,
) -> int:
    """Execute the batch's missing items; returns how many ran."""
    path = Path(batch.spec.get("notebook_file") or notebook_file(store, batch.notebook))
    if not path.is_file():
        raise ReproduceUsageError(f"the notebook {path} of batch {batch.id} does not exist")
    folder = batch_folder(store, batch.id)
    missing = [item for item in batch.items if item.status not in DONE]
    if not missing:
        return 0
    executions = [_execution(store, batch, item, path, folder) for item in missing]
    items = {item.index: item for item in batch.items}
    with open_executor(executor, ExecutorOptions(workers=workers, scheduler=scheduler)) as pool:
        now = time.time()
        for item in missing:
            items[item.index] = replace(item, status="running", started=now, error=None)
        batch = replace(batch, status="running", executor=executor, items=tuple(items.values()))
        store.save_batch(batch)
        progress = Progress(len(missing), pool.workers, stream=stream) if show_progress else None
        if progress:
            progress.start()
        try:
            for result in pool.run(executions):
                items[result.index] = replace(
                    items[result.index],
                    status="finished" if result.ok else "failed",
                    output=result.output_path,
                    error=result.error,
                    started=result.started,
                    ended=result.ended,
                )
                batch = replace(batch, items=tuple(items.values()))
                store.save_batch(batch)
                if progress:
                    params = _params_text(items[result.index].params)
                    progress.finished(
                        result.ok, params if result.ok else f"{params}: {result.error}"
                    )
        finally:
            if progress:
                progress.close()
    store.save_batch(replace(batch, status="finished"))
    return len(missing)


def _execution(store: Store, batch: Batch, item: BatchItem, path: Path, folder: Path) -> Execution:
    slug = re.sub(r"[^A-Za-z0-9_.=-]+", "_", _params_text(item.params))[:80]
    return Execution(
        input_path=str(path),
        output_path=str(folder / f"{item.index:04d}-{slug}.ipynb"),
        cwd=str(path.parent),
        parameters=item.params,
        store=store.location,
        notebook_file=str(path),
        batch=batch.id,
        index=item.index,
        kernel_name=batch.spec.get("kernel"),
        timeout=batch.spec.get("timeout"),
    )


def _params_text(params: Mapping[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in params.items())


def collect_results(
    store: Store, batch: Batch, metric: str | None = None, maximize: bool = True, executed: int = 0
) -> SweepResult:
    """One row per item with the metrics its runs logged, best first."""
    runs = sorted(store.list_runs(RunQuery(batch=batch.id)), key=lambda r: r.id)
    keys = list(batch.spec.get("parameters") or ())
    keys += [k for item in batch.items for k in item.params if k not in keys]
    by_item = {
        item.index: [run for run in runs if _item_of(run) == item.index] for item in batch.items
    }
    shared = shared_keys(by_item)
    rows = []
    for item in batch.items:
        mine = by_item[item.index]
        metrics = row_metrics(mine, shared)
        status = item.status if item.status in DONE else "missing"
        params = {k: item.params[k] for k in keys if k in item.params}
        run_ids = tuple(r.id for r in mine)
        rows.append(SweepRow(item.index, params, status, metrics, run_ids, item.error))
    notes: list[str] = []
    if metric is not None:
        if not any(metric in row.metrics for row in rows):
            known = sorted({k for row in rows for k in row.metrics})
            notes.append(
                f"no run logged a metric {metric!r} (logged: {', '.join(known) or 'none'})"
            )
        sign = -1.0 if maximize else 1.0
        rows.sort(
            key=lambda r: (metric not in r.metrics, sign * r.metrics.get(metric, 0.0), r.index)
        )
    return SweepResult(batch.id, tuple(rows), metric, maximize, executed, tuple(keys), tuple(notes))


def _checked_metric(metric: str | None, notebook: str | Path) -> str | None:
    """``--metric`` as results will name it, checked against the notebook before running."""
    if metric is None or not Path(notebook).is_file():
        return metric
    return resolve_metric(metric, notebook_metrics(notebook))


def _item_of(run: Run) -> int | None:
    """The batch item a run executed in (the kernel records it)."""
    item = run.extra.get("batch_item")
    return item if isinstance(item, int) else None


def sweep(
    notebook: str | Path | None = None,
    grid: Mapping[str, Sequence[Any]] | None = None,
    *,
    random: int | None = None,
    seed: int | None = None,
    workers: int = 2,
    executor: str = "local",
    scheduler: str | None = None,
    metric: str | None = None,
    maximize: bool = True,
    kernel: str | None = None,
    timeout: float | None = None,
    resume: str | None = None,
    store: Store | str | None = None,
    progress: bool = True,
    stream: TextIO | None = None,
) -> SweepResult:
    """Run ``notebook`` for every combination of ``grid`` (or ``random`` of them).

    Each execution is tracked and grouped in one batch; ``resume=BATCH`` runs
    only the executions of that batch that never finished. The result lists
    the parameters and metrics of every execution, best ``metric`` first.
    """
    opened = store if isinstance(store, Store) else open_store(store, create=True)
    if workers < 1:
        raise ReproduceUsageError("--workers must be at least 1")
    if resume:
        batch = opened.get_batch(resume)
        if batch.kind != "sweep":
            raise ReproduceUsageError(f"batch {batch.id} is a {batch.kind}, not a sweep")
        source = batch.spec.get("notebook_file") or notebook_file(opened, batch.notebook)
        metric = _checked_metric(metric, source)
    else:
        if notebook is None:
            raise ReproduceUsageError("give a notebook to sweep, or --resume BATCH")
        metric = _checked_metric(metric, notebook)
        batch = create_batch(
            opened, notebook, grid or {}, random=random, seed=seed, executor=executor,
            kernel=kernel, timeout=timeout,
        )  # fmt: skip
    executed = run_batch(
        opened, batch, workers=workers, executor=executor, scheduler=scheduler,
        stream=stream, show_progress=progress,
    )  # fmt: skip
    return collect_results(opened, opened.get_batch(batch.id), metric, maximize, executed)
