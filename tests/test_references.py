"""Run references: what any surface displays resolves back, in the store, the API and the CLI."""

from __future__ import annotations

import importlib.metadata
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import nbtrail
from nbtrail.errors import AmbiguousRunId, RunNotFound
from nbtrail.records import Run
from nbtrail.store import Store, open_store
from nbtrail.store.references import RefKind
from nbtrail.store.schema import SCHEMA_VERSION
from nbtrail.store.sql import run_refs_sql
from nbtrail.store.sqlite import SQLiteStore
from nbtrail.store.sqlstore import SqlStore

T0 = 1_800_000_000.0
STAMP = f"{int(T0 * 1000):012x}"  # every id below starts with the same millisecond


def add(store: Store, tail: str, name: str = "train", *, n: int = 0, stamp: str = STAMP) -> Run:
    """A run whose id is ``STAMP + tail`` (10 digits), started ``n`` seconds after T0.

    Sharing the time prefix is what real ids of one session do: prefixes are
    ambiguous, the random tail is not.
    """
    run = Run(
        id=stamp + tail, name=name, status="finished", started=T0 + n, ended=T0 + n + 1,
        source=f"fit({n})\n", source_hash=f"{n:032d}",
    )  # fmt: skip
    store.save_run(run)
    return run


def when(run: Run) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(run.started))


@pytest.fixture
def store(location: str) -> Store:
    return open_store(location)


def test_ids_as_displayed_resolve_where_prefixes_are_ambiguous(store: Store) -> None:
    a = add(store, "00aa11bb22", n=1)
    b = add(store, "00cc33dd44", n=2)
    assert a.id[:-8] == b.id[:-8]  # 14 leading digits in common
    for run in (a, b):
        assert store.resolve_run_id(run.id[-8:]) == run.id  # the displayed form
        assert store.resolve_run_id(run.id[-4:]) == run.id  # any suffix of 4+
        assert store.resolve_run_id(run.id.upper()) == run.id
        assert store.get_run(run.id[-8:]).id == run.id
    assert store.resolve_run_id(a.id[:15]) == a.id  # a unique prefix, as before
    with pytest.raises(AmbiguousRunId):
        store.resolve_run_id(a.id[:12])


def test_names_resolve_to_the_newest_and_tilde_steps_back(store: Store) -> None:
    first = add(store, "0000000001", "train", n=1)
    second = add(store, "0000000002", "train", n=2)
    add(store, "0000000003", "evaluate", n=3)
    third = add(store, "0000000004", "train", n=4)
    assert store.resolve_run_id("train") == third.id
    assert store.resolve_run_id("train~0") == third.id
    assert store.resolve_run_id("train~1") == second.id
    assert store.get_run("train~2").id == first.id
    with pytest.raises(RunNotFound, match=r"only 3 runs named 'train'"):
        store.resolve_run_id("train~3")
    with pytest.raises(RunNotFound, match="name"):
        store.resolve_run_id("Train")  # names are case-sensitive


def test_a_name_that_ends_in_tilde_digits_is_looked_up_whole_first(store: Store) -> None:
    older = add(store, "0000000001", "model", n=1)
    newer = add(store, "0000000002", "model", n=2)
    literal = add(store, "0000000003", "model~1", n=3)
    assert store.resolve_run_id("model~1") == literal.id  # the whole name, not ~1
    assert store.resolve_run_id("model~1~0") == literal.id
    assert store.resolve_run_id("model") == newer.id
    assert store.resolve_run_id(older.id[-8:]) == older.id  # still reachable
    with pytest.raises(RunNotFound, match="only 2 runs named 'model'"):
        store.resolve_run_id("model~2")


def test_at_last_is_the_newest_run_overall(store: Store) -> None:
    with pytest.raises(RunNotFound, match="holds 0 runs"):
        store.resolve_run_id("@last")
    older = add(store, "0000000001", "a", n=1)
    newer = add(store, "0000000002", "b", n=2)
    assert store.resolve_run_id("@last") == newer.id
    assert store.resolve_run_id(" @LAST ") == newer.id
    assert store.resolve_run_id("@last~1") == older.id
    with pytest.raises(RunNotFound, match=r"no run '@last~2' .*holds 2 runs"):
        store.resolve_run_id("@last~2")


def test_a_name_wins_over_a_hex_abbreviation(store: Store) -> None:
    """A run can be named like another's displayed digits: the name wins, and
    ``short_id`` finds a longer form that still reaches the other run."""
    other = add(store, "5a1b2c3d4e", "fit", n=1)
    named = add(store, "0000000009", other.id[-8:], n=2)
    assert store.resolve_run_id(other.id[-8:]) == named.id
    assert store.short_id(other.id) == other.id[-9:]
    assert store.resolve_run_id(store.short_id(other.id)) == other.id
    assert store.short_id(named.id) == named.id[-8:]


def test_ambiguity_is_one_line_of_candidates_that_resolve(store: Store) -> None:
    """Two runs sharing their last 8 digits (likely past ~80k runs)."""
    a = add(store, "01deadbeef", "train", n=1)
    b = add(store, "02deadbeef", "eval", n=2)
    with pytest.raises(AmbiguousRunId) as info:
        store.resolve_run_id("deadbeef")
    message = str(info.value)
    assert message == (
        f"run reference 'deadbeef' is ambiguous: 2deadbeef (eval, {when(b)}), "
        f"1deadbeef (train, {when(a)})"
    )
    assert "\n" not in message
    assert store.resolve_run_id("2deadbeef") == b.id
    assert store.resolve_run_id("1deadbeef") == a.id


def test_an_ambiguous_suffix_never_falls_back_to_a_prefix(store: Store) -> None:
    add(store, "000000beef", n=1)
    add(store, "111111beef", n=2)
    starts = add(store, "", n=3, stamp="beef" + "0" * 18)
    with pytest.raises(AmbiguousRunId, match="'beef' is ambiguous"):
        store.resolve_run_id("beef")  # though one id starts with it
    assert store.resolve_run_id("beef00") == starts.id  # no id ends so: the prefix


def test_long_candidate_lists_are_cut_to_one_line(store: Store) -> None:
    for n in range(8):
        add(store, f"{n:04d}00abcd", n=n)
    with pytest.raises(AmbiguousRunId) as info:
        store.resolve_run_id("00abcd")
    message = str(info.value)
    assert message.endswith(", ...") and message.count("(train,") == 5


def test_not_found_says_what_was_tried(store: Store) -> None:
    add(store, "0000000001")
    with pytest.raises(RunNotFound, match=r"no run 'ffff' in .*id prefix or id suffix"):
        store.resolve_run_id("ffff")
    with pytest.raises(RunNotFound, match=r"no run 'random-forest' .*hexadecimal"):
        store.resolve_run_id("random-forest")
    with pytest.raises(RunNotFound, match="no run reference given"):
        store.resolve_run_id("  ")


@pytest.mark.parametrize(
    ("kind", "value", "index", "pg_index"),
    [
        ("id", "0" * 22, "sqlite_autoindex_runs_1 (id=?)", "runs_pkey"),
        ("name", "train", "runs_by_name (name=?)", "runs_by_name"),
        ("any", "", "sqlite_autoindex_runs_1", "runs_pkey"),  # newest first, stops early
        ("prefix", "018b", "sqlite_autoindex_runs_1 (id>? AND id<?)", "runs_pkey"),
        ("suffix", "a1b2c3d4", "runs_by_id_tail (<expr>=?)", "runs_by_id_tail"),
    ],
)
def test_every_form_is_an_index_lookup(
    store: Store, kind: RefKind, value: str, index: str, pg_index: str
) -> None:
    """No form reads the whole runs table: a 100,000-run store resolves in microseconds."""
    assert isinstance(store, SqlStore)
    sql, args = run_refs_sql(kind, value, 0, 1, store.dialect)
    if isinstance(store, SQLiteStore):
        plan = [row[3] for row in store._read(f"EXPLAIN QUERY PLAN {sql}", args)]
        assert plan[0].endswith(f"runs USING INDEX {index}"), plan
        assert all("runs" not in step for step in plan[1:]), plan
        return
    # An empty table is cheapest to scan: forbid that, as a big table's statistics would.
    store._conn.execute("SET enable_seqscan = off")
    plan = " ".join(row[0] for row in store._read(f"EXPLAIN {sql}", args))
    assert f"Index Scan Backward using {pg_index} on runs" in plan or (
        f"Index Scan using {pg_index} on runs" in plan
    ), plan


def test_migration_4_indexes_a_version_3_store(tmp_path: Path) -> None:
    folder = tmp_path / ".nbtrail"
    run = add(SQLiteStore(folder), "0123456789")
    conn = sqlite3.connect(folder / "nbtrail.db")
    conn.executescript(
        "DROP INDEX runs_by_id_tail; DROP INDEX runs_by_name; PRAGMA user_version = 3;"
    )
    conn.close()
    store = SQLiteStore(folder)
    assert store._read("PRAGMA user_version")[0][0] == SCHEMA_VERSION
    indexes = {row[0] for row in store._read("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"runs_by_id_tail", "runs_by_name"} <= indexes
    assert store.resolve_run_id("23456789") == run.id


def test_python_api_get_run_accepts_displayed_ids_and_names(store_dir: Path) -> None:
    store = open_store(str(store_dir))
    old = add(store, "00000000aa", "random-forest", n=1)
    new = add(store, "00000000bb", "random-forest", n=2)
    assert nbtrail.get_run(new.id[-8:]).id == new.id
    assert nbtrail.get_run("random-forest").id == new.id
    assert nbtrail.get_run("random-forest~1").id == old.id
    assert nbtrail.get_run("@last~1").id == old.id
    with pytest.raises(RunNotFound):
        nbtrail.get_run("gradient-boosting")


def cli(*args: str, store: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nbtrail.cli", "--store", str(store), *args],
        capture_output=True,
        text=True,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], text: str) -> None:
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("nbtrail: error: ") and text in result.stderr


def test_cli_takes_back_what_it_displays(tmp_path: Path) -> None:
    folder = tmp_path / ".nbtrail"
    store = open_store(str(folder))
    old = add(store, "01deadbeef", "random-forest", n=1)
    new = add(store, "02deadbeef", "random-forest", n=2)
    listed = cli("runs", store=folder)
    displayed = [line.split()[0] for line in listed.stdout.splitlines()[2:]]
    # the table shows the shortest suffix that resolves: one digit more than the shared 8
    assert displayed == [new.id[-9:], old.id[-9:]] == ["2deadbeef", "1deadbeef"]
    for shown_id, run in zip(displayed, (new, old), strict=True):
        assert run.id in cli("show", shown_id, store=folder).stdout
    shown = cli("show", "random-forest~1", store=folder)
    assert shown.returncode == 0 and old.id in shown.stdout
    shown = cli("show", "@last", store=folder)
    assert shown.returncode == 0 and new.id in shown.stdout
    assert_one_line_error(
        cli("show", "deadbeef", store=folder),
        f"'deadbeef' is ambiguous: 2deadbeef (random-forest, {when(new)}), 1deadbeef",
    )
    assert_one_line_error(cli("show", "gradient-boosting", store=folder), "no run 'gradient")


def test_cli_show_and_diff_accept_displayed_ids(tmp_path: Path) -> None:
    folder = tmp_path / ".nbtrail"
    store = open_store(str(folder))
    a = add(store, "00aa11bb22", "fit", n=1)
    b = add(store, "00cc33dd44", "fit", n=2)
    shown = cli("show", a.id[-8:], store=folder)
    assert shown.returncode == 0 and a.id in shown.stdout
    diff = cli("diff", a.id[-8:], "@last", store=folder)
    assert diff.returncode == 0
    assert diff.stdout.startswith(f"diff {a.id} -> {b.id}\n")
    assert "-fit(1)" in diff.stdout and "+fit(2)" in diff.stdout


def test_version_prints_the_installed_version(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "nbtrail.cli", "--version"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0
    assert result.stdout == f"nbtrail {importlib.metadata.version('nbtrail')}\n"
    assert result.stderr == ""
    assert not (tmp_path / ".nbtrail").exists()
