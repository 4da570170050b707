"""nbtrail runs --filter/--sort/--columns and the run-management commands, as a user types them."""

from __future__ import annotations

import json
from pathlib import Path

from nbtrail.records import ModelVersion
from nbtrail.store import open_store
from test_cli import assert_one_line_error, fill, nbtrail


def listed_names(store: Path, *args: str) -> list[str]:
    done = nbtrail("runs", "--json", *args, store=store)
    assert done.returncode == 0, done.stderr
    return [run["name"] for run in json.loads(done.stdout)]


def test_filter_sort_and_columns(tmp_path: Path) -> None:
    store = tmp_path / ".nbtrail"
    fill(store)
    assert listed_names(store, "--filter", "params.depth >= 1 AND metrics.acc < 0.65") == ["fit-1"]
    assert listed_names(store, "--filter", "status = 'failed' OR name LIKE '%-0'") == [
        "fit-1", "fit-0"
    ]  # fmt: skip
    assert listed_names(store, "--sort", "metrics.acc ASC") == ["fit-0", "fit-1", "fit-2"]
    table = nbtrail("runs", "--columns", "name,params.depth,metrics.acc", store=store).stdout
    assert table.splitlines()[0].split() == ["name", "params.depth", "metrics.acc"]
    assert table.splitlines()[2].split() == ["fit-2", "2", "0.7"]
    default = nbtrail("runs", store=store).stdout.splitlines()[0].split()
    assert "params.depth" in default  # the param that differs among the runs is shown
    assert nbtrail("runs", "--filter", "nothing-like-this", store=store).stdout.strip() == (
        "no runs match"
    )
    assert_one_line_error(
        nbtrail("runs", "--filter", "metrics.acc >> 1", store=store),
        "filter: expected a value ('text' or a number) at position 14",
    )
    bad = nbtrail("runs", "--columns", "colour", store=store)
    assert bad.returncode == 2 and "unknown column 'colour'" in bad.stderr


def test_tag_note_rename_archive_delete_restore_gc(tmp_path: Path) -> None:
    store = tmp_path / ".nbtrail"
    runs = fill(store)
    shown = runs[2].id[-8:]
    assert nbtrail("tag", shown, "stage=candidate", "baseline", store=store).returncode == 0
    assert listed_names(store, "--filter", "tags.stage = 'candidate'") == ["fit-2"]
    done = nbtrail("untag", "fit-2", "baseline", store=store)
    assert done.returncode == 0 and done.stdout.strip().endswith("tags stage=candidate")
    nbtrail("note", "@last", "the keeper", store=store)
    nbtrail("rename", "fit-2", "fit-final", store=store)
    shown_run = nbtrail("show", "fit-final", store=store).stdout
    assert "note       the keeper" in shown_run and "tags       stage=candidate" in shown_run

    assert nbtrail("archive", "fit-0", "fit-1", store=store).returncode == 0
    assert listed_names(store) == ["fit-final"]
    assert listed_names(store, "--archived") == ["fit-1", "fit-0"]
    assert nbtrail("restore", "fit-1", store=store).returncode == 0
    assert_one_line_error(nbtrail("archive", "fit-0", "nope", store=store), "no run 'nope'")
    assert nbtrail("delete", "fit-0", store=store).returncode == 0  # archived, then deleted
    assert listed_names(store, "--deleted") == ["fit-0"]
    assert "would remove 1 deleted run(s)" in nbtrail("gc", "--dry-run", store=store).stdout
    assert listed_names(store, "--all") == ["fit-final", "fit-1", "fit-0"]
    assert "removed 1 deleted run(s)" in nbtrail("gc", store=store).stdout
    assert listed_names(store, "--all") == ["fit-final", "fit-1"]


def test_a_run_behind_a_model_version_is_not_deleted(tmp_path: Path) -> None:
    store_dir = tmp_path / ".nbtrail"
    runs = fill(store_dir)
    store = open_store(str(store_dir))
    made = ModelVersion("churn", 0, runs[1].id, "model", model_hash=None, object="a" * 32)
    store.add_model_version(made)
    assert_one_line_error(
        nbtrail("delete", "fit-2", "fit-1", store=store_dir),
        "made model churn v1; archive it instead (nothing was deleted)",
    )
    assert listed_names(store_dir, "--deleted") == []
