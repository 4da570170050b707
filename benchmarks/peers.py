"""MLflow, the peer every "how much faster" figure is measured against.

MLflow is optional (the ``bench`` extra): when it cannot be imported the peer
figures say so and carry no baseline, so a missing peer is never mistaken for
a measured one. Its tracking store is the default SQLite backend in scratch.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import time
import warnings
from pathlib import Path
from typing import Any

from benchmarks.timing import median_seconds

SKIP_REASON = "mlflow is not installed (pip install -e '.[bench]')"


def available() -> bool:
    return importlib.util.find_spec("mlflow") is not None


def _quiet() -> None:
    """MLflow logs table creation and emits deprecation noise on every store.

    Its logging is configured when it is imported, so levels are set after that.
    """
    os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")  # no network calls while timed
    warnings.filterwarnings("ignore", module="mlflow.*")
    import mlflow  # noqa: F401

    for name in ("mlflow", "alembic", "sqlalchemy"):
        logging.getLogger(name).setLevel(logging.ERROR)


def open_tracking(folder: Path, experiment: str = "bench") -> tuple[Any, str, float]:
    """Point MLflow at the SQLite store in ``folder``: (mlflow, experiment id, seconds taken).

    The first call creates the store (the seconds taken are MLflow's store
    creation); later calls reuse it with another experiment, which saves the
    quick mode a second creation.
    """
    _quiet()
    import mlflow

    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    mlflow.set_tracking_uri(f"sqlite:///{folder / 'mlflow.db'}")
    experiment_id = mlflow.set_experiment(experiment).experiment_id
    return mlflow, experiment_id, time.perf_counter() - start


PARAMS = {f"p{i}": i for i in range(10)}
METRICS = {f"m{i}": i / 10 for i in range(10)}
TAGS = {f"t{i}": "x" for i in range(5)}


def fluent_run(mlflow: Any) -> None:
    """What a notebook user writes: start_run, 10 params, 10 metrics, 5 tags, end_run."""
    with mlflow.start_run():
        mlflow.log_params(PARAMS)
        mlflow.log_metrics(METRICS)
        mlflow.set_tags(TAGS)


def fill_for_search(folder: Path, count: int) -> tuple[Any, str]:
    """``count`` runs through the client's bulk call (create, one log_batch, terminate).

    MLflow has no call that creates many runs at once; ``log_batch`` is its
    bulk path and still costs about 20 ms a run, which is why the peer is
    measured on fewer runs than the nbtrail figures.
    """
    mlflow, experiment_id, _ = open_tracking(folder, experiment="search")
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param, RunTag

    client = MlflowClient()
    for n in range(count):
        run = client.create_run(experiment_id, run_name=f"run-{n}")
        now = int(time.time() * 1000)
        client.log_batch(
            run.info.run_id,
            metrics=[Metric(k, v + n, now, 0) for k, v in METRICS.items()],
            params=[Param(k, str(v)) for k, v in PARAMS.items()],
            tags=[RunTag(k, v) for k, v in TAGS.items()],
        )
        client.set_terminated(run.info.run_id)
    return mlflow, experiment_id


def search_seconds(mlflow: Any, experiment_id: str, repeat: int) -> float:
    """``mlflow.search_runs`` of every run of the experiment into a DataFrame."""
    return median_seconds(
        lambda: mlflow.search_runs(experiment_ids=[experiment_id]),
        repeat=repeat,
        warmup=1,
    )


def dataset_digest(frame: Any) -> str:
    """MLflow's dataset digest of a DataFrame (what ``mlflow.log_input`` records)."""
    _quiet()
    import mlflow.data

    return str(mlflow.data.from_pandas(frame).digest)
