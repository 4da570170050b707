"""The ``nbtrail`` command: the same store, from a terminal.

Every problem nbtrail can explain ends as one line on stderr and a non-zero
exit code; tracebacks are for bugs only.
"""

from __future__ import annotations

import argparse
import importlib.metadata
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
RUN_HELP = "run id as displayed (or full, or a unique prefix), name, NAME~N, or @last"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nbtrail", description="Notebook experiment runs.")
    parser.add_argument(
        "--store", help="store folder or URL (default: $NBTRAIL_STORE or .nbtrail/)"
    )
    parser.add_argument("--version", action="version", version=f"nbtrail {_version()}")
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
    show.add_argument("run", help=RUN_HELP)
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_show)

    diff = commands.add_parser("diff", help="what differs between two runs")
    diff.add_argument("run_a", help=RUN_HELP)
    diff.add_argument("run_b", help="the run to compare with, referenced the same way")
    diff.add_argument("--json", action="store_true")
    diff.set_defaults(handler=_diff)

    rerun = commands.add_parser(
        "rerun",
        help="execute a run's notebook again and check it reproduces (exit 0 yes, 1 no)",
    )
    rerun.add_argument("run", help=RUN_HELP)
    rerun.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE",
                       help="override a parameter (typed like papermill -p)")  # fmt: skip
    rerun.add_argument("--current", action="store_true",
                       help="run the notebook file as it is now, not its snapshot")  # fmt: skip
    _add_execution_options(rerun)
    rerun.add_argument("--rtol", type=float, default=1e-7, help="relative tolerance for metrics")
    rerun.add_argument("--atol", type=float, default=0.0, help="absolute tolerance for metrics")
    rerun.add_argument("--json", action="store_true", help="print the report as JSON")
    rerun.set_defaults(handler=_rerun, error_code=2)

    sweep = commands.add_parser("sweep", help="run a notebook over a parameter grid, in parallel")
    sweep.add_argument("notebook", nargs="?", help="the notebook (not needed with --resume)")
    sweep.add_argument("-p", "--param", action="append", default=[], metavar="NAME=V1,V2",
                       help="values of one parameter, comma-separated")  # fmt: skip
    sweep.add_argument("--random", type=_positive, metavar="N", help="run N random combinations")
    sweep.add_argument("--seed", type=int, help="seed of the random sample")
    sweep.add_argument("--workers", type=_positive, default=2, help="parallel executions (2)")
    sweep.add_argument("--executor", default="local", help="local (default) or dask")
    sweep.add_argument("--scheduler", metavar="ADDRESS", help="dask scheduler, tcp://HOST:PORT")
    sweep.add_argument("--metric", help="sort results by this metric, best first")
    order = sweep.add_mutually_exclusive_group()
    order.add_argument("--maximize", dest="maximize", action="store_true", default=True)
    order.add_argument("--minimize", dest="maximize", action="store_false")
    sweep.add_argument("--resume", metavar="BATCH", help="run what is missing of a sweep batch")
    _add_execution_options(sweep)
    sweep.add_argument("--json", action="store_true", help="print the results as JSON")
    sweep.set_defaults(handler=_sweep, error_code=2, create_store=True)
    return parser


def _version() -> str:
    """The installed distribution's version: the one pip and bug reports know."""
    try:
        return importlib.metadata.version("nbtrail")
    except importlib.metadata.PackageNotFoundError:  # a source tree on sys.path
        from nbtrail import __version__

        return __version__


def _add_execution_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kernel", help="kernel name (default: the notebook's)")
    parser.add_argument("--timeout", type=float, metavar="S", help="per-cell timeout in seconds")


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


def _rerun(store: Store, args: argparse.Namespace) -> tuple[str, int]:
    from nbtrail.reproduce import reproduce
    from nbtrail.reproduce.params import parse_assignments
    from nbtrail.reproduce.render import rerun_report

    report = reproduce(
        args.run, parse_assignments(args.param), current=args.current, kernel=args.kernel,
        timeout=args.timeout, rtol=args.rtol, atol=args.atol, store=store,
    )  # fmt: skip
    text = json.dumps(report.to_dict(), indent=2, default=str) if args.json else None
    return text or rerun_report(report), report.exit_code


def _sweep(store: Store, args: argparse.Namespace) -> tuple[str, int]:
    from nbtrail.reproduce import sweep
    from nbtrail.reproduce.params import parse_grid

    result = sweep(
        args.notebook, parse_grid(args.param), random=args.random, seed=args.seed,
        workers=args.workers, executor=args.executor, scheduler=args.scheduler,
        metric=args.metric, maximize=args.maximize, kernel=args.kernel, timeout=args.timeout,
        resume=args.resume, store=store,
    )  # fmt: skip
    text = json.dumps(result.to_dict(), indent=2, default=str) if args.json else result.table()
    return text, 1 if result.failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    from nbtrail.reproduce.imports import skip_slow_optional_imports

    skip_slow_optional_imports()  # this process is ours: rerun/sweep start 1.6 s sooner
    args = build_parser().parse_args(argv)
    try:
        store = open_store(args.store, create=getattr(args, "create_store", False))
        output = args.handler(store, args)
        text, code = output if isinstance(output, tuple) else (output, 0)
        print(text)
    except NbtrailError as exc:
        print(f"nbtrail: error: {exc}", file=sys.stderr)
        return int(getattr(args, "error_code", 1))
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("nbtrail: interrupted", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
