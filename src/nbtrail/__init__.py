"""nbtrail: notebook-native experiment tracking.

``%load_ext nbtrail`` then ``%%track`` on a cell; query with ``nbtrail.runs()``.
"""

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
from nbtrail.extension import load_ipython_extension, unload_ipython_extension
from nbtrail.models import (
    get_model_version,
    load_model,
    log_model,
    model_history,
    register_model,
    set_model_alias,
)
from nbtrail.reproduce import reproduce, sweep
from nbtrail.widgets import plot, show

__version__ = "0.1.0"

__all__ = [
    "NbtrailError",
    "NoActiveRun",
    "__version__",
    "configure",
    "diff",
    "get_model_version",
    "get_run",
    "load_ipython_extension",
    "load_model",
    "log_artifact",
    "log_metric",
    "log_metrics",
    "log_model",
    "log_param",
    "log_params",
    "model_history",
    "plot",
    "register_model",
    "reproduce",
    "runs",
    "set_model_alias",
    "show",
    "sweep",
    "unload_ipython_extension",
]
