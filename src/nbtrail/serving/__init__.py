"""Serving a registered version and logging what it sees.

``nbtrail serve`` runs MLflow's own scoring server (FastAPI + uvicorn) over the
version's MLflow-format package; nbtrail adds only the inference log, through
an ASGI middleware and a recording wrapper around the loaded model, never an
HTTP server of its own. MLflow and uvicorn (the ``serve`` extra) are imported
when used, so ``import nbtrail`` stays cheap.
"""

from nbtrail.serving.api import inference_log, log_labels

__all__ = ["inference_log", "log_labels"]
