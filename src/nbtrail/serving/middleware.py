"""The hooks into MLflow's scoring server: an ASGI middleware and a recording model.

MLflow's ``scoring_server.init(model)`` builds a FastAPI app with no hook for
request or response logging; FastAPI's supported extension point is a
middleware, and ``init`` takes any object with the ``PyFuncModel`` surface.
So the middleware gives each ``/invocations`` request an id (``X-Request-ID``,
the client's own when it sends a sane one), times it and hands an
:class:`Entry` to the logger; :class:`RecordingModel` puts the frame MLflow
parsed and the predictions on that entry, so nothing is parsed twice.
Requests MLflow refuses (HTTP 4xx: a missing column, a wrong type) reach the
log as errors without inputs, never as predictions.
"""

from __future__ import annotations

import contextvars
import json
import re
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from nbtrail.serving.entries import Entry
from nbtrail.serving.logger import InferenceLogger

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CURRENT: contextvars.ContextVar[Entry | None] = contextvars.ContextVar(
    "nbtrail_request", default=None
)
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


class RecordingModel:
    """The loaded pyfunc model, noting each prediction's input and output on the request."""

    def __init__(self, model: Any) -> None:
        self._model = model
        self.metadata = model.metadata

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        result = self._model.predict(data, params=params)
        entry = CURRENT.get()
        if entry is not None:
            entry.data, entry.predictions = data, result
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)


class LoggingMiddleware:
    """Pure ASGI (no per-request task as in ``BaseHTTPMiddleware``): cheap on the hot path."""

    def __init__(self, app: ASGIApp, logger: InferenceLogger) -> None:
        self.app = app
        self.logger = logger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, self._on_shutdown(receive), send)
        elif scope["type"] != "http" or scope["path"] != "/invocations":
            if scope["type"] == "http" and scope["path"] == "/health":
                await self._health(send)
            else:
                await self.app(scope, receive, send)
        else:
            await self._invocation(scope, receive, send)

    async def _invocation(self, scope: Scope, receive: Receive, send: Send) -> None:
        entry = Entry(request_id=_request_id(scope), time=time.time())
        started = time.perf_counter()
        header = (b"x-request-id", entry.request_id.encode())

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry.status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        token = CURRENT.set(entry)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            CURRENT.reset(token)
            entry.latency_ms = (time.perf_counter() - started) * 1000.0
            if entry.status != 200:
                entry.data = entry.predictions = None
            self.logger.submit(entry)

    async def _health(self, send: Send) -> None:
        body = json.dumps(self.logger.health()).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})  # fmt: skip
        await send({"type": "http.response.body", "body": body})

    def _on_shutdown(self, receive: Receive) -> Receive:
        """Flush the log when the server stops (Ctrl-C, SIGTERM) and say what it lost."""

        async def wrapped() -> Message:
            message = await receive()
            if message["type"] == "lifespan.shutdown":
                self.logger.close()
                print(self.logger.summary(), file=sys.stderr, flush=True)
            return message

        return wrapped


def _request_id(scope: Scope) -> str:
    for key, value in scope.get("headers", ()):
        if key == b"x-request-id":
            text = value.decode("latin-1")
            if _CLIENT_ID.match(text):
                return text
    return uuid.uuid4().hex
