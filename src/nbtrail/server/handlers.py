"""Thin tornado handlers: read the request, call StoreAccess, write JSON.

Store calls are blocking (SQLite); they run in the default executor so a slow
disk never stalls the server's event loop. Errors go through
:func:`nbtrail.server.errors.api_error`, the one place that picks a status.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

from nbtrail.server.access import StoreAccess, jsonable
from nbtrail.server.errors import ApiError, BadRequest, api_error

T = TypeVar("T")

API_PREFIX = "nbtrail/api"
CHUNK = 64 * 1024


class NbtrailHandler(APIHandler):
    """Common plumbing: the store access, executor calls, JSON errors."""

    @property
    def access(self) -> StoreAccess:
        access: StoreAccess = self.settings["nbtrail_access"]
        return access

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a blocking store call off the event loop, mapping typed errors."""
        with mapped_errors():
            return await asyncio.get_running_loop().run_in_executor(None, fn, *args)

    def query_args(self) -> dict[str, str]:
        return {key: self.get_query_argument(key) for key in self.request.query_arguments}

    def json_body(self) -> dict[str, Any]:
        """The request body as a JSON object, else BadRequest."""
        with mapped_errors():
            try:
                data = json.loads(self.request.body or b"{}")
            except ValueError:
                raise BadRequest("the body must be JSON") from None
            if not isinstance(data, dict):
                raise BadRequest("the body must be a JSON object")
            return data

    def send(self, payload: Any) -> None:
        self.finish(json.dumps(jsonable(payload), default=str))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """``{"message": ...}`` with our own message verbatim; the rest as APIHandler does."""
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(exc, ApiError):
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps({"message": exc.message}))
            return
        super().write_error(status_code, **kwargs)


class RunsHandler(NbtrailHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        self.send(await self.call(self.access.list_runs, self.query_args()))


class RunHandler(NbtrailHandler):
    @tornado.web.authenticated
    async def get(self, run_id: str) -> None:
        self.send(await self.call(self.access.run_detail, run_id))

    @tornado.web.authenticated
    async def patch(self, run_id: str) -> None:
        """Rename, annotate, archive, delete or restore: ``{"name"?, "note"?, "lifecycle"?}``."""
        self.send(await self.call(self.access.update_run, run_id, self.json_body()))


class RunTagHandler(NbtrailHandler):
    @tornado.web.authenticated
    async def put(self, run_id: str, key: str) -> None:
        self.send(await self.call(self.access.set_tag, run_id, key, self.json_body()))

    @tornado.web.authenticated
    async def delete(self, run_id: str, key: str) -> None:
        self.send(await self.call(self.access.remove_tag, run_id, key))


class RunColumnsHandler(NbtrailHandler):
    """The param, metric and tag keys of the runs a filter matches: the column chooser."""

    @tornado.web.authenticated
    async def get(self) -> None:
        self.send(await self.call(self.access.run_columns, self.query_args()))


class RunGroupsHandler(NbtrailHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        self.send(await self.call(self.access.run_groups, self.query_args()))


class RunningHandler(NbtrailHandler):
    """Cells executing now: their runs are not saved until they end."""

    @tornado.web.authenticated
    async def get(self) -> None:
        self.send(await self.call(self.access.running_runs))


class DiffHandler(NbtrailHandler):
    @tornado.web.authenticated
    async def get(self, a: str, b: str) -> None:
        self.send(await self.call(self.access.diff, a, b))


class RevisionHandler(NbtrailHandler):
    """The cheap change check the sidebar polls."""

    @tornado.web.authenticated
    async def get(self) -> None:
        self.send({"revision": await self.call(self.access.revision)})


class ObjectHandler(NbtrailHandler):
    """Streams a stored object; ``?run=<id>`` gives it the media type it was recorded with."""

    @tornado.web.authenticated
    async def get(self, digest: str) -> None:
        run_id = self.get_query_argument("run", None)
        path, media_type, name = await self.call(self.access.object_file, digest, run_id)
        self.set_header("Content-Type", media_type)  # before the first flush sends headers
        # Content-addressed: the bytes under a hash never change.
        self.set_header("Cache-Control", "private, max-age=31536000, immutable")
        self.set_header("X-Content-Type-Options", "nosniff")
        # A recorded SVG or HTML opened directly must not run script on our origin.
        self.set_header(
            "Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'"
        )
        if name and not media_type.startswith("image/"):
            self.set_header("Content-Disposition", _attachment(name))
        with open(path, "rb") as handle:  # a local file, read 64 KiB at a time
            while chunk := handle.read(CHUNK):
                self.write(chunk)
                await self.flush()
        self.finish(set_content_type=media_type)


class RerunsHandler(NbtrailHandler):
    """Starts a papermill re-run of a run's notebook; answers 202 with the job to poll."""

    @tornado.web.authenticated
    async def post(self) -> None:
        with mapped_errors():
            run_id, params = rerun_request(self.request.body)
        job = await self.call(self.access.start_rerun, run_id, params)
        self.set_status(202)
        self.set_header("Location", url_path_join(self.base_url, API_PREFIX, "jobs", job["id"]))
        self.send(job)


class JobHandler(NbtrailHandler):
    @tornado.web.authenticated
    async def get(self, job_id: str) -> None:
        self.send(await self.call(self.access.job, job_id))


@contextmanager
def mapped_errors() -> Iterator[None]:
    """Turn nbtrail's typed errors into JSON HTTP errors; anything else stays a 500."""
    try:
        yield
    except Exception as exc:
        error = api_error(exc)
        if error is None:
            raise
        raise error from exc


def rerun_request(body: bytes) -> tuple[str, dict[str, Any]]:
    """``{"run": "<id>", "params": {...}}`` (params optional: overrides) -> (id, params)."""
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        raise BadRequest("the body must be JSON") from None
    run_id = data.get("run") if isinstance(data, dict) else None
    if not isinstance(run_id, str) or not run_id:
        raise BadRequest('the body must be {"run": "<run id>", "params": {...}}')
    params = data.get("params") or {}
    if not isinstance(params, dict):
        raise BadRequest("params must be an object of parameter overrides")
    return run_id, params


def _attachment(name: str) -> str:
    safe = "".join(c if c.isalnum() or c in "._- " else "_" for c in name)[:100]
    return f'attachment; filename="{safe or "artifact"}"'


HANDLERS: tuple[tuple[str, type[NbtrailHandler]], ...] = (
    (r"runs", RunsHandler),
    (r"runs/columns", RunColumnsHandler),
    (r"runs/groups", RunGroupsHandler),
    (r"runs/running", RunningHandler),
    (r"runs/([^/]+)", RunHandler),
    (r"runs/([^/]+)/tags/([^/]+)", RunTagHandler),
    (r"runs/([^/]+)/diff/([^/]+)", DiffHandler),
    (r"revision", RevisionHandler),
    (r"objects/([^/]+)", ObjectHandler),
    (r"reruns", RerunsHandler),
    (r"jobs/([^/]+)", JobHandler),
)


def route_table(base_url: str) -> list[tuple[str, type[NbtrailHandler]]]:
    return [(url_path_join(base_url, API_PREFIX, pattern), cls) for pattern, cls in HANDLERS]
