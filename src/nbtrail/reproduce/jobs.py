"""Background jobs for the server: ``POST reruns`` starts one, ``GET jobs/{id}`` polls.

Jobs run in threads of this process; each execution still runs in its own
kernel process, and the kernel's environment is passed explicitly (not via
``os.environ``), so jobs running side by side cannot mix up their batches.
Progress of a re-run is the share of the original session's tracked cells
that already have a run in the re-run's batch.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

from nbtrail.errors import NbtrailError
from nbtrail.records import Run, RunQuery
from nbtrail.reproduce.compare import Tolerance
from nbtrail.reproduce.rerun import RerunOptions, execute_plan, plan_rerun
from nbtrail.store import Store, open_store

JobState = Literal["queued", "running", "finished", "failed"]


@dataclass(frozen=True)
class JobStatus:
    id: str
    kind: str  # "rerun"
    state: JobState
    progress: float = 0.0  # 0..1
    batch: str | None = None
    run: str | None = None
    verdict: str | None = None  # when a re-run finished
    error: str | None = None  # why the job itself failed (not a failed verdict)
    created: float = 0.0
    ended: float | None = None
    #: per tracked cell of the original: {"name", "cell_id", "original", "rerun" (the new
    #: run's id once that cell ran, else None), "status" (pending, or the new run's)}
    cells: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class JobNotFound(NbtrailError):
    """No job with this id in this process."""


class JobManager:
    """Runs re-runs in background threads and reports their progress."""

    def __init__(self, store: Store | str | None = None, max_workers: int = 2) -> None:
        self._location = store.location if isinstance(store, Store) else store
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="nbtrail-job")
        self._lock = threading.Lock()
        self._jobs: dict[str, JobStatus] = {}
        self._expected: dict[str, list[Run]] = {}  # a job's original runs, one per cell

    def start_rerun(
        self,
        run_id: str,
        overrides: dict[str, Any] | None = None,
        *,
        current: bool = False,
        kernel: str | None = None,
        timeout: float | None = None,
        rtol: float = Tolerance.rtol,
        atol: float = Tolerance.atol,
    ) -> str:
        """Plan the re-run now (bad ids and parameters raise here), execute it later."""
        store = self._open()
        options = RerunOptions(
            dict(overrides or {}), current, kernel, timeout, Tolerance(rtol, atol)
        )
        plan = plan_rerun(store, run_id, options)
        job_id = uuid.uuid4().hex[:12]
        status = JobStatus(job_id, "rerun", "queued", 0.0, plan.batch.id, plan.target.id,
                           created=time.time())  # fmt: skip
        with self._lock:
            self._jobs[job_id] = status
            self._expected[job_id] = _one_per_cell(plan.originals)

        def work() -> None:
            self._update(job_id, state="running")
            try:
                report = execute_plan(self._open(), plan)
            except Exception as exc:
                self._update(job_id, state="failed", error=f"{type(exc).__name__}: {exc}",
                             ended=time.time())  # fmt: skip
            else:
                self._update(job_id, state="finished", progress=1.0, verdict=report.verdict,
                             ended=time.time())  # fmt: skip

        self._pool.submit(work)
        return job_id

    def status(self, job_id: str) -> JobStatus:
        with self._lock:
            status = self._jobs.get(job_id)
        if status is None:
            raise JobNotFound(f"no job {job_id!r}")
        if status.batch and status.state != "queued":
            new = self._open().list_runs(RunQuery(batch=status.batch, lifecycle="all"))
            cells = _cell_progress(self._expected[job_id], new)
            status = replace(status, cells=cells)
            if status.state == "running":
                done = sum(cell["rerun"] is not None for cell in cells)
                status = replace(status, progress=min(0.99, done / max(1, len(cells))))
        return status

    def list(self) -> list[JobStatus]:
        with self._lock:
            ids = list(self._jobs)
        return [self.status(job_id) for job_id in ids]

    def wait(self, job_id: str, timeout: float | None = None) -> JobStatus:
        """Block until the job ends (tests, scripts)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            status = self.status(job_id)
            if status.state in ("finished", "failed"):
                return status
            if deadline is not None and time.monotonic() > deadline:
                return status
            time.sleep(0.1)

    def shutdown(self, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait)

    def _open(self) -> Store:
        # One store per thread: SQLite connections are cheap and this avoids
        # sharing one connection across jobs.
        return open_store(self._location, create=False)

    def _update(self, job_id: str, **changes: Any) -> None:
        with self._lock:
            self._jobs[job_id] = replace(self._jobs[job_id], **changes)


def _one_per_cell(originals: Sequence[Run]) -> list[Run]:
    """The original runs a re-run will match, one per cell (the last execution of each)."""
    latest: dict[str, Run] = {}
    for run in sorted(originals, key=lambda r: r.id):
        latest[run.cell_id or run.name] = run
    return sorted(latest.values(), key=lambda r: r.id)


def _cell_progress(originals: Sequence[Run], new: Sequence[Run]) -> tuple[dict[str, Any], ...]:
    """Each original cell with the re-run's run for it, once that cell has run."""
    by_cell = {run.cell_id or run.name: run for run in sorted(new, key=lambda r: r.id)}
    return tuple(
        {
            "name": run.name,
            "cell_id": run.cell_id,
            "original": run.id,
            "rerun": by_cell[key].id if (key := run.cell_id or run.name) in by_cell else None,
            "status": by_cell[key].status if key in by_cell else "pending",
        }
        for run in originals
    )
