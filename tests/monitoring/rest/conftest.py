"""A real jupyter_server with nbtrail.server enabled (as tests/server/conftest.py does).

pytest-jupyter's fixtures are imported here, for this folder only, so the rest
of tests/monitoring runs without its per-test event loop and server cleanup.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_jupyter.jupyter_server import *  # noqa: F403

from nbtrail import config
from nbtrail.serving.layout import LOG_ENV
from nbtrail.store import Store, open_store


@pytest.fixture
def jp_server_config() -> dict[str, object]:
    return {"ServerApp": {"jpserver_extensions": {"nbtrail.server": True},
                          "allow_unauthenticated_access": False}}  # fmt: skip


@pytest.fixture
def store(jp_root_dir: Path, monkeypatch: pytest.MonkeyPatch, jp_serverapp: Any) -> Iterator[Store]:
    """The project store the server discovers from its root dir; the log in its objects."""
    monkeypatch.delenv("NBTRAIL_STORE", raising=False)
    monkeypatch.delenv(LOG_ENV, raising=False)
    config.configure(None)
    opened = open_store(str(jp_root_dir / ".nbtrail"))
    yield opened
    opened.close()
    jp_serverapp.web_app.settings["nbtrail_access"].close()
