"""Bad export input is one line on stderr and exit 1, before anything is sent."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from nbtrail.cli import main
from nbtrail.export.payload import build_payload, mlflow_key
from nbtrail.records import Artifact, Param, Run
from nbtrail.store import open_store


@pytest.fixture
def store_path(tmp_path: Path) -> str:
    path = tmp_path / ".nbtrail"
    open_store(str(path), create=True).close()
    return str(path)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_export(store_path: str, *args: str) -> int:
    return main(["--store", store_path, "export", "--to", "mlflow", *args])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nosuchrun"], "no run 'nosuchrun'"),
        (["--batch", "abc123"], "no batch 'abc123'"),
        (["--notebook", "nowhere.ipynb"], "no recorded runs of the notebook nowhere.ipynb"),
        (["--filter", "metrics.accuracy >"], "filter: expected a value"),
    ],
)
def test_a_selection_naming_nothing_is_one_line(
    store_path: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    args: list[str], message: str,
) -> None:  # fmt: skip
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    assert run_export(store_path, "--tracking-uri", uri, *args) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "mlflow.db").exists()  # found before MLflow was touched


def test_an_unreachable_tracking_server_is_one_line_without_its_password(
    store_path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    started = time.monotonic()
    code = run_export(store_path, "--tracking-uri", f"http://alice:hunter2@127.0.0.1:{port}")
    assert code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "cannot reach the MLflow tracking server at http://alice:" in err
    assert f"127.0.0.1:{port}" in err and "hunter2" not in err
    assert time.monotonic() - started < 30  # no minutes of MLflow retries


def test_an_unusable_tracking_store_is_one_line(
    store_path: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    uri = f"sqlite:///{tmp_path / 'a-file' / 'mlflow.db'}"
    assert run_export(store_path, "--tracking-uri", uri) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot use the MLflow tracking URI" in err, err


def test_keys_statuses_and_paths_become_what_mlflow_accepts() -> None:
    assert mlflow_key("loss (val)") == "loss _val_"
    assert mlflow_key("../up/./x") == "_/up/_/x"
    assert len(mlflow_key("k" * 400)) == 250
    run = Run(
        id="0190a1b2c3d4e5f6a7b8c9", name="", status="interrupted", started=1.5,
        params=(Param("grid", list(range(3000))), Param("lr", 0.1)),
        artifacts=(Artifact("/abs/../out.csv", "ab" * 16, "text/csv", 3),),
    )  # fmt: skip
    payload = build_payload(run, None)
    assert payload.status == "KILLED" and payload.name == run.id[-8:]
    assert payload.start_ms == 1500 and payload.end_ms is None
    assert payload.params["lr"] == "0.1" and len(payload.params["grid"]) == 6000
    assert [a.path for a in payload.artifacts] == ["artifacts/abs/out.csv"]
    assert payload.state()["digest"] == build_payload(run, None).state()["digest"]
