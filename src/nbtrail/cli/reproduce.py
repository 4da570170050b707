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
        help="execute a run's notebook again and check it reproduces (exit 0 yes, 1 no)",
    )
    rerun.add_argument("run", help=RUN_HELP)
    rerun.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE",
                       help="override a parameter (typed like papermill -p)")  # fmt: skip
    rerun.add_argument("--current", action="store_true",
                       help="run the notebook file as it is now, not its snapshot")  # fmt: skip
    add_execution_options(rerun)
    rerun.add_argument("--rtol", type=float, default=1e-7, help="relative tolerance for metrics")
    rerun.add_argument("--atol", type=float, default=0.0, help="absolute tolerance for metrics")
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
