"""What only the PostgreSQL store does: its settings, its errors, its schema, its start rows.

Everything the two backends share runs against both in test_store.py,
test_references.py and models/test_store_models.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from nbtrail import config
from nbtrail.errors import StoreError, StoreNotFound, StoreTooNew
from nbtrail.records import Run, new_run_id
from nbtrail.store import open_store
from nbtrail.store.postgres import PostgresStore
from nbtrail.store.schema import SCHEMA_VERSION
from pg_cluster import PASSWORD, Cluster


def _run(name: str = "train") -> Run:
    return Run(id=new_run_id(), name=name, status="finished", started=1.0, ended=2.0,
               source="x = 1\n", source_hash="0" * 32)  # fmt: skip


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nbtrail.cli", *args],
        capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})},
    )  # fmt: skip


def test_the_url_selects_postgresql_and_the_password_is_never_shown(pg_url: str) -> None:
    store = open_store(pg_url)
    assert isinstance(store, PostgresStore)
    assert PASSWORD in store.location  # kept, so kernels and workers can reopen it
    assert PASSWORD not in store.shown and store.shown.startswith("postgresql://postgres@")
    store.save_run(_run())
    assert open_store(pg_url.replace("postgresql://", "postgres://")).count_runs() == 1


def test_configure_selects_the_store_and_its_object_folder(pg_url: str, tmp_path: Path) -> None:
    config.configure(pg_url, objects=tmp_path / "shared-objects")
    try:
        store = open_store()
        assert isinstance(store, PostgresStore)
        store.put_object(b"bytes", "a" * 32)
        assert (tmp_path / "shared-objects" / "aa" / ("a" * 30)).read_bytes() == b"bytes"
    finally:
        config.configure(None)
    assert config.objects_location() == str(tmp_path / "objects")  # $NBTRAIL_OBJECTS again


@pytest.mark.parametrize("what", ["wrong password", "unreachable"])
def test_a_bad_connection_is_one_line_naming_the_host_and_exit_1(
    pg_cluster: Cluster, pg_url: str, what: str
) -> None:
    if what == "wrong password":
        url = pg_cluster.url("postgres", password="not-the-password")
    else:  # a port nothing listens on
        url = pg_cluster.url("postgres").replace(f":{pg_cluster.port}/", ":1/")
    with pytest.raises(StoreError) as caught:
        open_store(url)
    message = str(caught.value)
    assert "127.0.0.1" in message and "\n" not in message
    assert "not-the-password" not in message and PASSWORD not in message
    assert ("password authentication failed" if what == "wrong password" else "refused") in message
    result = _cli("--store", url, "runs")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "127.0.0.1" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "not-the-password" not in result.stderr
    assert PASSWORD not in result.stderr


def test_a_database_from_a_newer_nbtrail_is_refused_untouched(pg_url: str) -> None:
    store = open_store(pg_url)
    run = _run()
    store.save_run(run)
    store.close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("UPDATE meta SET value = %s WHERE key = 'schema_version'",
                     (str(SCHEMA_VERSION + 1),))  # fmt: skip
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        before = tables.fetchone()
    with pytest.raises(StoreTooNew, match="upgrade nbtrail"):
        open_store(pg_url)
    result = _cli("--store", pg_url, "runs")
    assert result.returncode == 1 and "upgrade nbtrail" in result.stderr
    with psycopg.connect(pg_url, autocommit=True) as conn:
        assert conn.execute("SELECT id FROM runs").fetchall() == [(run.id,)]
        version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        assert version == (str(SCHEMA_VERSION + 1),)
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert tables.fetchone() == before


def test_an_empty_database_is_not_set_up_for_readers(pg_url: str) -> None:
    with pytest.raises(StoreNotFound, match="no nbtrail store in the database"):
        open_store(pg_url, create=False)
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT to_regclass('meta')").fetchone() == (None,)


def test_the_schema_is_sqlites_with_the_same_version(pg_url: str, tmp_path: Path) -> None:
    open_store(pg_url).close()
    sqlite = open_store(str(tmp_path / ".nbtrail"))
    sqlite_tables = {
        row[0]
        for row in sqlite._read("SELECT name FROM sqlite_master WHERE type = 'table'")  # type: ignore[attr-defined]
        if not row[0].startswith("sqlite_")
    }
    with psycopg.connect(pg_url) as conn:
        pg_tables = {
            row[0]
            for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        }
        version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        # 8-byte numbers where SQLite's INTEGER and REAL are
        types = dict(
            conn.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_name = 'file_hashes'"
            ).fetchall()
        )
        # ids and names compare bytewise, as in SQLite, whatever the server's locale
        collation = conn.execute(
            "SELECT collation_name FROM information_schema.columns "
            "WHERE table_name = 'runs' AND column_name = 'id'"
        ).fetchone()
    assert pg_tables == sqlite_tables | {"running"}  # runs in progress: SQLite's journal
    assert version == (str(SCHEMA_VERSION),)
    assert types["mtime_ns"] == "bigint" and types["inode"] == "bigint"
    assert collation == ("C",)


def test_a_run_whose_process_died_is_saved_as_interrupted(pg_url: str) -> None:
    """A start record whose owner is this host's dead process becomes the run."""
    run = _run("killed")
    code = (
        "import sys\nfrom nbtrail.store import open_store\nfrom nbtrail.records import Run\n"
        f"open_store({pg_url!r}).start_run(Run(id={run.id!r}, name='killed', "
        "status='running', started=1.0, source='x', source_hash='h', "
        "extra={'environment': None}))\n"
        "import os; os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    store = open_store(pg_url)  # opening reaps
    saved = store.get_run(run.id)
    assert saved.status == "interrupted"
    assert saved.exception is not None and saved.exception.type == "KernelDied"


def test_a_live_start_record_is_seen_everywhere_until_saved_or_discarded(pg_url: str) -> None:
    store = open_store(pg_url)
    run = Run(id=new_run_id(), name="live", status="running", started=1.0, source="x",
              source_hash="h")  # fmt: skip
    store.start_run(run)
    other = open_store(pg_url)  # another process, another machine: it sees the cell running
    assert [r.id for r in other.running_runs()] == [run.id]
    assert other.reap_interrupted() == [] and other.count_runs() == 0  # listed once saved
    store.discard_start(run.id)
    assert other.running_runs() == []
    store.start_run(run)
    store.save_run(replace(run, status="finished", ended=2.0))  # the start record goes with it
    assert other.running_runs() == [] and other.get_run(run.id).status == "finished"


def _database(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_a_writer_colliding_with_another_is_tried_again_not_failed(pg_url: str) -> None:
    """Another session inserts the same run id, uncommitted: the store's insert waits,
    then fails with a unique violation when that session commits, and is tried again."""
    store = open_store(pg_url)
    run = _run("ours")
    with psycopg.connect(pg_url) as other, psycopg.connect(pg_url, autocommit=True) as watch:
        other.execute(
            "INSERT INTO runs (id, name, status, started, source, source_hash) "
            "VALUES (%s, 'theirs', 'finished', 1, 'x', 'h')",
            (run.id,),
        )
        writer = threading.Thread(target=store.save_run, args=(run,))
        writer.start()
        for _ in range(600):  # until the store's insert waits on the other session's key
            waiting = watch.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                "AND application_name = 'nbtrail' AND wait_event_type = 'Lock'",
                (_database(pg_url),),
            ).fetchone()
            if waiting == (1,):
                break
            time.sleep(0.05)
        assert waiting == (1,)
        other.commit()
    writer.join(timeout=60)
    assert not writer.is_alive()
    assert store.get_run(run.id).name == "ours" and store.count_runs() == 1


def test_a_lost_connection_is_opened_again(pg_cluster: Cluster, pg_url: str) -> None:
    store = open_store(pg_url)
    store.save_run(_run())
    kill = (
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{_database(pg_url)}' AND application_name = 'nbtrail'"
    )
    pg_cluster.admin(kill)  # a database restart, a failover, an idle timeout
    assert store.count_runs() == 1
    pg_cluster.admin(kill)
    store.save_run(_run())
    assert store.count_runs() == 2


def test_a_database_store_records_paths_relative_to_the_checkout(tmp_path: Path) -> None:
    """Two people's clones of one project record the same notebook path."""
    for clone in ("alice", "bob"):
        (tmp_path / clone / ".git").mkdir(parents=True)
        (tmp_path / clone / "analysis").mkdir()
        root = config.project_root("postgresql://u@db/team", cwd=tmp_path / clone / "analysis")
        assert root == (tmp_path / clone).resolve()
    assert config.project_root(str(tmp_path / "p" / ".nbtrail")) == (tmp_path / "p").resolve()


def test_a_server_gone_mid_session_is_one_line_at_once() -> None:
    """No 30 s of retries against a server that is not there: one line, naming the host."""
    cluster = Cluster().start()  # a server of its own, to stop
    try:
        url = cluster.url(cluster.new_database())
        store = open_store(url)
        store.save_run(_run())
    finally:
        cluster.stop()
    started = time.monotonic()
    with pytest.raises(StoreError) as caught:
        store.save_run(_run())
    assert time.monotonic() - started < 15  # not 30 s of retries: one write, one refused connect
    assert "127.0.0.1" in str(caught.value) and PASSWORD not in str(caught.value)
    assert "\n" not in str(caught.value)
    with pytest.raises(StoreError):
        store.count_runs()


def test_a_mistyped_scheme_does_not_show_the_password() -> None:
    with pytest.raises(StoreError, match="unknown store scheme 'postgresq'") as caught:
        open_store("postgresq://alice:s3cret@db.example.com/team")
    assert "s3cret" not in str(caught.value) and "db.example.com" in str(caught.value)
