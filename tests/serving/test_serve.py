"""A real ``nbtrail serve`` (MLflow's scoring server) answering every payload kind, and its log."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import nbtrail
from nbtrail.cli import main
from nbtrail.monitoring.traffic import daily_traffic
from nbtrail.serving.reader import LogQuery
from serving.conftest import FEATURES, MODEL, Server, Trained, wait_for  # type: ignore[import-not-found]

URI = f"models:/{MODEL}@production"


def payloads(frame: pd.DataFrame) -> dict[str, Any]:
    return {
        "dataframe_split": {
            "dataframe_split": json.loads(frame.to_json(orient="split", index=False))
        },
        "dataframe_records": {"dataframe_records": frame.to_dict(orient="records")},
        "instances": {"instances": frame.to_dict(orient="records")},
        "inputs": {"inputs": frame.to_dict(orient="list")},
    }


def logged(server: Server, trained: Trained, since: float | None = None) -> pd.DataFrame:
    return nbtrail.inference_log(URI, since, store=str(trained.store), log_dir=server.log_dir)


def test_every_payload_kind_is_answered_and_logged(server: Server, trained: Trained) -> None:
    rows = trained.test[FEATURES].iloc[:3]
    expected = nbtrail.load_model(URI, store=str(trained.store)).predict(rows)
    ids = {}
    for kind, body in payloads(rows).items():
        status, answer, request_id = server.post(body)
        assert status == 200, (kind, answer)
        assert answer["predictions"] == expected.tolist(), kind
        ids[kind] = request_id
    assert wait_for(lambda: set(ids.values()) <= set(logged(server, trained)["request_id"]))
    log = logged(server, trained)
    for kind, request_id in ids.items():
        mine = log[log["request_id"] == request_id].sort_values("row")
        assert mine["row"].tolist() == [0, 1, 2], kind
        assert mine["prediction"].tolist() == expected.tolist(), kind
        assert (mine["version"] == 1).all() and (mine["latency_ms"] > 0).all()
        pd.testing.assert_frame_equal(mine[FEATURES].reset_index(drop=True),
                                      rows.reset_index(drop=True), check_dtype=False)  # fmt: skip


@pytest.mark.parametrize(
    ("row", "says"),
    [
        ({"income": 50.0, "age": 40.0, "segment": "a"}, "missing inputs ['score']"),
        ({"income": 50.0, "age": "forty", "score": 0.0, "segment": "a"}, "age"),
    ],
)
def test_a_bad_payload_is_400_and_never_a_prediction(
    server: Server, trained: Trained, row: dict[str, Any], says: str
) -> None:
    status, answer, request_id = server.post({"dataframe_records": [row]})
    assert status == 400 and says in answer["message"]
    query = LogQuery(server.log_dir, MODEL, {1})
    assert wait_for(lambda: sum(t["errors"] for t in daily_traffic(query)) >= 1)
    assert request_id not in set(logged(server, trained)["request_id"])


def test_a_client_request_id_is_kept(server: Server, trained: Trained) -> None:
    body = payloads(trained.test[FEATURES].iloc[:1])["dataframe_split"]
    status, _, request_id = server.post(body, {"X-Request-ID": "order-42"})
    assert (status, request_id) == (200, "order-42")
    assert wait_for(lambda: "order-42" in set(logged(server, trained)["request_id"]))


def test_health_reports_what_the_log_lost(server: Server) -> None:
    status, body = server.get("/health")
    log = json.loads(body)["log"]
    assert status == 200 and log["dropped"] == 0 and log["failed"] == 0
    assert log["requests_logged"] >= 1


def send_batches(server: Server, frame: pd.DataFrame, size: int = 100) -> list[str]:
    """Row ids (``REQUEST#ROW``) of ``frame`` sent in requests of ``size`` rows."""
    ids = []
    for start in range(0, len(frame), size):
        part = frame.iloc[start : start + size]
        status, _, request_id = server.post(payloads(part)["dataframe_split"])
        assert status == 200
        ids += [f"{request_id}#{i}" for i in range(len(part))]
    return ids


def monitor(trained: Trained, server: Server, since: float, *extra: str,
            capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:  # fmt: skip
    start = dt.datetime.fromtimestamp(since, dt.timezone.utc).isoformat()
    code = main(["--store", str(trained.store), "monitor", URI, "--since", start, "--json",
                 "--log-dir", str(server.log_dir), *extra])  # fmt: skip
    return code, json.loads(capsys.readouterr().out)


def test_drift_on_the_shifted_column_only_and_labels_against_training(
    server: Server, trained: Trained, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    test = trained.test
    before = dt.datetime.now(dt.timezone.utc).timestamp()
    ids = send_batches(server, test[FEATURES])
    assert wait_for(lambda: len(logged(server, trained, before)) == len(test))

    code, report = monitor(trained, server, before, capsys=capsys)
    assert code == 0 and report["drifted"] is False
    assert sorted(c["name"] for c in report["columns"]) == sorted(FEATURES)
    assert not any(c["drifted"] for c in report["columns"])
    assert {c["method"] for c in report["columns"]} == {"wasserstein", "jensenshannon"}

    nbtrail.log_labels(ids, test["label"].tolist(), log_dir=server.log_dir)
    code, report = monitor(trained, server, before, capsys=capsys)
    training = nbtrail.get_model_version(URI, store=str(trained.store)).lineage["metrics"]
    assert report["labels"]["metric"] == "accuracy" and report["labels"]["rows"] == len(test)
    assert report["labels"]["value"] == pytest.approx(training["accuracy"], abs=1e-12)
    assert report["labels"]["training"] == training["accuracy"]

    shifted_at = dt.datetime.now(dt.timezone.utc).timestamp()
    send_batches(server, test[FEATURES].assign(income=test["income"] * 1.6))
    assert wait_for(lambda: len(logged(server, trained, shifted_at)) == len(test))
    figures = tmp_path / "figures"
    code, report = monitor(trained, server, shifted_at, "--figures", str(figures), capsys=capsys)
    assert code == 1 and report["drifted"] is True
    assert [c["name"] for c in report["columns"] if c["drifted"]] == ["income"]
    assert [p.name for p in figures.iterdir()] == ["drift-income.png"]


def test_the_log_has_what_the_training_profile_compares(trained: Trained) -> None:
    version = nbtrail.get_model_version(URI, store=str(trained.store))
    profile = version.lineage["profile"]
    assert (profile["source"], profile["binding"], profile["rows"]) == ("kernel", "X_train", 3000)
    assert profile["prediction"] is True
    assert np.isclose(nbtrail.drift(URI, trained.test[FEATURES], store=str(trained.store))
                      .rows["reference"], 3000)  # fmt: skip


def test_it_listens_on_127_0_0_1_only(server: Server) -> None:
    import psutil

    process = psutil.Process(server.process.pid)
    listening = [c.laddr for p in (process, *process.children(recursive=True))
                 for c in p.net_connections("tcp") if c.status == psutil.CONN_LISTEN]  # fmt: skip
    assert listening and {a.ip for a in listening} == {"127.0.0.1"}


def test_registered_away_from_the_kernel_profiles_a_file_or_says_why(
    trained: Trained, capsys: pytest.CaptureFixture[str]
) -> None:
    store = str(trained.store)
    assert main(["--store", store, "models", "register", "fit_file", "churn-file", "--model",
                 "small"]) == 0  # fmt: skip
    assert main(["--store", store, "models", "register", "fit", "churn-copy", "--model",
                 "model"]) == 0  # fmt: skip
    capsys.readouterr()
    from_file = nbtrail.get_model_version("models:/churn-file/1", store=store)
    profile = from_file.lineage["profile"]
    assert (profile["source"], profile["binding"], profile["rows"]) == ("file", "train.csv", 3000)
    reference = nbtrail.drift("models:/churn-file/1", trained.test[FEATURES], store=store)
    assert [c.name for c in reference.columns] == ["income", "age", "score"]
    copy = nbtrail.get_model_version("models:/churn-copy/1", store=store)
    assert copy.lineage["profile"]["error"].startswith("the training data's values are not kept")
    code = main(["--store", store, "monitor", "models:/churn-copy/1", "--data",
                 str(trained.folder / "test.parquet")])  # fmt: skip
    assert code == 1 and "register in the kernel that trained" in capsys.readouterr().err
