"""The SQLite schema and its forward migrations.

``PRAGMA user_version`` holds the schema version. Opening a store applies the
migrations it lacks, in order, each in its own transaction; a store whose
version is newer than this code knows is refused, never touched.
"""

from __future__ import annotations

import re
import sqlite3

from nbtrail.errors import StoreTooNew

MIGRATIONS: tuple[str, ...] = (
    # 1: the first cut of DESIGN.md's data model
    """
    CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        started REAL NOT NULL,
        ended REAL,
        notebook TEXT,
        cell_id TEXT,
        execution_count INTEGER,
        source TEXT NOT NULL,
        source_hash TEXT NOT NULL,
        exc_type TEXT,
        exc_message TEXT,
        exc_traceback TEXT,
        env_hash TEXT,
        session TEXT,
        parent TEXT,
        batch TEXT,
        tags TEXT NOT NULL DEFAULT '[]',
        extra TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX runs_by_notebook ON runs (notebook, id);
    CREATE INDEX runs_by_status ON runs (status, id);
    CREATE INDEX runs_by_batch ON runs (batch, id);
    CREATE INDEX runs_by_parent ON runs (parent);
    CREATE TABLE params (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        origin TEXT NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (run_id, key)
    ) WITHOUT ROWID;
    CREATE TABLE metrics (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value REAL,
        step INTEGER,
        time REAL NOT NULL
    );
    CREATE INDEX metrics_by_run ON metrics (run_id, key);
    CREATE TABLE bindings (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        direction TEXT NOT NULL,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        hash TEXT,
        summary TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX bindings_by_run ON bindings (run_id);
    CREATE INDEX bindings_by_hash ON bindings (hash);
    CREATE TABLE artifacts (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        hash TEXT NOT NULL,
        media_type TEXT NOT NULL,
        size INTEGER NOT NULL
    );
    CREATE INDEX artifacts_by_run ON artifacts (run_id);
    CREATE TABLE environments (
        hash TEXT PRIMARY KEY,
        snapshot TEXT NOT NULL
    );
    CREATE TABLE file_hashes (
        path TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        inode INTEGER NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    INSERT INTO meta (key, value) VALUES ('revision', '0');
    """,
    # 2: sweeps and re-runs (batches of executions) and re-run verdicts
    """
    CREATE TABLE batches (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        notebook TEXT NOT NULL,
        created REAL NOT NULL,
        status TEXT NOT NULL,
        executor TEXT NOT NULL,
        spec TEXT NOT NULL DEFAULT '{}',
        items TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX batches_by_notebook ON batches (notebook, id);
    CREATE TABLE reproductions (
        batch TEXT PRIMARY KEY,
        run TEXT NOT NULL,
        verdict TEXT NOT NULL,
        created REAL NOT NULL,
        report TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX reproductions_by_run ON reproductions (run, created);
    CREATE INDEX runs_by_session ON runs (session, id);
    """,
    # 3: each run's latest value of each metric (Run.latest_metrics: greatest step,
    # then time, then the last logged), so a list sorted by a metric walks an index
    """
    CREATE TABLE latest_metrics (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value REAL,
        PRIMARY KEY (run_id, key)
    ) WITHOUT ROWID;
    CREATE INDEX latest_metrics_by_value ON latest_metrics (key, value);
    INSERT INTO latest_metrics (run_id, key, value)
        SELECT run_id, key, value FROM (
            SELECT run_id, key, value, ROW_NUMBER() OVER (
                PARTITION BY run_id, key ORDER BY COALESCE(step, 0) DESC, time DESC, rowid DESC
            ) AS nth FROM metrics
        ) AS ranked WHERE nth = 1;
    """,
    # 4: run references (store/references.py) by what every surface displays, the
    # end of the id, and by name: each one index lookup, however many runs
    """
    CREATE INDEX IF NOT EXISTS runs_by_id_tail ON runs (substr(id, -4));
    CREATE INDEX IF NOT EXISTS runs_by_name ON runs (name, id);
    """,
    # 5: the model registry: versions per name, and alias moves as an append-only
    # event log (the current alias is the latest event; history is never lost)
    """
    CREATE TABLE IF NOT EXISTS model_versions (
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        run_id TEXT NOT NULL,
        binding TEXT NOT NULL,
        model_hash TEXT,
        object TEXT NOT NULL,
        class_name TEXT NOT NULL DEFAULT '',
        input_example TEXT,
        created REAL NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '[]',
        lineage TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (name, version)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS model_versions_by_run ON model_versions (run_id);
    CREATE TABLE IF NOT EXISTS alias_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        alias TEXT NOT NULL,
        version INTEGER NOT NULL,
        previous INTEGER,
        time REAL NOT NULL,
        who TEXT NOT NULL DEFAULT '',
        gates TEXT NOT NULL DEFAULT '[]',
        forced INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX IF NOT EXISTS alias_events_by_alias ON alias_events (name, alias, time, seq);
    """,
    # 6: models the tracker keeps after the cell (tracking/models.py): a fitted
    # model's value hash -> its skops object, or why skops refused it
    """
    CREATE TABLE IF NOT EXISTS kept_models (
        model_hash TEXT PRIMARY KEY,
        object TEXT,
        size INTEGER,
        error TEXT,
        created REAL NOT NULL
    ) WITHOUT ROWID;
    """,
    # 7: the filter language and run management (store/filter_sql.py): tags as
    # key/value rows, a note and a lifecycle (active, archived, deleted) per run,
    # and each param's text and number, so every condition walks an index
    """
    ALTER TABLE runs ADD COLUMN note TEXT;
    ALTER TABLE runs ADD COLUMN lifecycle TEXT NOT NULL DEFAULT 'active';
    CREATE TABLE IF NOT EXISTS run_tags (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS run_tags_by_value ON run_tags (key, value);
    INSERT OR REPLACE INTO run_tags (run_id, key, value)
        SELECT runs.id,
            CASE WHEN instr(j.value, '=') > 0 THEN substr(j.value, 1, instr(j.value, '=') - 1)
                 ELSE j.value END,
            CASE WHEN instr(j.value, '=') > 0 THEN substr(j.value, instr(j.value, '=') + 1)
                 ELSE '' END
        FROM runs, json_each(runs.tags) AS j WHERE json_type(runs.tags) = 'array';
    UPDATE runs SET tags = COALESCE(
        (SELECT json_group_object(key, value) FROM run_tags WHERE run_id = runs.id), '{}');
    ALTER TABLE params ADD COLUMN text TEXT;
    ALTER TABLE params ADD COLUMN number REAL;
    UPDATE params SET
        text = CASE json_type(value) WHEN 'text' THEN json_extract(value, '$') ELSE value END,
        number = CASE WHEN json_type(value) IN ('integer', 'real')
                      THEN json_extract(value, '$') END;
    CREATE INDEX IF NOT EXISTS params_by_text ON params (key, text);
    CREATE INDEX IF NOT EXISTS params_by_number ON params (key, number);
    CREATE INDEX IF NOT EXISTS runs_by_lifecycle ON runs (lifecycle, id);
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)

#: PostgreSQL's text of the migrations whose SQLite text uses SQLite's own
#: functions (json_each, instr, ...). Every migration runs on PostgreSQL through
#: ``dialect.POSTGRES.ddl`` (types, ``WITHOUT ROWID``, ...); one that moves data
#: with SQLite-only functions needs its PostgreSQL text here, same number.
POSTGRES_MIGRATIONS: dict[int, str] = {
    7: """
    ALTER TABLE runs ADD COLUMN note TEXT;
    ALTER TABLE runs ADD COLUMN lifecycle TEXT NOT NULL DEFAULT 'active';
    CREATE TABLE IF NOT EXISTS run_tags (
        run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
    );
    CREATE INDEX IF NOT EXISTS run_tags_by_value ON run_tags (key, value);
    INSERT INTO run_tags (run_id, key, value)
        SELECT runs.id, split_part(j.tag, '=', 1),
            CASE WHEN strpos(j.tag, '=') > 0 THEN substr(j.tag, strpos(j.tag, '=') + 1)
                 ELSE '' END
        FROM runs, json_array_elements_text(CASE WHEN json_typeof(CAST(runs.tags AS json))
            = 'array' THEN CAST(runs.tags AS json) ELSE CAST('[]' AS json) END) AS j(tag)
        ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value;
    UPDATE runs SET tags = COALESCE(
        (SELECT CAST(json_object_agg(key, value) AS TEXT) FROM run_tags
         WHERE run_id = runs.id), '{}');
    ALTER TABLE params ADD COLUMN text TEXT;
    ALTER TABLE params ADD COLUMN number REAL;
    UPDATE params SET
        text = CASE json_typeof(CAST(value AS json))
                    WHEN 'string' THEN CAST(value AS json) #>> '{}' ELSE value END,
        number = CASE WHEN json_typeof(CAST(value AS json)) = 'number'
                      THEN CAST(CAST(value AS json) #>> '{}' AS REAL) END;
    CREATE INDEX IF NOT EXISTS params_by_text ON params (key, text);
    CREATE INDEX IF NOT EXISTS params_by_number ON params (key, number);
    CREATE INDEX IF NOT EXISTS runs_by_lifecycle ON runs (lifecycle, id);
    CREATE TABLE IF NOT EXISTS running (
        run_id TEXT PRIMARY KEY,
        record TEXT NOT NULL
    );
    """,
}


def migrate(conn: sqlite3.Connection, location: str) -> None:
    """Bring the database to :data:`SCHEMA_VERSION`, or refuse a newer one."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise StoreTooNew(
            f"the store at {location} has schema version {version}, newer than this "
            f"nbtrail understands ({SCHEMA_VERSION}); upgrade nbtrail to use it"
        )
    if version == SCHEMA_VERSION:
        return
    # Another process may be migrating the same new store: take the write
    # lock first, then look again.
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for number in range(version + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[number - 1].split(";"):
                if statement.strip() and not _column_exists(conn, statement):
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


_ADD_COLUMN = re.compile(r"^\s*ALTER TABLE (\w+) ADD COLUMN (\w+)", re.IGNORECASE)


def _column_exists(conn: sqlite3.Connection, statement: str) -> bool:
    """Whether ``statement`` adds a column that is already there (SQLite has no IF NOT EXISTS)."""
    match = _ADD_COLUMN.match(statement)
    if match is None:
        return False
    table, column = match.groups()
    return any(row[1] == column for row in conn.execute(f"PRAGMA table_info({table})"))
