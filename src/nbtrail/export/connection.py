"""Reaching an MLflow tracking server or store: one line when it cannot be reached.

MLflow retries an unreachable HTTP server for minutes and logs database
set-up at INFO; an export should say in seconds that the server is not
there, and print nothing of MLflow's own. Messages never show a password
of the tracking URI.
"""

from __future__ import annotations

import contextlib
import logging
import os
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from nbtrail.capture.secrets import redact_text
from nbtrail.errors import NbtrailError
from nbtrail.models.extra import require

#: Seconds to wait for an HTTP tracking server's health check.
PROBE_TIMEOUT = 5.0
DEFAULT_EXPERIMENT = "nbtrail"


class ExportError(NbtrailError):
    """An export cannot start or cannot go on: unreachable tracking URI, bad selection."""


@dataclass
class Target:
    """An MLflow client bound to one experiment."""

    client: Any  # mlflow.MlflowClient
    tracking_uri: str
    experiment_id: str
    experiment_name: str


#: Set while exporting: MLflow prints two "View run" lines per finished run to
#: stdout (and reads the run back to do it) when the tracking URI is a server.
SUPPRESS_URLS = "MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT"


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """MLflow's warnings, INFO lines and run links silenced (not the user's to act on)."""
    logger = logging.getLogger("mlflow")
    level, suppress = logger.level, os.environ.get(SUPPRESS_URLS)
    logger.setLevel(logging.WARNING)
    os.environ[SUPPRESS_URLS] = "true"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)
        if suppress is None:
            os.environ.pop(SUPPRESS_URLS, None)
        else:
            os.environ[SUPPRESS_URLS] = suppress


def connect(tracking_uri: str | None, experiment: str | None) -> Target:
    """A client for ``tracking_uri`` (MLflow's default when None) and the experiment,
    created when missing."""
    require("mlflow", "exporting to MLflow")
    with quiet():
        import mlflow
        from mlflow import MlflowClient

        uri = tracking_uri or mlflow.get_tracking_uri()
        _probe(uri)
        name = experiment or DEFAULT_EXPERIMENT
        try:
            client = MlflowClient(tracking_uri=uri, registry_uri=uri)
            found = client.get_experiment_by_name(name)
            if found is not None and found.lifecycle_stage == "deleted":
                raise ExportError(f"the MLflow experiment {name!r} is deleted: restore it first")
            experiment_id = found.experiment_id if found else client.create_experiment(name)
        except NbtrailError:
            raise
        except Exception as exc:
            raise ExportError(f"cannot use the MLflow tracking URI {shown(uri)}: "
                              f"{first_line(exc)}") from None  # fmt: skip
    return Target(client, uri, str(experiment_id), name)


def _probe(uri: str) -> None:
    """An HTTP server must answer ``/health`` within seconds (MLflow itself would retry)."""
    if not uri.startswith(("http://", "https://")):
        return
    try:
        with urllib.request.urlopen(uri.rstrip("/") + "/health", timeout=PROBE_TIMEOUT):
            return
    except urllib.error.HTTPError:
        return  # something answers: MLflow's own calls will say what is wrong
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ExportError(f"cannot reach the MLflow tracking server at {shown(uri)}: "
                          f"{reason}") from None  # fmt: skip


def shown(uri: str) -> str:
    """The URI as it may be printed: a password in it redacted."""
    return redact_text(uri)


def first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "message", None) or exc).strip()
    return redact_text(text.splitlines()[0] if text else type(exc).__name__)
