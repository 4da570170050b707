"""The MLflow-format package a served version runs from, built once into the store.

A version never changes, so its package is built by the registry's own
packaging code into ``serving/NAME-vN/`` beside the store (a temporary folder
for stores without a local folder) and reused by every later ``serve``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from nbtrail.errors import ModelError
from nbtrail.models import packaging
from nbtrail.records import ModelVersion
from nbtrail.store import Store


def cache_folder(store: Store) -> Path:
    folder = getattr(store, "folder", None)
    if folder is None:
        return Path(tempfile.mkdtemp(prefix="nbtrail-serving-"))
    return Path(folder) / "serving"


def mlflow_package(store: Store, version: ModelVersion, trusted: Sequence[str] = ()) -> Path:
    """The package folder of ``version`` (an ``MLmodel`` inside), built when missing."""
    folder = cache_folder(store)
    target = folder / f"{version.name}-v{version.version}"
    if (target / "MLmodel").is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)  # ours: a failed build never removes it
    try:
        return packaging.package(store, version.uri, "mlflow", folder, trusted).path
    except (ModelError, OSError):
        if (target / "MLmodel").is_file():  # another `nbtrail serve` built it meanwhile
            return target
        raise
