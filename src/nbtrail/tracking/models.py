"""Keep the fitted models a tracked cell writes, so a run's models can be registered.

A model binding only records a value hash; registering it later needs the
model itself. When the ``models`` extra (skops) is installed, each model the
cell wrote is saved with skops (secure persistence: never a pickle) into the
object folder, and ``run.extra["models"][NAME]`` says where. A model that
skops cannot save is noted with the reason; it never fails the run.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from typing import Any

from nbtrail.capture.hashing import hash_bytes
from nbtrail.records import Artifact, Binding
from nbtrail.store import Store

SKOPS_MEDIA_TYPE = "application/x-skops"


def skops_available() -> bool:
    return importlib.util.find_spec("skops") is not None


def keep_model(store: Store, value: Any) -> tuple[str, int]:
    """Save one model with skops into the object folder: (digest, size)."""
    import skops.io

    data = skops.io.dumps(value)
    digest = hash_bytes(data)
    store.put_object(data, digest)
    return digest, len(data)


def model_record(value: Any, digest: str, value_hash: str | None) -> dict[str, Any]:
    """What ``run.extra["models"][NAME]`` holds for one kept model."""
    cls = type(value)
    columns = getattr(value, "feature_names_in_", None)
    return {
        "object": digest,
        "hash": value_hash,
        "class": f"{cls.__module__}.{cls.__qualname__}",
        "columns": [str(c) for c in columns] if columns is not None else None,
        "n_features": getattr(value, "n_features_in_", None),
    }


def keep_written_models(
    store: Store,
    bindings: list[Binding],
    namespace: Mapping[str, Any],
    models: dict[str, Any],
    artifacts: list[Artifact],
) -> None:
    """Save each output model not already logged; adds to ``models`` and ``artifacts``."""
    if not skops_available():
        return
    for b in bindings:
        if b.direction != "out" or b.kind != "model" or b.name in models:
            continue
        value = namespace.get(b.name)
        if value is None:
            continue
        try:
            digest, size = keep_model(store, value)
        except Exception as exc:  # skops refuses some objects: say so, keep the run
            models[b.name] = {"error": f"{type(exc).__name__}: {exc}"[:300], "hash": b.hash}
            continue
        models[b.name] = model_record(value, digest, b.hash)
        artifacts.append(Artifact(f"{b.name}.skops", digest, SKOPS_MEDIA_TYPE, size))
