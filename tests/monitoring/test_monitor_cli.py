"""``nbtrail monitor``: a log or a file against the training profile; bad input is one line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

import nbtrail
from monitoring.registered import now, register, table, write_log  # type: ignore[import-not-found]
from nbtrail.cli import main
from nbtrail.store import Store
from nbtrail.store.sqlite import SQLiteStore


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = SQLiteStore(tmp_path / ".nbtrail")
    yield opened
    opened.close()


def run(store: Store, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--store", store.location, "monitor", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_log_since_a_time_against_the_training_profile(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    version = register(store)
    log_dir = tmp_path / "log"
    yesterday = now() - 86_400
    shifted = table(3_000, 2).assign(age=lambda f: f["age"] * 1.6)
    write_log(log_dir, version, shifted, at=yesterday)
    ids = write_log(log_dir, version, table(3_000, 3), at=now(), errors=4)

    since = ["--since", "1h", "--log-dir", str(log_dir)]
    code, out, _ = run(store, capsys, "models:/credit/1", *since, "--json")
    report = json.loads(out)
    assert code == 0 and report["drifted"] is False and report["rows"]["current"] == 3_000
    assert report["prediction"]["drifted"] is False and report["labels"] is None

    nbtrail.log_labels(ids, [1] * len(ids), log_dir=log_dir)
    code, out, _ = run(store, capsys, "models:/credit/1", *since)
    assert code == 0 and "labels: accuracy" in out and "(training: 0.9)" in out

    code, out, _ = run(store, capsys, "models:/credit/1", "--since", "2d", "--log-dir",
                       str(log_dir), "--json")  # fmt: skip
    report = json.loads(out)
    assert code == 1 and [c["name"] for c in report["columns"] if c["drifted"]] == ["age"]


def test_a_file_instead_of_the_log_with_figures(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    register(store)
    moved = tmp_path / "moved.csv"
    table(2_000, 4).assign(segment="c").to_csv(moved, index=False)
    figures = tmp_path / "figures"
    code, out, _ = run(store, capsys, "models:/credit/1", "--data", str(moved), "--figures",
                       str(figures))  # fmt: skip
    assert code == 1 and "jensenshannon" in out
    assert out.splitlines()[-2].startswith("drift in segment (20000 reference rows, 2000 current)")
    assert sorted(p.name for p in figures.iterdir()) == ["drift-segment.png"]
    same = tmp_path / "same.parquet"
    table(2_000, 5).to_parquet(same)
    code, out, _ = run(store, capsys, "models:/credit/1", "--data", str(same))
    assert code == 0 and out.strip().splitlines()[-1].startswith("no drift")


def test_a_reference_file_for_a_version_without_a_profile(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    register(store, profiled=False)
    reference, current = tmp_path / "train.parquet", tmp_path / "now.parquet"
    table(5_000, 1).to_parquet(reference)
    table(2_000, 6).assign(income=lambda f: f["income"] + 30).to_parquet(current)
    code, out, err = run(store, capsys, "models:/credit/1", "--data", str(current))
    assert code == 1 and err.count("\n") == 1
    assert "has no training profile: the training data's values are not kept" in err
    code, out, _ = run(store, capsys, "models:/credit/1", "--data", str(current),
                       "--reference", str(reference), "--json")  # fmt: skip
    assert code == 1 and json.loads(out)["columns"][0]["drifted"] is True


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["models:/nope/1"], "no registered model 'nope'"),
        (["models:/credit@production"], "model 'credit' has no alias 'production'"),
        (["models:/credit/1", "--data", "missing.csv"], "no such file: missing.csv"),
        (["models:/credit/1", "--data", "BROKEN"], "cannot read broken.parquet"),
        (["models:/credit/1", "--data", "table.json"], "give a .csv or .parquet file"),
        (["models:/credit/1", "--since", "last tuesday"], "not a time: 'last tuesday'"),
        (["models:/credit/1", "--log-dir", "EMPTY"], "no logged requests for models:/credit/1"),
        (["models:/credit/1", "--number-method", "mean"], "unknown number drift method 'mean'"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any,
    args: list[str], says: str,
) -> None:  # fmt: skip
    register(store)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not really")
    swap = {"BROKEN": str(tmp_path / "broken.parquet"), "EMPTY": str(tmp_path / "empty")}
    code, out, err = run(store, capsys, *[swap.get(a, a) for a in args])
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and says in err and "Traceback" not in err


def test_since_takes_iso_times(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    version = register(store)
    log_dir = tmp_path / "log"
    write_log(log_dir, version, table(500, 7), at=now() - 7200)
    start = dt.datetime.fromtimestamp(now() - 3600, dt.timezone.utc).isoformat()
    code, _, err = run(
        store, capsys, "models:/credit/1", "--since", start, "--log-dir", str(log_dir)
    )
    assert code == 1 and "no logged requests for models:/credit/1 in that time" in err
