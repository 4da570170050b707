"""``GET /nbtrail/api/batches/{id}``: a sweep, a re-run or a set of re-runs.

A set of re-runs (``nbtrail rerun --all`` and friends) comes with each
notebook's verdict, first divergent cell and cause, which is what a
workspace view of a CI check shows. Kept in its own module so the batch
routes can grow (listing, starting a set) without crowding ``handlers.py``.
"""

from __future__ import annotations

from collections.abc import Callable

import tornado.web
from jupyter_server.utils import url_path_join

from nbtrail.reproduce.batch import batch_detail
from nbtrail.server.handlers import API_PREFIX, NbtrailHandler
from nbtrail.store import Store


class BatchHandler(NbtrailHandler):
    @tornado.web.authenticated
    async def get(self, batch_id: str) -> None:
        self.send(await self.call(_detail, self.access.store, batch_id))


def _detail(store: Callable[[], Store], batch_id: str) -> dict[str, object]:
    """Off the event loop: opening the store may touch the disk too."""
    return batch_detail(store(), batch_id)


HANDLERS: tuple[tuple[str, type[NbtrailHandler]], ...] = ((r"batches/([^/]+)", BatchHandler),)


def route_table(base_url: str) -> list[tuple[str, type[NbtrailHandler]]]:
    return [(url_path_join(base_url, API_PREFIX, pattern), cls) for pattern, cls in HANDLERS]
