"""Figure group 3: writing runs and reading them back, against plain SQLite and MLflow.

``nbtrail.runs()`` is timed the way a user calls it (the store is found from
``NBTRAIL_STORE``); the page of 50 goes through ``Store.list_runs``, which is
what the sidebar's REST API calls. MLflow's ``search_runs`` is the peer; its
store is filled through the client's bulk path, which at about 20 ms a run
limits it to the smallest store size (the table says which size).
"""

from __future__ import annotations

import json
from typing import Any

from benchmarks import peers, rawsql
from benchmarks.context import Context, point_store
from benchmarks.fill import NOTEBOOKS, StoreSet, synthetic_run
from benchmarks.timing import Figure, at_most, median_seconds, ms, ratio_at_least
from nbtrail.records import RunQuery
from nbtrail.store.sqlite import DB_NAME, SQLiteStore

PAGE_FILTERS: dict[str, tuple[RunQuery, str, tuple[Any, ...]]] = {
    "notebook": (RunQuery(notebook=NOTEBOOKS[3], limit=50), "notebook = ?", (NOTEBOOKS[3],)),
    "text": (
        RunQuery(text="group-3", limit=50),
        "tags LIKE ? OR name LIKE ?",
        ("%group-3%", "%group-3%"),
    ),
}


def write_figure(ctx: Context, stores: StoreSet) -> Figure:
    """Per-run cost of ``save_run`` while filling the largest store, vs a bare insert."""
    conn = rawsql.insert_store(ctx.folder("raw-insert") / "raw.db")
    sample = synthetic_run(0)
    extra = json.dumps(sample.extra)
    summaries = [json.dumps(b.summary) for b in sample.bindings]
    count = max(200, ctx.sizes.store_runs[0])
    bare = median_seconds(
        lambda: rawsql.insert_run(conn, synthetic_run(0), extra, summaries), repeat=count
    )
    conn.close()
    large = ctx.sizes.store_runs[-1]
    return Figure(
        key="store.write",
        title=f"save_run of one run (10 params, 10 metrics, 4 bindings), ms, store of {large:,}",
        value=stores.write_ms[large],
        unit="ms",
        baseline=ms(bare),
        baseline_title="bare sqlite3 insert of the same rows, one WAL transaction",
        note=f"mean {stores.write_mean_ms[large]:.3f} ms (WAL checkpoints included); "
        f"filling every store took {stores.fill_seconds:.1f} s",
        details={"median_ms_by_size": stores.write_ms, "mean_ms_by_size": stores.write_mean_ms},
    )


def runs_seconds(path: Any, repeat: int) -> float:
    import nbtrail

    point_store(path)
    return median_seconds(nbtrail.runs, repeat=repeat)


def frame_figures(ctx: Context, stores: StoreSet) -> list[Figure]:
    small, middle, large = ctx.sizes.store_runs
    figures = [mlflow_figure(ctx, stores.paths[small], small)]
    for label, count in (("middle", middle), ("large", large)):
        repeat = 5 if count <= 10_000 else 3
        ours = runs_seconds(stores.paths[count], repeat)
        bare = median_seconds(lambda c=count: rawsql.pull_frame(stores.paths[c] / DB_NAME), 3)
        figures.append(
            Figure(
                key=f"store.runs_frame_{label}",
                title=f"nbtrail.runs() of {count:,} runs into a DataFrame, s",
                value=ours,
                unit="s",
                baseline=bare,
                baseline_title="bare sqlite3 + pandas pivot of the same runs/params/metrics",
            )
        )
    return figures


def mlflow_figure(ctx: Context, path: Any, count: int) -> Figure:
    ours = runs_seconds(path, repeat=5)
    baseline, skipped, details = None, peers.SKIP_REASON, {}
    if peers.available():
        mlflow, experiment = peers.fill_for_search(ctx.folder("mlflow"), count)
        baseline, skipped = peers.search_seconds(mlflow, experiment, repeat=3), ""
        details = {"mlflow_runs": count}
    return Figure(
        key="store.runs_frame_peer",
        title=f"nbtrail.runs() of {count:,} runs into a DataFrame, s",
        value=ours,
        unit="s",
        baseline=baseline,
        baseline_title=f"mlflow.search_runs() of {count:,} runs (its SQLite store)",
        checks=(ratio_at_least(20, "MLflow/nbtrail >= 20x"),),
        note="MLflow measured on the same run count (filling 10,000 MLflow runs takes minutes)",
        skipped=skipped,
        details=details,
    )


def page_figures(ctx: Context, stores: StoreSet) -> list[Figure]:
    large = ctx.sizes.store_runs[-1]
    path = stores.paths[large]
    store = SQLiteStore(path, create=False)
    conn = rawsql.connect(path / DB_NAME)
    figures = []
    try:
        for name, (query, where, args) in PAGE_FILTERS.items():
            found = store.list_runs(query)
            ours = median_seconds(lambda q=query: store.list_runs(q), ctx.sizes.page_repeat)
            bare = median_seconds(
                lambda w=where, a=args: rawsql.page(conn, w, a), ctx.sizes.page_repeat
            )
            figures.append(
                Figure(
                    key=f"store.page50_{name}",
                    title=f"Store.list_runs: page of 50 by {name} from {large:,} runs, ms",
                    value=ms(ours),
                    unit="ms",
                    baseline=ms(bare),
                    baseline_title="bare sqlite3: the same page, params and metrics",
                    checks=(at_most(50, "<= 50 ms"),),
                    note=f"{len(found)} runs returned",
                )
            )
    finally:
        conn.close()
        store.close()
    return figures


def collect(ctx: Context) -> list[Figure]:
    stores = ctx.stores()
    figures = [write_figure(ctx, stores), *frame_figures(ctx, stores), *page_figures(ctx, stores)]
    from benchmarks import server

    large = ctx.sizes.store_runs[-1]
    return [*figures, *server.page_figures(ctx, stores.paths[large], large)]
