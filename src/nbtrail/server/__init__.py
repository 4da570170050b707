"""The jupyter_server extension: an authenticated REST API over the run store.

Enabled by ``jupyter-config/.../nbtrail.json`` which the wheel installs, so
``pip install nbtrail`` is all a user does. The module is named in that file
(``nbtrail.server``) rather than the package root so importing ``nbtrail`` in a
kernel never pulls in tornado or jupyter_server.
"""

from __future__ import annotations

from typing import Any

from nbtrail.server import batch_handlers, models_handlers, monitoring_handlers
from nbtrail.server.access import StoreAccess
from nbtrail.server.handlers import route_table

__all__ = ["_jupyter_server_extension_points", "_load_jupyter_server_extension"]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "nbtrail.server"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Register the handlers; the store opens lazily on the first request."""
    web_app = serverapp.web_app
    access = StoreAccess(root_dir=serverapp.root_dir)
    web_app.settings["nbtrail_access"] = access
    web_app.add_handlers(".*$", route_table(web_app.settings["base_url"]))
    web_app.add_handlers(".*$", batch_handlers.route_table(web_app.settings["base_url"]))
    web_app.add_handlers(".*$", models_handlers.route_table(web_app.settings["base_url"]))
    web_app.add_handlers(".*$", monitoring_handlers.route_table(web_app.settings["base_url"]))
    serverapp.log.info("nbtrail: REST API at %snbtrail/api/", web_app.settings["base_url"])
