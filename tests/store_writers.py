"""One writer process of the concurrency test (a module, so spawned processes import it)."""

from __future__ import annotations

import os
import time
from typing import Any

from nbtrail.records import AliasEvent, Metric, ModelVersion, Param, Run, new_run_id
from nbtrail.store import open_store


def write(location: str, objects: str, worker: int, runs: int, every: int, start: Any,
          results: Any) -> None:  # fmt: skip
    """Save ``runs`` runs (start record, then the run) and a model version every ``every``."""
    os.environ["NBTRAIL_OBJECTS"] = objects
    store = open_store(location)
    start.wait(timeout=60)  # every writer begins at once
    ids, versions, events = [], [], []
    for i in range(runs):
        now = time.time()
        run = Run(
            id=new_run_id(), name=f"w{worker}", status="running", started=now,
            source=f"fit({i})\n", source_hash=f"{i:032d}", params=(Param("i", i),),
        )  # fmt: skip
        store.start_run(run)
        done = Run(**{**run.__dict__, "status": "finished", "ended": time.time(),
                      "metrics": (Metric("acc", i / runs, None, now),)})  # fmt: skip
        store.save_run(done)
        ids.append(run.id)
        if i % every == 0:
            draft = ModelVersion(
                name="shared", version=0, run=run.id, binding="model", model_hash=None,
                object="0" * 32,
            )  # fmt: skip
            version = store.add_model_version(draft)
            versions.append(version.version)
            event = store.add_alias_event(
                AliasEvent("shared", "production", version.version, None, time.time(), f"w{worker}")
            )
            events.append(event.seq)
    store.close()
    results.put((worker, ids, versions, events))


def open_new(location: str, objects: str, start: Any, results: Any) -> None:
    """Open (and so set up) a store that does not exist yet, at the same moment as others."""
    os.environ["NBTRAIL_OBJECTS"] = objects
    start.wait(timeout=60)
    try:
        store = open_store(location)
        results.put(("ok", store.count_runs()))
        store.close()
    except Exception as exc:  # reported to the test, which says what it was
        results.put(("error", f"{type(exc).__name__}: {exc}"))
