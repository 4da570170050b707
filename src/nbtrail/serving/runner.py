"""``nbtrail serve``: build (or reuse) the package and run MLflow's scoring app under uvicorn."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from nbtrail.models import registry
from nbtrail.serving.config import CONFIG_ENV, ServeConfig
from nbtrail.serving.extra import require
from nbtrail.serving.layout import log_root
from nbtrail.serving.package import mlflow_package
from nbtrail.store import Store


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 5000
    workers: int = 1
    log: bool = True
    log_dir: str | None = None
    trusted: Sequence[str] = ()
    flush_seconds: float = 1.0


def prepare(store: Store, uri: str, options: ServeOptions) -> ServeConfig:
    """Everything that can fail with a clear line, before a port is bound."""
    require("mlflow", "nbtrail serve")
    require("uvicorn", "nbtrail serve")
    version = registry.resolve(store, uri)
    folder = mlflow_package(store, version, options.trusted)
    log_dir = str(log_root(store, options.log_dir)) if options.log else None
    return ServeConfig(str(folder), version.name, version.version, log_dir,
                       flush_seconds=options.flush_seconds)  # fmt: skip


def serve(config: ServeConfig, options: ServeOptions) -> None:
    """Blocks until the server stops (Ctrl-C or SIGTERM); each worker flushes its log."""
    import uvicorn

    os.environ[CONFIG_ENV] = config.to_env()
    where = f"http://{options.host}:{options.port}"
    logged = f"; inference log in {config.log_dir}" if config.log_dir else "; no inference log"
    print(f"serving models:/{config.name}/{config.version} at {where}{logged}", flush=True)
    uvicorn.run(
        "nbtrail.serving.app:create_app",
        factory=True,
        host=options.host,
        port=options.port,
        workers=options.workers,
        log_level="warning",
        access_log=False,
    )
    sys.stdout.flush()
