"""Monitoring over REST for the JupyterLab Models view.

``GET monitoring/{name}/{version}?since=1d``: the served version's traffic
per day (``day``, ``requests``, ``errors``, ``p50_ms``, and that day's
``drifted`` / ``drifted_columns``), the window's drift report (the same dict
as ``nbtrail monitor --json``, or ``null`` with ``drift_error`` saying why)
and its label metric per day (``day``, ``metric``, ``value``, ``rows``,
``training``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tornado.web
from jupyter_server.utils import url_path_join

from nbtrail.errors import NbtrailError
from nbtrail.server.errors import BadRequest
from nbtrail.server.handlers import API_PREFIX, NbtrailHandler
from nbtrail.store import Store

Opener = Callable[[], Store]


class MonitoringHandler(NbtrailHandler):
    @tornado.web.authenticated
    async def get(self, name: str, version: str) -> None:
        since = self.get_query_argument("since", None)
        self.send(await self.call(_overview, self.access.store, name, int(version), since))


def _overview(store: Opener, name: str, version: int, since: str | None) -> dict[str, Any]:
    from nbtrail.monitoring.overview import version_overview
    from nbtrail.serving.since import parse_since

    try:
        when = parse_since(since)
    except NbtrailError as exc:
        raise BadRequest(str(exc)) from None
    return version_overview(store(), name, version, when)


HANDLERS: tuple[tuple[str, type[NbtrailHandler]], ...] = (
    (r"monitoring/([^/]+)/(\d+)", MonitoringHandler),
)


def route_table(base_url: str) -> list[tuple[str, type[NbtrailHandler]]]:
    return [(url_path_join(base_url, API_PREFIX, pattern), cls) for pattern, cls in HANDLERS]
