"""A real SQLite store holding a small sweep, written through the Store API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nbtrail import config
from nbtrail.store import Store, open_store
from widgets.sweep_records import ENV_A, ENV_B, EVIL, SWEEP, make_run


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(str(tmp_path / ".nbtrail"))
    store.save_environment(ENV_A)
    store.save_environment(ENV_B)
    for index, kwargs in enumerate(SWEEP):
        store.save_run(make_run(index, **kwargs))  # type: ignore[arg-type]
    store.save_run(make_run(6, lr=0.5, depth=7, status="failed", name="diverged"))
    store.save_run(make_run(7, name=EVIL, source=f"print('{EVIL}')\n", notebook="other.ipynb"))
    yield store
    store.close()


@pytest.fixture
def configured(store: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """The sweep store as the one ``nbtrail.*`` functions find."""
    monkeypatch.delenv("NBTRAIL_STORE", raising=False)
    config.configure(store.location)
    yield store
    config.configure(None)
