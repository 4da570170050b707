"""Figure group: the shared PostgreSQL store against the embedded SQLite one.

The same runs written to and read from both stores in this process, the
PostgreSQL server a throwaway cluster on this machine (the one the tests use,
``tests/pg_cluster.py``), so the figures are the store's own cost plus a
loopback round trip; a server across a network adds its latency to each write
(about three round trips) and read (one per query). No target: a shared store
is chosen for sharing, and these say what it costs.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

from benchmarks.context import Context
from benchmarks.fill import NOTEBOOKS, synthetic_run
from benchmarks.timing import Figure, interleaved, ms
from nbtrail.records import RunQuery
from nbtrail.store import Store, open_store

CLUSTER = Path(__file__).resolve().parents[1] / "tests" / "pg_cluster.py"


def _cluster_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("nbtrail_pg_cluster", CLUSTER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def unavailable() -> str:
    """Why this group cannot run here (empty when it can)."""
    if importlib.util.find_spec("psycopg") is None:
        return "psycopg is not installed (the postgres extra)"
    try:
        _cluster_module().bindir()
    except RuntimeError as exc:
        return str(exc)
    return ""


def collect(ctx: Context) -> list[Figure]:
    cluster = _cluster_module().Cluster().start()
    try:
        os.environ.setdefault("NBTRAIL_OBJECTS", str(ctx.folder("pg-objects")))
        stores = {
            "postgresql": open_store(cluster.url(cluster.new_database())),
            "sqlite": open_store(str(ctx.folder("pg-baseline") / ".nbtrail")),
        }
        count = max(200, ctx.sizes.store_runs[0])
        return [write_figure(stores, count), *read_figures(stores, count)]
    finally:
        cluster.stop()


def write_figure(stores: dict[str, Store], count: int) -> Figure:
    runs = iter(range(10**9))
    times = interleaved(
        {
            name: (lambda s=store: s.save_run(synthetic_run(next(runs))))
            for name, store in stores.items()
        },
        repeat=count,
    )
    return Figure(
        key="postgres.write",
        title="save_run of one run (10 params, 10 metrics, 4 bindings) into PostgreSQL, ms",
        value=ms(times["postgresql"]),
        unit="ms",
        baseline=ms(times["sqlite"]),
        baseline_title="the same save_run into the SQLite store",
        note="server on this machine (loopback); statements of a run in one pipeline",
    )


def read_figures(stores: dict[str, Store], count: int) -> list[Figure]:
    pg = stores["postgresql"]
    pg._conn.execute("ANALYZE")  # type: ignore[attr-defined]  # as autovacuum would by now
    queries = {
        "page50": (
            RunQuery(notebook=NOTEBOOKS[3], limit=50),
            "list_runs: a page of 50 runs of one notebook",
        ),
        "filter": (
            RunQuery(filter="params.p1 > 5 AND metrics.m2 < 0.1", limit=50),
            "list_runs: a page of 50 by the filter language (a param and a metric)",
        ),
    }
    figures = []
    for key, (query, title) in queries.items():
        times = interleaved(
            {name: (lambda s=store, q=query: s.list_runs(q)) for name, store in stores.items()},
            repeat=30,
        )
        figures.append(
            Figure(
                key=f"postgres.{key}",
                title=f"{title}, PostgreSQL, {count:,} runs, ms",
                value=ms(times["postgresql"]),
                unit="ms",
                baseline=ms(times["sqlite"]),
                baseline_title="the same query on the SQLite store",
            )
        )
    return figures
