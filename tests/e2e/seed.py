"""A small, known store for the workspace tests, written through the Store interface.

A sweep of eight ``train`` runs (lr x depth, loss by step, accuracy), three
``forest`` runs (two with a figure, one archived), a re-run batch whose
verdict is ``reproduced``, forty quick runs to page through, and a model
registered twice from the forest runs with a real skops file, its
``production`` alias moved from version 1 to 2.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from pathlib import Path

from nbtrail.capture.hashing import hash_bytes
from nbtrail.models import aliases
from nbtrail.records import (
    Artifact,
    Batch,
    BatchItem,
    Metric,
    ModelVersion,
    Param,
    Reproduction,
    Run,
    new_run_id,
)
from nbtrail.store import Store, open_store

SWEEP = [(lr, depth) for lr in (0.01, 0.05, 0.1, 0.2) for depth in (3, 5)]
MODEL = "iris-forest"


@dataclass
class Seeded:
    store: Path
    sweep: list[Run] = field(default_factory=list)
    forest: list[Run] = field(default_factory=list)
    others: list[Run] = field(default_factory=list)
    sweep_batch: str = ""
    rerun_batch: str = ""

    @property
    def active(self) -> list[Run]:
        return [r for r in self.sweep + self.forest + self.others if r.lifecycle == "active"]


def _run(name: str, notebook: str, started: float, **fields: object) -> Run:
    time.sleep(0.002)  # ids are time-sortable: keep them in creation order
    return Run(id=new_run_id(), name=name, status="finished", started=started,
               ended=started + 2.5, notebook=notebook, source=f"# {name}\n", **fields)  # type: ignore[arg-type]  # fmt: skip


def _figure(store: Store, title: str) -> Artifact:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3, 2), dpi=60)
    ax.plot([0, 1, 2], [0, 1, 0] if "1" in title else [1, 0, 1])
    ax.set_title(title)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    data = buffer.getvalue()
    digest = hash_bytes(data)
    store.put_object(data, digest)
    return Artifact(name=f"{title}.png", hash=digest, media_type="image/png", size=len(data))


def _sweep(store: Store, seeded: Seeded, start: float) -> None:
    batch = Batch(id=new_run_id(), kind="sweep", notebook="train.ipynb", created=start,
                  status="finished",
                  items=tuple(BatchItem(i, {"lr": lr, "depth": d}, "finished")
                              for i, (lr, d) in enumerate(SWEEP)))  # fmt: skip
    store.save_batch(batch)
    seeded.sweep_batch = batch.id
    for i, (lr, depth) in enumerate(SWEEP):
        accuracy = round(0.6 + lr + depth / 50 + i / 1000, 4)
        losses = [round(1.0 / (step + 1) + lr + depth / 100, 4) for step in range(5)]
        run = _run("train", "train.ipynb", start + i, batch=batch.id,
                   params=(Param("lr", lr), Param("depth", depth)),
                   metrics=(*(Metric("loss", v, step, start + i) for step, v in enumerate(losses)),
                            Metric("accuracy", accuracy, None, start + i)),
                   tags={"stage": "candidate"} if accuracy > 0.85 else {})  # fmt: skip
        store.save_run(run)
        seeded.sweep.append(run)


def _forest(store: Store, seeded: Seeded, start: float) -> None:
    for i in range(3):
        figures = (_figure(store, f"forest {i + 1}"),) if i < 2 else ()
        trees = (Param("n_estimators", 50 * (i + 1)),)
        run = _run("forest", "forest.ipynb", start + i, params=trees,
                   metrics=(Metric("accuracy", 0.9 + i / 100), Metric("loss", 0.3 - i / 20)),
                   artifacts=figures, note="the forest baseline" if i == 0 else None,
                   lifecycle="archived" if i == 2 else "active")  # fmt: skip
        store.save_run(run)
        seeded.forest.append(run)


def _rerun(store: Store, seeded: Seeded, start: float) -> None:
    original = seeded.forest[0]
    batch = Batch(id=new_run_id(), kind="rerun", notebook="forest.ipynb", created=start,
                  status="finished", items=(BatchItem(0, {}, "finished"),))  # fmt: skip
    store.save_batch(batch)
    seeded.rerun_batch = batch.id
    run = _run("forest", "forest.ipynb", start, batch=batch.id, parent=original.id,
               params=original.params, metrics=original.metrics)  # fmt: skip
    store.save_run(run)
    seeded.others.append(run)
    verdict = Reproduction(batch=batch.id, run=original.id, verdict="reproduced", created=start,
                           report={"verdict": "reproduced"})  # fmt: skip
    store.save_reproduction(verdict)


def _models(store: Store, seeded: Seeded) -> None:
    import skops.io as sio
    from sklearn.ensemble import RandomForestClassifier

    for version, run in enumerate(seeded.forest[:2], start=1):
        model = RandomForestClassifier(n_estimators=3, random_state=version).fit([[0], [1]], [0, 1])
        data = sio.dumps(model)
        digest = hash_bytes(data)
        store.put_object(data, digest)
        store.add_model_version(ModelVersion(
            name=MODEL, version=0, run=run.id, binding="model", model_hash=digest, object=digest,
            class_name="sklearn.ensemble.RandomForestClassifier", created=run.ended or 0.0,
            lineage={"params": run.param_dict(), "metrics": run.latest_metrics(),
                     "run_name": run.name, "notebook": run.notebook,
                     "training_data": [{"name": "X_train", "kind": "dataframe",
                                        "hash": "0123456789abcdef0123456789abcdef",
                                        "summary": {"shape": [120, 4]}}]},
        ))  # fmt: skip
        aliases.promote(store, MODEL, "production", version, force=True, who="e2e")


def _days_ago(days: int) -> str:
    """A UTC day, as the inference log partitions by."""
    from datetime import datetime, timedelta, timezone

    return (datetime.now(timezone.utc).date() - timedelta(days=days)).isoformat()


#: Requests the served production version answered per day (the two days before
#: today: inside the Models view's 30-day window), plus one it refused on the last.
SERVED = {_days_ago(2): 3, _days_ago(1): 5}


def _served(store: Store) -> None:
    """An inference log of version 2, written by the serving logger itself."""
    from datetime import datetime, timezone

    import pandas as pd

    from nbtrail.serving.entries import Entry
    from nbtrail.serving.layout import log_root
    from nbtrail.serving.logger import InferenceLogger, LogSettings

    logger = InferenceLogger(LogSettings(log_root(store), MODEL, 2, flush_seconds=0.05))
    for day, count in SERVED.items():
        noon = datetime.fromisoformat(day).replace(hour=12, tzinfo=timezone.utc).timestamp()
        for n in range(count):
            row = pd.DataFrame({"x": [float(n)]})
            logger.submit(Entry(f"{day}-{n}", noon + n, 4.0 + n, 200, row, [n % 2]))
    logger.submit(Entry("refused", noon + 60, latency_ms=1.0, status=400))
    logger.close()


def seed(root: Path) -> Seeded:
    """Write the store into ``root/.nbtrail`` (where the server discovers it)."""
    folder = root / ".nbtrail"
    store = open_store(str(folder), create=True)
    seeded = Seeded(folder)
    now = time.time() - 3600
    try:
        for i in range(40):
            run = _run(f"quick {i}", "scratch.ipynb", now - 7200 + i,
                       metrics=(Metric("accuracy", 0.5),))  # fmt: skip
            store.save_run(run)
            seeded.others.append(run)
        _sweep(store, seeded, now)
        _forest(store, seeded, now + 100)
        _rerun(store, seeded, now + 200)
        _models(store, seeded)
        _served(store)
    finally:
        store.close()
    return seeded
