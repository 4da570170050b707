"""Package a version for use outside nbtrail: skops, ONNX, an MLflow model directory.

Every format is built in a temporary folder inside ``out`` and moved into
place only when complete (and, for ONNX, only when onnxruntime's predictions
match the original's), so a failing conversion writes nothing. Pickle is
never a default: only ``fmt="pickle"`` writes one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nbtrail.errors import ModelError
from nbtrail.models import registry, serialize
from nbtrail.models.extra import require
from nbtrail.records import ModelVersion
from nbtrail.store import Store

FORMATS = ("skops", "onnx", "mlflow", "pickle")
ONNX_TOLERANCE = 1e-4
#: Packages of a run's environment an MLflow sklearn model needs at serving time.
SERVING_PACKAGES = ("scikit-learn", "numpy", "scipy", "pandas", "skops")


@dataclass(frozen=True)
class Package:
    path: Path
    format: str
    details: dict[str, Any] = field(default_factory=dict)


def package(
    store: Store,
    reference: str,
    fmt: str,
    out: str | Path,
    trusted: Sequence[str] = (),
) -> Package:
    if fmt not in FORMATS:
        raise ModelError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    version = registry.resolve(store, reference)
    stem = f"{version.name}-v{version.version}"
    data = serialize.object_bytes(store, version.object)
    out = Path(out)
    if fmt == "skops":
        with _staged(out, f"{stem}.skops") as (staging, final):
            (staging / final.name).write_bytes(data)
        return Package(final, fmt)
    model = serialize.loads_model(data, trusted)
    if fmt == "pickle":
        import pickle

        with _staged(out, f"{stem}.pkl") as (staging, final):
            (staging / final.name).write_bytes(pickle.dumps(model))
        return Package(final, fmt)
    example = registry.input_example(store, version)
    if fmt == "onnx":
        return _onnx(model, version, example, out, stem)
    return _mlflow(store, model, version, example, out, stem, trusted)


@contextlib.contextmanager
def _staged(out: Path, name: str) -> Iterator[tuple[Path, Path]]:
    """A temporary folder beside the target; its ``name`` entry is moved there on success."""
    final = out / name
    if final.exists():
        raise ModelError(f"{final} exists already: choose another --out or remove it")
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".nbtrail-package-", dir=out))
    try:
        yield staging, final
        os.replace(staging / name, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created:
            shutil.rmtree(out, ignore_errors=True)  # a folder we made for nothing
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _onnx(model: Any, version: ModelVersion, example: Any, out: Path, stem: str) -> Package:
    import numpy as np

    if example is None:
        raise ModelError(_NO_EXAMPLE)
    convert = require("skl2onnx", "ONNX packaging")
    types = require("skl2onnx.common.data_types", "ONNX packaging")
    ort = require("onnxruntime", "the ONNX parity check")
    columns = version.lineage.get("columns")
    frame = example[columns] if columns and hasattr(example, "columns") else example
    matrix = np.asarray(frame, dtype=np.float32)
    n_features = matrix.shape[1]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            onnx_model = convert.convert_sklearn(
                model,
                initial_types=[("input", types.FloatTensorType([None, n_features]))],
                options={id(model): {"zipmap": False}} if hasattr(model, "predict_proba") else None,
                target_opset=None,
            )
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(f"skl2onnx cannot convert {version.class_name or type(model).__name__}: "
                         f"{first}") from exc  # fmt: skip
    session = ort.InferenceSession(
        onnx_model.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    outputs = session.run(None, {"input": matrix})
    original = _as_original_input(frame, matrix)
    diff = _parity(model, original, outputs)
    if diff > ONNX_TOLERANCE:
        raise ModelError(
            f"the ONNX model's predictions differ from the original's by {diff:.3g} "
            f"(more than {ONNX_TOLERANCE}): not written"
        )
    with _staged(out, f"{stem}.onnx") as (staging, final):
        (staging / final.name).write_bytes(onnx_model.SerializeToString())
    return Package(final, "onnx", {"max_abs_diff": diff, "rows_checked": int(matrix.shape[0]),
                                   "columns": columns, "input": "input"})  # fmt: skip


def _as_original_input(frame: Any, matrix: Any) -> Any:
    """The example as the ONNX model sees it (float32), in the original's input form."""
    if hasattr(frame, "columns"):
        import pandas as pd

        return pd.DataFrame(matrix.astype("float64"), columns=frame.columns, index=frame.index)
    return matrix.astype("float64")


def _parity(model: Any, original: Any, outputs: list[Any]) -> float:
    """The largest difference between the original's and ONNX's predictions.

    Labels must be equal (a mismatch counts as infinite); probabilities and
    regression outputs are compared numerically.
    """
    import numpy as np

    predicted = np.asarray(model.predict(original))
    labels = np.asarray(outputs[0]).reshape(predicted.shape)
    if predicted.dtype.kind in "fc":
        return float(np.max(np.abs(labels.astype(float) - predicted.astype(float)), initial=0.0))
    if not np.array_equal(labels.astype(str), predicted.astype(str)):
        return float("inf")
    if hasattr(model, "predict_proba") and len(outputs) > 1:
        proba = np.asarray(model.predict_proba(original), dtype=float)
        onnx_proba = np.asarray(outputs[1], dtype=float).reshape(proba.shape)
        return float(np.max(np.abs(proba - onnx_proba), initial=0.0))
    return 0.0


def _mlflow(
    store: Store,
    model: Any,
    version: ModelVersion,
    example: Any,
    out: Path,
    stem: str,
    trusted: Sequence[str],
) -> Package:
    require("mlflow", "MLflow packaging")
    if example is None:
        raise ModelError(_NO_EXAMPLE)
    with warnings.catch_warnings():  # mlflow warns about its own type hints on import
        warnings.simplefilter("ignore")
        import mlflow.models
        import mlflow.sklearn

    env = store.get_environment(version.lineage.get("env_hash") or "") if version.lineage else None
    packages = env.packages if env else {}
    requirements = [f"{name}=={packages[name]}" for name in SERVING_PACKAGES if name in packages]
    requirements.insert(0, f"mlflow=={_version('mlflow')}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        signature = mlflow.models.infer_signature(example, model.predict(example))
        with _staged(out, stem) as (staging, final):
            mlflow.sklearn.save_model(
                model,
                str(staging / stem),
                serialization_format="skops",
                skops_trusted_types=list(trusted) or None,
                signature=signature,
                input_example=example,
                pip_requirements=requirements,
                metadata={"nbtrail_uri": version.uri, "nbtrail_run": version.run},
            )
            if env is not None:
                _pin_python(staging / stem / "python_env.yaml", env.python)
    return Package(final, "mlflow", {"requirements": requirements})


def _pin_python(path: Path, python: str) -> None:
    """``python_env.yaml`` names the run's Python, not the packaging process's."""
    if not path.exists() or not python:
        return
    lines = path.read_text().splitlines()
    number = python.split()[0]
    path.write_text(
        "\n".join(f"python: {number}" if line.startswith("python:") else line for line in lines)
        + "\n"
    )


def _version(dist: str) -> str:
    import importlib.metadata

    return importlib.metadata.version(dist)


_NO_EXAMPLE = (
    "no input example for this version: log the model with "
    "nbtrail.log_model(model, input_example=X.head()) in the training cell"
)
