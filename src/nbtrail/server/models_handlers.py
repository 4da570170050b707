"""The model registry over REST: models, versions, aliases and their history.

``GET models``, ``GET models/{name}`` (``?at=DATE``: the aliases then),
``GET models/{name}/versions/{n}``, ``GET models/{name}/history`` (``?alias=``,
``?at=``) and ``POST models/{name}/aliases`` (``{"alias", "version",
"require"?, "force"?}``: the same gates as ``nbtrail models promote``; 201 with
the event, 409 when a gate refuses). ``--verify`` re-runs a notebook, which
takes minutes: over REST, start a re-run (``POST reruns``) and promote after.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import tornado.web
from jupyter_server.utils import url_path_join

from nbtrail.models import aliases, payloads, registry
from nbtrail.models.uris import ModelRef
from nbtrail.server.errors import BadRequest
from nbtrail.server.handlers import API_PREFIX, NbtrailHandler, mapped_errors
from nbtrail.store import Store

Opener = Callable[[], Store]


class ModelsHandler(NbtrailHandler):
    @tornado.web.authenticated
    async def get(self) -> None:
        self.send(await self.call(_list, self.access.store))


class ModelHandler(NbtrailHandler):
    @tornado.web.authenticated
    async def get(self, name: str) -> None:
        at = self.get_query_argument("at", None)
        self.send(await self.call(_detail, self.access.store, name, at))


class VersionHandler(NbtrailHandler):
    @tornado.web.authenticated
    async def get(self, name: str, version: str) -> None:
        self.send(await self.call(_version, self.access.store, name, int(version)))


class HistoryHandler(NbtrailHandler):
    @tornado.web.authenticated
    async def get(self, name: str) -> None:
        alias = self.get_query_argument("alias", None)
        at = self.get_query_argument("at", None)
        self.send(await self.call(_history, self.access.store, name, alias, at))


class AliasesHandler(NbtrailHandler):
    @tornado.web.authenticated
    async def post(self, name: str) -> None:
        with mapped_errors():
            request = alias_request(self.request.body)
        event = await self.call(_promote, self.access.store, name, request)
        self.set_status(201)
        self.send(event)


def _list(store: Opener) -> list[dict[str, Any]]:
    return payloads.model_list(store())


def _detail(store: Opener, name: str, at: str | None) -> dict[str, Any]:
    return payloads.model_detail(store(), name, aliases.parse_when(at) if at else None)


def _version(store: Opener, name: str, version: int) -> dict[str, Any]:
    opened = store()
    return payloads.version_detail(opened, registry.resolve(opened, ModelRef(name, version)))


def _history(store: Opener, name: str, alias: str | None, at: str | None) -> list[dict[str, Any]]:
    when = aliases.parse_when(at) if at else None
    return [e.to_dict() for e in aliases.history(store(), name, alias, when)]


def _promote(store: Opener, name: str, request: dict[str, Any]) -> dict[str, Any]:
    event = aliases.promote(store(), name, request["alias"], request["version"],
                            require=request.get("require"), force=request["force"])  # fmt: skip
    return event.to_dict()


def alias_request(body: bytes) -> dict[str, Any]:
    """``{"alias": "production", "version": 2, "require": "...", "force": false}``."""
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        raise BadRequest("the body must be JSON") from None
    if not isinstance(data, dict):
        raise BadRequest('the body must be {"alias": "...", "version": N}')
    alias, version = data.get("alias"), data.get("version")
    if not isinstance(alias, str) or not isinstance(version, int) or isinstance(version, bool):
        raise BadRequest('the body must be {"alias": "...", "version": N}')
    if data.get("verify"):
        raise BadRequest("verify re-runs a notebook: POST reruns, then promote once it reproduced")
    require = data.get("require")
    if require is not None and not isinstance(require, str):
        raise BadRequest("require must be a text such as 'metrics.accuracy >= 0.95'")
    return {"alias": alias, "version": version, "require": require,
            "force": bool(data.get("force", False))}  # fmt: skip


HANDLERS: tuple[tuple[str, type[NbtrailHandler]], ...] = (
    (r"models", ModelsHandler),
    (r"models/([^/]+)", ModelHandler),
    (r"models/([^/]+)/versions/(\d+)", VersionHandler),
    (r"models/([^/]+)/history", HistoryHandler),
    (r"models/([^/]+)/aliases", AliasesHandler),
)


def route_table(base_url: str) -> list[tuple[str, type[NbtrailHandler]]]:
    return [(url_path_join(base_url, API_PREFIX, pattern), cls) for pattern, cls in HANDLERS]
