"""``nbtrail export --to mlflow``: runs and registered models into an MLflow tracker."""

from __future__ import annotations

import argparse
import json
from typing import Any

from nbtrail.cli.common import RUN_HELP
from nbtrail.export import ExportSelection
from nbtrail.store import Store

TARGETS = ("mlflow",)


def register(commands: Any) -> None:
    """Add ``export`` to the ``nbtrail`` parser."""
    export = commands.add_parser(
        "export",
        help="copy runs and registered models into MLflow (idempotent)",
        description="Copy runs (all, or those selected) and the registered versions of their "
        "models into an MLflow tracking server or store. A second export adds nothing; "
        "a run changed since is updated.",
    )
    export.add_argument("runs", nargs="*", metavar="RUN", help=RUN_HELP)
    export.add_argument("--to", required=True, choices=TARGETS, help="where to export")
    export.add_argument(
        "--tracking-uri", metavar="URI", help="default: $MLFLOW_TRACKING_URI, else MLflow's"
    )
    export.add_argument(
        "--experiment", metavar="NAME", help="default: nbtrail (created when missing)"
    )
    export.add_argument("--batch", metavar="B", help="the runs of a sweep or re-run batch")
    export.add_argument("--notebook", metavar="PATH", help="the runs of one notebook")
    export.add_argument("--filter", metavar="EXPR", help='e.g. "metrics.accuracy > 0.9"')
    export.add_argument("--no-models", action="store_true", help="runs only, no model versions")
    export.add_argument("--trust", action="append", default=[], metavar="TYPE",
                        help="a type a model needs trusted to package it (repeat)")  # fmt: skip
    export.add_argument("--json", action="store_true")
    export.set_defaults(handler=_export)


def _export(store: Store, args: argparse.Namespace) -> tuple[str, int]:
    from nbtrail.export.mlflow import export

    selection = ExportSelection(tuple(args.runs), args.batch, args.notebook, args.filter)
    report = export(store, selection, args.tracking_uri, args.experiment,
                    models=not args.no_models, trusted=args.trust)  # fmt: skip
    text = json.dumps(report.to_dict(), indent=2) if args.json else report.text()
    return text, report.exit_code
