"""A real jupyter_server with nbtrail.server enabled, over a real store in its root dir.

pytest-jupyter's server plugin is imported here rather than named in
``pytest_plugins``: pytest refuses ``pytest_plugins`` outside the root conftest,
and loading it for the whole suite would put its autouse fixtures (an event
loop and a server cleanup per test) on every test, kernels and browser included.
Imported into this conftest, its fixtures and hooks apply to tests/server only.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_jupyter.jupyter_server import *  # noqa: F403

from nbtrail import config
from nbtrail.store import Store, open_store


@pytest.fixture
def jp_server_config() -> dict[str, object]:
    return {
        "ServerApp": {
            "jpserver_extensions": {"nbtrail.server": True},
            # Every handler must authenticate: anything not marked otherwise is refused.
            "allow_unauthenticated_access": False,
        }
    }


@pytest.fixture
def store(jp_root_dir: Path, monkeypatch: pytest.MonkeyPatch, jp_serverapp: Any) -> Iterator[Store]:
    """The project store the server discovers from its root dir (no NBTRAIL_STORE)."""
    monkeypatch.delenv("NBTRAIL_STORE", raising=False)
    config.configure(None)
    opened = open_store(str(jp_root_dir / ".nbtrail"))
    yield opened
    opened.close()
    jp_serverapp.web_app.settings["nbtrail_access"].close()  # the server's own connection
