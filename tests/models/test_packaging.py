"""Packages of registered versions: skops (trust from the user only), ONNX with an
onnxruntime parity check, an MLflow model directory, pickle only when asked."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

from model_helpers import Trained
from nbtrail.cli import main
from nbtrail.errors import ModelError
from nbtrail.models import packaging, registry, serialize
from nbtrail.store import Store

pytestmark = pytest.mark.kernel

TREE = "sklearn.tree._tree.Tree"


@pytest.fixture
def iris() -> tuple[object, object]:
    from sklearn.datasets import load_iris

    return load_iris(return_X_y=True, as_frame=True)


def cli(trained: Trained, *args: str) -> int:
    return main(["--store", str(trained.store_path), *args])


def test_skops_round_trip_predicts_the_same_and_takes_no_trust_from_the_file(
    trained: Trained, store: Store, tmp_path: Path, iris: tuple, capsys: pytest.CaptureFixture[str]
) -> None:
    X, _ = iris
    version = registry.register(store, trained.runs["forest"].id, "iris-skops")
    written = packaging.package(store, version.uri, "skops", tmp_path).path
    assert written.name == "iris-skops-v1.skops"
    data = written.read_bytes()
    assert serialize.untrusted_types(data) == [TREE]  # shown, never trusted by itself
    with pytest.raises(ModelError, match=TREE):
        serialize.loads_model(data)
    with pytest.raises(ModelError, match="--trust"):
        registry.load(store, version.uri)
    assert cli(trained, "models", "load", version.uri) == 1
    assert TREE in capsys.readouterr().err
    assert cli(trained, "models", "load", version.uri, "--trust", TREE) == 0
    assert "RandomForestClassifier; trusted by you: " + TREE in capsys.readouterr().out
    loaded = serialize.loads_model(data, [TREE])
    original = registry.load(store, version.uri, [TREE])
    assert (loaded.predict(X) == original.predict(X)).all()
    assert (loaded.predict_proba(X) == original.predict_proba(X)).all()


@pytest.mark.parametrize(("run", "trust"), [("logistic", []), ("forest", [TREE])])
def test_onnx_parity_with_onnxruntime(
    trained: Trained, store: Store, tmp_path: Path, iris: tuple, run: str, trust: list[str]
) -> None:
    import onnxruntime

    X, _ = iris
    version = registry.register(store, trained.runs[run].id, f"iris-onnx-{run}")
    result = packaging.package(store, version.uri, "onnx", tmp_path, trust)
    assert result.path.suffix == ".onnx"
    assert result.details["max_abs_diff"] <= packaging.ONNX_TOLERANCE
    assert result.details["columns"] == list(X.columns)  # one float tensor, training order
    session = onnxruntime.InferenceSession(str(result.path), providers=["CPUExecutionProvider"])
    labels = session.run(None, {"input": X.to_numpy(np.float32)})[0]
    model = registry.load(store, version.uri, trust)
    assert (labels == model.predict(X.astype(np.float32).astype(np.float64))).mean() == 1.0
    # the logistic run logged no example: rows came from the training data's summary
    assert result.details["rows_checked"] == (3 if run == "logistic" else 5)


def test_a_failing_conversion_is_one_line_and_writes_nothing(
    trained: Trained, store: Store, tmp_path: Path
) -> None:
    version = registry.register(store, trained.runs["spreading"].id, "iris-noonnx", "spreading")
    with pytest.raises(ModelError, match=r"cannot convert .*LabelSpreading") as info:
        packaging.package(store, version.uri, "onnx", tmp_path / "out")
    assert "\n" not in str(info.value)
    assert not (tmp_path / "out").exists()


def test_mlflow_directory_loads_with_pyfunc_and_predicts_the_same(
    trained: Trained, store: Store, tmp_path: Path, iris: tuple
) -> None:
    import yaml

    with warnings.catch_warnings():  # mlflow warns about its own type hints on import
        warnings.simplefilter("ignore")
        import mlflow.pyfunc

    X, _ = iris
    version = registry.register(store, trained.runs["forest"].id, "iris-mlflow")
    result = packaging.package(store, version.uri, "mlflow", tmp_path, [TREE])
    folder = result.path
    mlmodel = yaml.safe_load((folder / "MLmodel").read_text())
    assert set(mlmodel["flavors"]) == {"python_function", "sklearn"}
    assert mlmodel["flavors"]["sklearn"]["serialization_format"] == "skops"
    inputs = [c["name"] for c in json.loads(mlmodel["signature"]["inputs"])]
    assert inputs == list(X.columns)
    assert mlmodel["metadata"]["nbtrail_uri"] == version.uri
    assert any(folder.glob("input_example.json"))
    env = store.get_environment(version.lineage["env_hash"])
    assert env is not None
    requirements = (folder / "requirements.txt").read_text().splitlines()
    assert f"scikit-learn=={env.packages['scikit-learn']}" in requirements
    assert f"python: {env.python}" in (folder / "python_env.yaml").read_text()
    assert not list(folder.rglob("*.pkl"))  # no pickle inside
    pyfunc = mlflow.pyfunc.load_model(str(folder))
    original = registry.load(store, version.uri, [TREE])
    assert (np.asarray(pyfunc.predict(X)) == original.predict(X)).all()


def test_pickle_only_when_asked(trained: Trained, store: Store, tmp_path: Path) -> None:
    version = registry.register(store, trained.runs["logistic"].id, "iris-pickle")
    with pytest.raises(SystemExit) as usage:  # no default format: pickle is never implied
        cli(trained, "models", "package", version.uri, "--out", str(tmp_path))
    assert usage.value.code == 2
    assert not list(tmp_path.iterdir())
    assert cli(trained, "models", "package", version.uri, "--format", "pickle", "--out",
               str(tmp_path)) == 0  # fmt: skip
    assert [p.name for p in tmp_path.iterdir()] == ["iris-pickle-v1.pkl"]
