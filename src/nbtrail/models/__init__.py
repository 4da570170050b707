"""The model registry: versions of a run's models, gated aliases with history, packaging.

Talks to the store only through :class:`nbtrail.store.Store`; skops, skl2onnx,
onnxruntime and mlflow (the ``models`` extra) are imported when used.
"""

from nbtrail.models.api import (
    get_model_version,
    load_model,
    log_model,
    model_history,
    register_model,
    set_model_alias,
)

__all__ = [
    "get_model_version",
    "load_model",
    "log_model",
    "model_history",
    "register_model",
    "set_model_alias",
]
