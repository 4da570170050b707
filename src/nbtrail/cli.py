"""The ``nbtrail`` command: the same store, from a terminal.

Every problem nbtrail can explain ends as one line on stderr and a non-zero
exit code; tracebacks are for bugs only.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from nbtrail import report
from nbtrail.diff import diff_runs
from nbtrail.errors import NbtrailError
from nbtrail.records import RunQuery
from nbtrail.store import Store, open_store

STATUSES = ("running", "finished", "failed", "interrupted")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nbtrail", description="Notebook experiment runs.")
    parser.add_argument(
        "--store", help="store folder or URL (default: $NBTRAIL_STORE or .nbtrail/)"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    runs = commands.add_parser("runs", help="list runs, newest first")
    runs.add_argument("--notebook", help="only runs of this notebook path")
    runs.add_argument("--status", choices=STATUSES)
    runs.add_argument("--batch", help="only runs of this batch (sweep or re-run)")
    runs.add_argument("--search", help="text in name, tags or params")
    runs.add_argument("--limit", type=_positive, default=50, help="at most N runs (default 50)")
    runs.add_argument("--json", action="store_true", help="print JSON records")
    runs.set_defaults(handler=_runs)

    show = commands.add_parser("show", help="everything recorded for one run")
    show.add_argument("run", help="run id or unique prefix")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_show)

    diff = commands.add_parser("diff", help="what differs between two runs")
    diff.add_argument("run_a")
    diff.add_argument("run_b")
    diff.add_argument("--json", action="store_true")
    diff.set_defaults(handler=_diff)
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _runs(store: Store, args: argparse.Namespace) -> str:
    query = RunQuery(
        notebook=args.notebook,
        status=args.status,
        batch=args.batch,
        text=args.search,
        limit=args.limit,
    )
    runs = store.list_runs(query)
    if args.json:
        return json.dumps([run.to_dict() for run in runs], indent=2, default=str)
    return report.runs_table(runs)


def _show(store: Store, args: argparse.Namespace) -> str:
    run = store.get_run(args.run)
    if args.json:
        data: dict[str, Any] = run.to_dict()
        env = store.get_environment(run.env_hash) if run.env_hash else None
        data["environment"] = env.__dict__ if env else None
        return json.dumps(data, indent=2, default=str)
    return report.show_run(store, run)


def _diff(store: Store, args: argparse.Namespace) -> str:
    diff = diff_runs(store, args.run_a, args.run_b)
    if args.json:
        return json.dumps(diff.to_dict(), indent=2, default=str)
    return report.show_diff(diff)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        store = open_store(args.store, create=False)
        print(args.handler(store, args))
    except NbtrailError as exc:
        print(f"nbtrail: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
