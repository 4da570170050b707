"""nbtrail: notebook-native experiment tracking.

``%load_ext nbtrail`` then ``%%track`` on a cell; query with ``nbtrail.runs()``.

The public names are imported on first use (PEP 562 ``__getattr__``): the
``nbtrail`` command imports this package too, and ``nbtrail runs`` must not
pay for pandas, numpy, papermill and IPython that only the API and the
extension need.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nbtrail.api import (
        diff,
        get_run,
        log_artifact,
        log_metric,
        log_metrics,
        log_param,
        log_params,
        runs,
    )
    from nbtrail.config import configure
    from nbtrail.errors import NbtrailError, NoActiveRun
    from nbtrail.export import export_to_mlflow
    from nbtrail.extension import load_ipython_extension, unload_ipython_extension
    from nbtrail.manage_api import (
        archive_run,
        delete_run,
        delete_tag,
        gc,
        rename_run,
        restore_run,
        set_note,
        set_tag,
        set_tags,
    )
    from nbtrail.models import (
        get_model_version,
        load_model,
        log_model,
        model_history,
        register_model,
        set_model_alias,
    )
    from nbtrail.monitoring.api import drift, profile
    from nbtrail.reproduce.rerun import reproduce
    from nbtrail.reproduce.sweep import sweep
    from nbtrail.serving import inference_log, log_labels
    from nbtrail.widgets import plot, show

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_PUBLIC = {
    **dict.fromkeys(
        ("diff", "get_run", "log_artifact", "log_metric", "log_metrics", "log_param",
         "log_params", "runs"),
        "nbtrail.api",
    ),
    "configure": "nbtrail.config",
    **dict.fromkeys(
        ("archive_run", "delete_run", "delete_tag", "gc", "rename_run", "restore_run",
         "set_note", "set_tag", "set_tags"),
        "nbtrail.manage_api",
    ),
    "NbtrailError": "nbtrail.errors",
    "NoActiveRun": "nbtrail.errors",
    "export_to_mlflow": "nbtrail.export",
    "load_ipython_extension": "nbtrail.extension",
    "unload_ipython_extension": "nbtrail.extension",
    **dict.fromkeys(
        ("get_model_version", "load_model", "log_model", "model_history", "register_model",
         "set_model_alias"),
        "nbtrail.models",
    ),
    "drift": "nbtrail.monitoring",
    "profile": "nbtrail.monitoring",
    "inference_log": "nbtrail.serving",
    "log_labels": "nbtrail.serving",
    "reproduce": "nbtrail.reproduce",
    "sweep": "nbtrail.reproduce",
    "plot": "nbtrail.widgets",
    "show": "nbtrail.widgets",
}  # fmt: skip

__all__ = [
    "NbtrailError",
    "NoActiveRun",
    "__version__",
    "archive_run",
    "configure",
    "delete_run",
    "delete_tag",
    "diff",
    "drift",
    "export_to_mlflow",
    "gc",
    "get_model_version",
    "get_run",
    "inference_log",
    "load_ipython_extension",
    "load_model",
    "log_artifact",
    "log_labels",
    "log_metric",
    "log_metrics",
    "log_model",
    "log_param",
    "log_params",
    "model_history",
    "plot",
    "profile",
    "register_model",
    "rename_run",
    "reproduce",
    "restore_run",
    "runs",
    "set_model_alias",
    "set_note",
    "set_tag",
    "set_tags",
    "show",
    "sweep",
    "unload_ipython_extension",
]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'nbtrail' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})


class _Package(types.ModuleType):
    """Keeps ``nbtrail.diff`` and ``nbtrail.reproduce`` the API functions.

    Importing a submodule binds it on its package; ``nbtrail.diff`` (the module)
    and ``nbtrail.reproduce`` (the package) share their names with public
    functions, which must win as they did when this file imported them eagerly.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _PUBLIC and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
