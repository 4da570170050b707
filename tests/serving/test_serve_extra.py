"""Without the serve extra, `nbtrail serve` and profiles name the extra to install, in one line."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

import nbtrail
from nbtrail.cli import main
from nbtrail.errors import MissingExtra
from nbtrail.store.sqlite import SQLiteStore


@pytest.mark.parametrize("hidden", ["mlflow", "uvicorn"])
def test_serve_without_the_extra_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    hidden: str,
) -> None:  # fmt: skip
    SQLiteStore(tmp_path / ".nbtrail").close()
    monkeypatch.setitem(sys.modules, hidden, None)  # as if not installed
    assert main(["--store", str(tmp_path / ".nbtrail"), "serve", "models:/churn/1"]) == 1
    err = capsys.readouterr().err
    assert err == (f"nbtrail: error: nbtrail serve needs {hidden}, from the serve extra: "
                   "pip install 'nbtrail[serve]'\n")  # fmt: skip


def test_a_profile_without_datasketches_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "datasketches", None)
    with pytest.raises(MissingExtra, match=r"pip install 'nbtrail\[serve\]'"):
        nbtrail.profile(pd.DataFrame({"x": [1.0, 2.0]}))


def test_serving_an_unknown_model_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    SQLiteStore(tmp_path / ".nbtrail").close()
    assert main(["--store", str(tmp_path / ".nbtrail"), "serve", "models:/nope@production"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no registered model 'nope'" in err
