"""Plain-SQLite baselines: the least a store of this shape can cost.

Each function does the job of a store call with bare ``sqlite3`` and pandas,
no records and no JSON decoding, so the ratio says what nbtrail's layers add
over the database itself.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd

from nbtrail.records import Run

_SCHEMA = """
CREATE TABLE runs (id TEXT PRIMARY KEY, name TEXT, status TEXT, started REAL, ended REAL,
                   notebook TEXT, source TEXT, extra TEXT);
CREATE TABLE params (run_id TEXT, key TEXT, value TEXT, PRIMARY KEY (run_id, key)) WITHOUT ROWID;
CREATE TABLE metrics (run_id TEXT, key TEXT, value REAL, step INTEGER, time REAL);
CREATE INDEX metrics_by_run ON metrics (run_id);
CREATE TABLE bindings (run_id TEXT, direction TEXT, name TEXT, kind TEXT, hash TEXT,
                       summary TEXT);
CREATE INDEX bindings_by_run ON bindings (run_id);
"""


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def insert_store(path: Path) -> sqlite3.Connection:
    conn = connect(path)
    conn.executescript(_SCHEMA)
    return conn


def insert_run(conn: sqlite3.Connection, run: Run, extra: str, summaries: list[str]) -> None:
    """One run with its params, metrics and bindings in one WAL transaction."""
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (run.id, run.name, run.status, run.started, run.ended, run.notebook, run.source, extra),
    )
    conn.executemany(
        "INSERT INTO params VALUES (?, ?, ?)", [(run.id, p.key, str(p.value)) for p in run.params]
    )
    conn.executemany(
        "INSERT INTO metrics VALUES (?, ?, ?, ?, ?)",
        [(run.id, m.key, m.value, m.step, m.time) for m in run.metrics],
    )
    conn.executemany(
        "INSERT INTO bindings VALUES (?, ?, ?, ?, ?, ?)",
        [
            (run.id, b.direction, b.name, b.kind, b.hash, s)
            for b, s in zip(run.bindings, summaries, strict=True)
        ],
    )
    conn.execute("COMMIT")


def pull_frame(db: Path) -> pd.DataFrame:
    """Every run with its params and latest metrics as one wide DataFrame, by bare SQL."""
    conn = sqlite3.connect(db)
    try:
        runs = pd.DataFrame(
            conn.execute("SELECT id, name, status, notebook, started, ended FROM runs").fetchall(),
            columns=["run_id", "name", "status", "notebook", "start_time", "end_time"],
        ).set_index("run_id")
        params = _wide(conn, "SELECT run_id, key, value FROM params", "params.")
        metrics = _wide(conn, "SELECT run_id, key, value FROM metrics", "metrics.")
    finally:
        conn.close()
    return runs.join(params).join(metrics)


def _wide(conn: sqlite3.Connection, sql: str, prefix: str) -> pd.DataFrame:
    long = pd.DataFrame(conn.execute(sql).fetchall(), columns=["run_id", "key", "value"])
    wide = long.pivot_table(index="run_id", columns="key", values="value", aggfunc="last")
    return wide.add_prefix(prefix)


def page(conn: sqlite3.Connection, where: str, args: tuple[Any, ...]) -> list[Any]:
    """Newest 50 runs matching ``where``, with their params and metrics."""
    rows = conn.execute(
        f"SELECT * FROM runs WHERE {where} ORDER BY id DESC LIMIT 50", args
    ).fetchall()
    ids = [row[0] for row in rows]
    marks = ", ".join("?" * len(ids))
    params = conn.execute(f"SELECT * FROM params WHERE run_id IN ({marks})", ids).fetchall()
    metrics = conn.execute(f"SELECT * FROM metrics WHERE run_id IN ({marks})", ids).fetchall()
    return [rows, params, metrics]
