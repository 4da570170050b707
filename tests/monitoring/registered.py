"""A registered version with a training profile, written through the real store (no kernel).

The CLI and REST tests need a version and a log, not a training run: the
version is added with ``Store.add_model_version`` and its profile is
``nbtrail.profile`` of a seeded frame; the log is written by the serving
layer's own ``InferenceLogger``.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

import nbtrail
from nbtrail.capture.hashing import hash_bytes
from nbtrail.records import Metric, ModelVersion, Run
from nbtrail.serving.entries import Entry
from nbtrail.serving.logger import InferenceLogger, LogSettings
from nbtrail.store import Store

T0 = 1_700_000_000.0
RUN = f"{int(T0 * 1000):012x}{1:010x}"
COLUMNS = ["income", "age", "segment"]


def table(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "income": rng.normal(50.0, 10.0, n),
        "age": rng.normal(40.0, 8.0, n),
        "segment": rng.choice(["a", "b", "c"], n, p=[0.5, 0.3, 0.2]),
    })  # fmt: skip


def predict(frame: pd.DataFrame) -> np.ndarray:
    """The 'model' of these tests: a fixed rule, so predictions follow the inputs."""
    return (frame["income"].to_numpy() > 50.0).astype(int)


def register(store: Store, name: str = "credit", profiled: bool = True) -> ModelVersion:
    store.save_run(Run(id=RUN, name="train", status="finished", started=T0, source="fit()",
                       source_hash="s", metrics=(Metric("accuracy", 0.9, None, T0),)))  # fmt: skip
    lineage: dict[str, object] = {"metrics": {"accuracy": 0.9}, "columns": COLUMNS}
    if profiled:
        training = table(20_000, 1)
        profile = nbtrail.profile(training)
        profile.columns["prediction"] = nbtrail.profile(
            pd.DataFrame({"prediction": predict(training)})
        ).columns["prediction"]
        data = profile.to_bytes()
        store.put_object(data, hash_bytes(data))
        lineage["profile"] = {"object": hash_bytes(data), "source": "kernel", "rows": 20_000}
    else:
        lineage["profile"] = {"error": "the training data's values are not kept"}
    return store.add_model_version(ModelVersion(
        name=name, version=0, run=RUN, binding="model", model_hash="h", object="0" * 32,
        created=T0, lineage=lineage,
    ))  # fmt: skip


def write_log(log_dir: Path, version: ModelVersion, frame: pd.DataFrame, *, at: float,
              errors: int = 0, rows_per_request: int = 50) -> list[str]:  # fmt: skip
    """Log ``frame`` as requests of ``rows_per_request`` rows at time ``at``; returns row ids."""
    logger = InferenceLogger(LogSettings(log_dir, version.name, version.version))
    ids = []
    for i, start in enumerate(range(0, len(frame), rows_per_request)):
        part = frame.iloc[start : start + rows_per_request]
        entry = Entry(f"req-{at:.0f}-{i}", at, latency_ms=2.0 + i % 3, status=200, data=part,
                      predictions=predict(part))  # fmt: skip
        logger.submit(entry)
        ids += [f"{entry.request_id}#{r}" for r in range(len(part))]
    for i in range(errors):
        logger.submit(Entry(f"bad-{at:.0f}-{i}", at, latency_ms=1.0, status=400))
    logger.close()
    assert logger.stats.failed == 0 and logger.stats.dropped == 0
    return ids


def now() -> float:
    return time.time()
