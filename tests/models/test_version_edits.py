"""Alias removal (an event, so history keeps it) and description/tag edits of a version."""

from __future__ import annotations

import subprocess
import sys

import pytest

from nbtrail.errors import ModelNotFound
from nbtrail.models import aliases
from nbtrail.records import ModelVersion, Run
from nbtrail.store import Store, open_store


@pytest.fixture()
def store(location: str) -> Store:
    store = open_store(location)  # each backend
    store.save_run(Run(id="0" * 12 + "a" * 10, name="fit", status="finished", started=1.0))
    for _ in range(2):
        store.add_model_version(
            ModelVersion(
                name="churn",
                version=0,
                run="0" * 12 + "a" * 10,
                binding="model",
                model_hash=None,
                object="b" * 32,
            )
        )
    return store


def cli(store: Store, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "nbtrail.cli", "--store", store.location, "models", *args]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_an_alias_removed_is_gone_now_and_in_history_then(store: Store) -> None:
    aliases.promote(store, "churn", "production", 2, force=True)
    moved = aliases.history(store, "churn")[-1].time
    done = cli(store, "unalias", "churn", "production")
    assert done.returncode == 0 and "churn@production removed" in done.stdout
    assert aliases.current_version(store, "churn", "production") is None
    assert aliases.current_version(store, "churn", "production", at=moved) == 2
    listed = cli(store, "history", "churn").stdout.splitlines()
    assert "v2 -> removed" in listed[-1]
    again = cli(store, "unalias", "churn", "production")
    assert again.returncode == 1 and "has no alias 'production'" in again.stderr
    assert again.stderr.count("\n") == 1
    aliases.promote(store, "churn", "production", 1, force=True)  # set again after removal
    assert aliases.current_version(store, "churn", "production") == 1


def test_description_and_tags_change_what_was_made_does_not(store: Store) -> None:
    before = store.get_model_version("churn", 1)
    assert cli(store, "describe", "churn", "1", "first candidate").returncode == 0
    done = cli(store, "tag", "churn", "1", "team=risk", "reviewed")
    assert done.stdout.strip() == "models:/churn/1: tags team=risk, reviewed"
    assert cli(store, "tag", "churn", "1", "team=").stdout.strip().endswith("tags reviewed")
    after = store.get_model_version("churn", 1)
    assert (after.description, after.tags) == ("first candidate", ("reviewed",))
    assert (after.run, after.object, after.lineage) == (before.run, before.object, before.lineage)
    missing = cli(store, "describe", "churn", "7", "x")
    assert missing.returncode == 1 and "has no version 7" in missing.stderr
    with pytest.raises(ModelNotFound):
        store.update_model_version("nope", 1, description="x")
