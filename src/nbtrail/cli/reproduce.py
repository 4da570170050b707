"""``nbtrail rerun | sweep``: executing notebooks again (papermill)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from nbtrail.cli.common import RUN_HELP, add_execution_options, positive
from nbtrail.store import Store


def register(commands: Any) -> None:
    """Add this module's subcommands to the ``nbtrail`` parser."""
    rerun = commands.add_parser(
        "rerun",
        help="execute runs' notebooks again and check they reproduce (exit 0 yes, 1 no)",
    )
    rerun.add_argument("run", nargs="*", help=RUN_HELP + "; several run in parallel")
    rerun.add_argument("--notebook", nargs="+", default=[], metavar="PATH",
                       help="the latest recorded execution of each notebook")  # fmt: skip
    rerun.add_argument("--all", action="store_true",
                       help="every notebook with recorded runs in the store")  # fmt: skip
    rerun.add_argument("--filter", metavar="EXPR",
                       help="runs matching a filter (as nbtrail runs --filter, e.g. "
                            "\"notebook = 'a.ipynb' AND tags.stage = 'candidate'\"), "
                            "one execution per notebook session")  # fmt: skip
    rerun.add_argument("--workers", type=positive, default=2,
                       help="parallel executions for several notebooks (2)")  # fmt: skip
    rerun.add_argument("--executor", default="local", help="local (default) or dask")
    rerun.add_argument("--scheduler", metavar="ADDRESS", help="dask scheduler, tcp://HOST:PORT")
    rerun.add_argument("--junit", metavar="FILE", help="also write a JUnit XML report")
    rerun.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE",
                       help="override a parameter (typed like papermill -p)")  # fmt: skip
    rerun.add_argument("--current", action="store_true",
                       help="run the notebook file as it is now, not its snapshot")  # fmt: skip
    rerun.add_argument("--isolated", action="store_true",
                       help="rebuild the run's environment in a new venv, run there")  # fmt: skip
    add_execution_options(
        rerun, "seconds: per cell for one run; per notebook (and per cell) for several"
    )
    rerun.add_argument("--rtol", type=float, default=1e-10, help="relative tolerance (1e-10)")
    rerun.add_argument("--atol", type=float, default=1e-12, help="absolute tolerance (1e-12)")
    rerun.add_argument("--json", action="store_true", help="print the report as JSON")
    rerun.set_defaults(handler=_rerun, error_code=2)

    sweep = commands.add_parser("sweep", help="run a notebook over a parameter grid, in parallel")
    sweep.add_argument("notebook", nargs="?", help="the notebook (not needed with --resume)")
    sweep.add_argument("-p", "--param", action="append", default=[], metavar="NAME=V1,V2",
                       help="values of one parameter, comma-separated")  # fmt: skip
    sweep.add_argument("--random", type=positive, metavar="N", help="run N random combinations")
    sweep.add_argument("--seed", type=int, help="seed of the random sample")
    sweep.add_argument("--workers", type=positive, default=2, help="parallel executions (2)")
    sweep.add_argument("--executor", default="local", help="local (default) or dask")
    sweep.add_argument("--scheduler", metavar="ADDRESS", help="dask scheduler, tcp://HOST:PORT")
    sweep.add_argument("--metric", help="sort results by this metric, best first")
    order = sweep.add_mutually_exclusive_group()
    order.add_argument("--maximize", dest="maximize", action="store_true", default=True)
    order.add_argument("--minimize", dest="maximize", action="store_false")
    sweep.add_argument("--resume", metavar="BATCH", help="run what is missing of a sweep batch")
    add_execution_options(sweep)
    sweep.add_argument("--json", action="store_true", help="print the results as JSON")
    sweep.set_defaults(handler=_sweep, error_code=2, create_store=True)


def _rerun(store: Store, args: argparse.Namespace) -> tuple[str, int]:
    from nbtrail.reproduce import reproduce
    from nbtrail.reproduce.params import parse_assignments
    from nbtrail.reproduce.render import rerun_report

    if _many(args):
        return _rerun_many(store, args)
    report = reproduce(
        args.run[0], parse_assignments(args.param), current=args.current, kernel=args.kernel,
        timeout=args.timeout, rtol=args.rtol, atol=args.atol, isolated=args.isolated,
        store=store,
    )  # fmt: skip
    text = json.dumps(report.to_dict(), indent=2, default=str) if args.json else None
    return text or rerun_report(report), report.exit_code


def _many(args: argparse.Namespace) -> bool:
    """Anything but exactly one RUN (and no report file) is a set of re-runs."""
    return len(args.run) != 1 or bool(args.notebook or args.all or args.filter or args.junit)


def _rerun_many(store: Store, args: argparse.Namespace) -> tuple[str, int]:
    from nbtrail.reproduce.batch import BatchOptions, rerun_many
    from nbtrail.reproduce.batch_render import batch_summary
    from nbtrail.reproduce.compare import Tolerance
    from nbtrail.reproduce.junit import write_junit
    from nbtrail.reproduce.params import parse_assignments
    from nbtrail.reproduce.rerun import RerunOptions
    from nbtrail.reproduce.targets import Selection

    selection = Selection(tuple(args.run), tuple(args.notebook), args.all, args.filter)
    rerun = RerunOptions(
        parameters=parse_assignments(args.param), current=args.current, kernel=args.kernel,
        timeout=args.timeout, tolerance=Tolerance(args.rtol, args.atol), isolated=args.isolated,
    )  # fmt: skip
    options = BatchOptions(rerun, args.executor, args.workers, args.scheduler)
    report = rerun_many(store, selection, options)
    if args.junit:
        write_junit(report, args.junit)
    text = json.dumps(report.to_dict(), indent=2, default=str) if args.json else None
    return text or batch_summary(report), report.exit_code


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
