"""``%nbtrail rerun RUN`` from inside a kernel.

The kernel's own event loop is running while a magic executes, and papermill
drives the new kernel with asyncio too, so the re-run runs in a helper thread
that has a loop of its own.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from nbtrail.reproduce.render import rerun_report
from nbtrail.reproduce.rerun import reproduce
from nbtrail.store import Store


def rerun_in_thread(run_id: str, store: Store) -> str:
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="nbtrail-rerun") as pool:
        return rerun_report(pool.submit(reproduce, run_id, store=store).result())
