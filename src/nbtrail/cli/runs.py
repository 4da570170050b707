"""``nbtrail runs | show | diff``: reading the store."""

from __future__ import annotations

import argparse
import json
from typing import Any

from nbtrail import report, runs_table
from nbtrail.cli.common import RUN_HELP, positive
from nbtrail.errors import BatchNotFound, NbtrailError, RunNotFound
from nbtrail.records import RunQuery
from nbtrail.runs_table import parse_columns
from nbtrail.store import Store

STATUSES = ("running", "finished", "failed", "interrupted")


def register(commands: Any) -> None:
    """Add this module's subcommands to the ``nbtrail`` parser."""
    runs = commands.add_parser("runs", help="list runs, newest first")
    runs.add_argument(
        "--filter", metavar="EXPR",
        help="MLflow search syntax, e.g. \"params.lr = '0.05' AND metrics.accuracy > 0.9\", "
        "tags.stage = 'candidate', name LIKE 'forest%%', OR/NOT/(), or free text",
    )  # fmt: skip
    runs.add_argument(
        "--sort", metavar="KEY", help="order by a metric, param or attribute: "
        "'metrics.accuracy DESC', params.lr, name (ascending unless DESC)",
    )  # fmt: skip
    runs.add_argument(
        "--columns", metavar="C1,C2", type=_columns,
        help="columns to show: run, name, status, started, duration, notebook, tags, note, "
        "params.KEY, metrics.KEY, tags.KEY (default: the params that differ and metrics)",
    )  # fmt: skip
    shown = runs.add_mutually_exclusive_group()
    shown.add_argument("--archived", action="store_true", help="only archived runs")
    shown.add_argument("--deleted", action="store_true", help="only deleted runs (until gc)")
    shown.add_argument("--all", action="store_true", help="active, archived and deleted runs")
    runs.add_argument("--notebook", help="only runs of this notebook path")
    runs.add_argument("--status", choices=STATUSES)
    runs.add_argument("--batch", help="only runs of this batch (sweep or re-run)")
    runs.add_argument("--search", help="text in names, notebooks, notes, tags or params")
    runs.add_argument("--limit", type=positive, default=50, help="at most N runs (default 50)")
    runs.add_argument("--json", action="store_true", help="print JSON records")
    runs.set_defaults(handler=_runs)

    show = commands.add_parser("show", help="everything recorded for one run (or batch)")
    show.add_argument("run", help=RUN_HELP + "; or a batch id (sweep, re-runs)")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_show)

    diff = commands.add_parser("diff", help="what differs between two runs")
    diff.add_argument("run_a", help=RUN_HELP)
    diff.add_argument("run_b", help="the run to compare with, referenced the same way")
    diff.add_argument("--json", action="store_true")
    diff.set_defaults(handler=_diff)


def _columns(text: str) -> list[str]:
    try:
        return parse_columns(text)
    except NbtrailError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _runs(store: Store, args: argparse.Namespace) -> str:
    lifecycle = "archived" if args.archived else "deleted" if args.deleted else "active"
    query = RunQuery(
        notebook=args.notebook,
        status=args.status,
        batch=args.batch,
        text=args.search,
        limit=args.limit,
        filter=args.filter,
        order_by=args.sort,
        lifecycle="all" if args.all else lifecycle,
    )
    runs = store.list_runs(query)
    if args.json:
        return json.dumps([run.to_dict() for run in runs], indent=2, default=str)
    if not runs and (args.filter or args.search or args.notebook or args.status or args.batch):
        return "no runs match"
    return runs_table.render(runs, args.columns, store.short_id)


def _show(store: Store, args: argparse.Namespace) -> str:
    try:
        run = store.get_run(args.run)
    except RunNotFound as not_a_run:
        return _show_batch(store, args, not_a_run)
    if args.json:
        data: dict[str, Any] = run.to_dict()
        env = store.get_environment(run.env_hash) if run.env_hash else None
        data["environment"] = env.__dict__ if env else None
        return json.dumps(data, indent=2, default=str)
    return report.show_run(store, run)


def _show_batch(store: Store, args: argparse.Namespace, not_a_run: RunNotFound) -> str:
    """``show BATCH``: a reference that names no run may be a batch id (or its prefix)."""
    from nbtrail.reproduce.batch import KIND, load_report
    from nbtrail.reproduce.batch_render import show_batch

    try:
        batch = store.get_batch(args.run)
    except BatchNotFound:
        raise not_a_run from None
    if not args.json:
        return show_batch(store, batch)
    data = load_report(store, batch).to_dict() if batch.kind == KIND else batch.to_dict()
    return json.dumps(data, indent=2, default=str)


def _diff(store: Store, args: argparse.Namespace) -> str:
    from nbtrail.diff import diff_runs  # only this command needs it (start-up time)

    diff = diff_runs(store, args.run_a, args.run_b)
    if args.json:
        return json.dumps(diff.to_dict(), indent=2, default=str)
    return report.show_diff(diff)
