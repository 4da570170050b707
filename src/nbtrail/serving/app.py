"""The ASGI app uvicorn runs in each worker: MLflow's scoring app plus the log hooks."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from nbtrail.serving.config import ServeConfig
from nbtrail.serving.logger import InferenceLogger, LogSettings
from nbtrail.serving.middleware import LoggingMiddleware, RecordingModel


def create_app() -> Any:
    """uvicorn's factory (``nbtrail.serving.app:create_app``): config from the environment."""
    return build_app(ServeConfig.from_env())


def build_app(config: ServeConfig) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import mlflow.pyfunc
        from mlflow.pyfunc import scoring_server

        model = mlflow.pyfunc.load_model(config.model_dir)
    if config.log_dir is None:
        return scoring_server.init(model)
    app = scoring_server.init(RecordingModel(model))  # type: ignore[arg-type]  # duck-typed
    logger = InferenceLogger(
        LogSettings(
            root=Path(config.log_dir),
            name=config.name,
            version=config.version,
            queue_size=config.queue_size,
            batch_requests=config.batch_requests,
            flush_seconds=config.flush_seconds,
        )
    )
    app.add_middleware(LoggingMiddleware, logger=logger)
    app.state.nbtrail_logger = logger
    return app
