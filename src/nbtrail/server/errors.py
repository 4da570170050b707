"""The one place where nbtrail's typed errors become HTTP status codes.

Handlers raise (or let through) the store's typed errors; :func:`http_error`
maps them, so no HTTP concept leaks into the service layer and no status code
is decided anywhere else.
"""

from __future__ import annotations

import re

from tornado.web import HTTPError

from nbtrail.errors import (
    AmbiguousRunId,
    BatchNotFound,
    MissingExtra,
    ModelNotFound,
    NbtrailError,
    NoActiveRun,
    ObjectNotFound,
    PromotionRefused,
    RunInUse,
    RunNotFound,
    StoreError,
    StoreNotFound,
)
from nbtrail.reproduce.errors import ReproduceUsageError
from nbtrail.reproduce.jobs import JobNotFound


class BadRequest(ValueError):
    """A request parameter or body that cannot be understood."""


# Most specific first: the first matching class decides the status.
_STATUS: tuple[tuple[type[BaseException], int], ...] = (
    (BadRequest, 400),
    (AmbiguousRunId, 400),
    (RunNotFound, 404),
    (BatchNotFound, 404),
    (ObjectNotFound, 404),
    (StoreNotFound, 404),
    (JobNotFound, 404),
    (ModelNotFound, 404),
    (PromotionRefused, 409),  # a gate said no; nothing recorded
    (RunInUse, 409),  # a registered model version needs the run
    (MissingExtra, 501),
    (ReproduceUsageError, 409),  # e.g. the run's notebook is gone
    (NoActiveRun, 409),
    (StoreError, 503),
    (NbtrailError, 400),
)


class ApiError(HTTPError):
    """An HTTP error whose ``message`` goes to the client verbatim as JSON."""

    def __init__(self, status: int, message: str) -> None:
        # tornado %-formats log_message when logging: keep a literal copy apart.
        super().__init__(status, message.replace("%", "%%"))
        self.message = message


def status_for(exc: BaseException) -> int | None:
    """The HTTP status of a known exception, or ``None`` (then it is a 500)."""
    for cls, status in _STATUS:
        if isinstance(exc, cls):
            return status
    return None


def api_error(exc: BaseException) -> ApiError | None:
    """The client-facing error for a known exception, or ``None``."""
    status = status_for(exc)
    if status is None:
        return None
    return ApiError(status, without_paths(str(exc) or type(exc).__name__))


# An absolute POSIX path (or file:// URL): starts after a space, quote, bracket or "=".
_ABSOLUTE = re.compile(r"""(?<![\w.~])(?:file://)?/(?:[^\s'"()<>,;:/]+/)*([^\s'"()<>,;:/]*)""")
_WINDOWS = re.compile(r"""\b[A-Za-z]:\\(?:[^\s'"()<>,;:\\]+\\)*([^\s'"()<>,;:\\]*)""")


def without_paths(message: str) -> str:
    """``message`` with absolute paths cut to their last part: a client learns no layout.

    ``no nbtrail store at /home/ann/proj/.nbtrail`` -> ``... at .nbtrail``. Relative
    paths (what clients send: notebook paths, ids) are left as they are.
    """
    message = _ABSOLUTE.sub(lambda m: m.group(1) or "/", message)
    return _WINDOWS.sub(lambda m: m.group(1), message)
