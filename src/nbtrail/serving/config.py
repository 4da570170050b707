"""What a serving process needs, passed to uvicorn's workers through one variable."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

CONFIG_ENV = "NBTRAIL_SERVE_CONFIG"


@dataclass(frozen=True)
class ServeConfig:
    model_dir: str  # the MLflow-format package
    name: str
    version: int
    log_dir: str | None  # None: no inference log (the benchmark's baseline)
    queue_size: int = 10_000
    batch_requests: int = 2_000
    flush_seconds: float = 1.0

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> ServeConfig:
        try:
            return cls(**json.loads(os.environ[CONFIG_ENV]))
        except KeyError:
            raise RuntimeError(
                f"{CONFIG_ENV} is not set: start the server with nbtrail serve"
            ) from None
