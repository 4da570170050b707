"""One real kernel trains the models every registry test uses, once per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from model_helpers import Trained, train
from nbtrail.store import Store


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Trained:
    return train(tmp_path_factory.mktemp("models-project"))


@pytest.fixture
def store(trained: Trained) -> Iterator[Store]:
    opened = trained.open()
    yield opened
    opened.close()
