"""Without the models extra, the commands say which extra to install, in one line."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from nbtrail.capture.hashing import hash_bytes
from nbtrail.cli import main
from nbtrail.errors import MissingExtra, NoActiveRun
from nbtrail.models import log_model
from nbtrail.models.extra import require
from nbtrail.records import ModelVersion
from nbtrail.store.sqlite import SQLiteStore


def test_require_names_the_extra() -> None:
    with pytest.raises(MissingExtra) as info:
        require("nbtrail_no_such_module.io", "loading a model")
    assert str(info.value) == (
        "loading a model needs nbtrail_no_such_module, from the models extra: "
        "pip install 'nbtrail[models]'"
    )


@pytest.mark.parametrize(
    ("hidden", "args", "needs"),
    [
        ("skops", ["load", "models:/iris/1"], "loading a model needs skops"),
        ("skl2onnx", ["package", "iris", "--format", "onnx", "--out", "OUT"],
         "ONNX packaging needs skl2onnx"),
        ("mlflow", ["package", "iris", "--format", "mlflow", "--out", "OUT"],
         "MLflow packaging needs mlflow"),
    ],
)  # fmt: skip
def test_commands_without_the_extra_are_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    hidden: str, args: list[str], needs: str,
) -> None:  # fmt: skip
    import skops.io
    from sklearn.linear_model import LinearRegression

    folder = tmp_path / ".nbtrail"
    store = SQLiteStore(folder)
    data = skops.io.dumps(LinearRegression().fit([[0.0], [1.0]], [0.0, 1.0]))
    example = b'{"kind": "ndarray", "dtype": "float64", "data": [[0.5]]}'
    for blob in (data, example):
        store.put_object(blob, hash_bytes(blob))
    store.add_model_version(ModelVersion("iris", 0, "r" * 22, "model", None, hash_bytes(data),
                                         input_example=hash_bytes(example)))  # fmt: skip
    monkeypatch.setitem(sys.modules, hidden, None)  # as if not installed
    for name in [m for m in sys.modules if m.startswith(f"{hidden}.")]:
        monkeypatch.setitem(sys.modules, name, None)
    out = tmp_path / "out"
    argv = [str(out) if a == "OUT" else a for a in args]
    assert main(["--store", str(folder), "models", *argv]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and needs in err and "pip install 'nbtrail[models]'" in err
    assert not out.exists()


def test_log_model_outside_a_tracked_cell() -> None:
    with pytest.raises(NoActiveRun):
        log_model(object())
