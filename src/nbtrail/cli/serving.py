"""``nbtrail serve URI`` and ``nbtrail monitor URI``: serve a version, watch what it sees."""

from __future__ import annotations

import argparse
import json
from typing import Any

from nbtrail.cli.common import positive
from nbtrail.store import Store

URI_HELP = "models:/NAME/VERSION or models:/NAME@ALIAS"


def register(commands: Any) -> None:
    serve = commands.add_parser("serve", help="serve a version with MLflow's scoring server")
    serve.add_argument("model", help=URI_HELP)
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=positive, default=5000)
    serve.add_argument("--workers", type=positive, default=1)
    serve.add_argument("--log-dir", help="inference log folder (default: $NBTRAIL_INFERENCE_LOG "
                       "or the store's objects/inference)")  # fmt: skip
    serve.add_argument("--no-log", action="store_true", help="serve without an inference log")
    serve.add_argument(
        "--flush-seconds",
        type=float,
        default=1.0,
        help="longest wait before logged requests are written (default 1)",
    )
    serve.add_argument(
        "--trust",
        action="append",
        default=[],
        help="a type to trust when packaging (repeat); never read from the file",
    )
    serve.set_defaults(handler=_serve)

    mon = commands.add_parser("monitor", help="drift of served traffic from the training data")
    mon.add_argument("model", help=URI_HELP)
    mon.add_argument("--since", help="only requests since: 30m, 12h, 1d, a date or an ISO time")
    mon.add_argument("--data", help="compare this CSV/Parquet file instead of the log")
    mon.add_argument(
        "--reference", help="a CSV/Parquet file to use instead of the training profile"
    )
    mon.add_argument("--json", action="store_true")
    mon.add_argument("--figures", metavar="DIR", help="write a PNG per drifted column")
    mon.add_argument("--log-dir", help="inference log folder")
    mon.add_argument("--number-method", default="wasserstein", help="wasserstein, psi or ks")
    mon.add_argument("--category-method", default="jensenshannon",
                     help="jensenshannon or chisquare")  # fmt: skip
    mon.add_argument("--number-threshold", type=float, help="default: the method's (see docs)")
    mon.add_argument("--category-threshold", type=float, help="default: the method's")
    mon.set_defaults(handler=_monitor)


def _serve(store: Store, args: argparse.Namespace) -> str:
    from nbtrail.serving.runner import ServeOptions, prepare, serve

    options = ServeOptions(args.host, args.port, args.workers, not args.no_log, args.log_dir,
                           tuple(args.trust), args.flush_seconds)  # fmt: skip
    config = prepare(store, args.model, options)
    store.close()  # the workers never touch the store: they write Parquet only
    serve(config, options)
    return "server stopped"


def _monitor(store: Store, args: argparse.Namespace) -> tuple[str, int]:
    from nbtrail.monitoring.drift import DriftOptions
    from nbtrail.monitoring.monitor import MonitorRequest, monitor
    from nbtrail.serving.since import parse_since

    options = DriftOptions(args.number_method, args.category_method, args.number_threshold,
                           args.category_threshold)  # fmt: skip
    request = MonitorRequest(args.model, parse_since(args.since), args.data, args.reference,
                             options, args.log_dir)  # fmt: skip
    result = monitor(store, request)
    report = result.report
    text = json.dumps(report.to_dict(), indent=2) if args.json else report.text()
    if args.figures:
        from nbtrail.monitoring.figures import save_figures

        drifted = [c for c in report.columns if c.drifted]
        written = save_figures(args.figures, result.reference, result.current, drifted)
        if written and not args.json:
            text += f"\nfigures: {', '.join(str(p) for p in written)}"
    return text, 1 if report.drifted else 0
