"""Export reads the store only through ``Store``: the same from SQLite and PostgreSQL.

Runs are written with the store API (no kernel); objects live wherever the
backend keeps them (``$NBTRAIL_OBJECTS`` for PostgreSQL).
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import pytest

from nbtrail.capture.hashing import hash_bytes
from nbtrail.export import export_to_mlflow
from nbtrail.records import Artifact, Metric, Param, Run, new_run_id
from nbtrail.store import open_store


def test_runs_of_either_backend_export_with_their_objects_once(
    location: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # MLflow's default artifact folder: ./mlruns
    store = open_store(location, create=True)
    figure = b"\x89PNG fake figure bytes"
    store.put_object(figure, hash_bytes(figure))
    started = time.time()
    run = Run(
        id=new_run_id(), name="fit", status="interrupted", started=started, ended=started + 2,
        notebook="nb.ipynb", source="fit()\n", source_hash="s1",
        params=(Param("lr", 0.1),), tags={"stage": "dev"},
        metrics=tuple(Metric("loss", 1 / (s + 1), step=s, time=started + s) for s in range(3)),
        artifacts=(Artifact("figure-1.png", hash_bytes(figure), "image/png", len(figure)),),
    )  # fmt: skip
    store.save_run(run)
    store.update_run(run.id, note="stopped by hand")
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    try:
        first = export_to_mlflow(tracking_uri=uri, experiment="backends", store=store)
        second = export_to_mlflow(tracking_uri=uri, experiment="backends", store=store)
    finally:
        store.close()
    assert first.created == [run.id] and second.unchanged == [run.id]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MLflow's and SQLAlchemy's deprecations
        from mlflow import MlflowClient

        client = MlflowClient(uri)
        exported = client.get_run(first.mlflow_runs[run.id])
        local = client.download_artifacts(exported.info.run_id, "artifacts/figure-1.png")
    assert Path(local).read_bytes() == figure
    assert exported.info.status == "KILLED"
    assert exported.data.params == {"lr": "0.1"}
    assert exported.data.tags["stage"] == "dev"
    assert exported.data.tags["mlflow.note.content"] == "stopped by hand"
    assert [m.step for m in client.get_metric_history(exported.info.run_id, "loss")] == [0, 1, 2]
