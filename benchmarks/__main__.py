"""``python -m benchmarks [--quick] [--only GROUP ...]``: measure, print the table, write JSON.

Groups run in a fixed order: fresh-process figures first, then in-process
figures that need a small heap (cell overhead), then the ones that allocate
gigabytes, so one group's garbage never lands in another's timings.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

from benchmarks import report
from benchmarks.context import FULL, QUICK, Context
from benchmarks.timing import Figure

GROUPS = (
    "startup",
    "cli",
    "cell",
    "models",
    "workflow",
    "store",
    "postgres",
    "scaling",
    "sweeps",
    "reruns",
    "firstread",
    "throughput",
    "serving",
)
DEFAULT_OUT = Path(__file__).parent / "results" / "latest.json"


def unavailable(group: str) -> str:
    """Why a group cannot run here (empty when it can)."""
    if group == "sweeps" and importlib.util.find_spec("nbtrail.reproduce.sweep") is None:
        return "nbtrail.reproduce has no sweep API yet"
    if group == "postgres":
        from benchmarks.postgres import unavailable as postgres_unavailable

        return postgres_unavailable()
    return ""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes (the smoke test)")
    parser.add_argument("--only", nargs="+", choices=GROUPS, help="run only these groups")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write JSON")
    parser.add_argument("--markdown", action="store_true", help="also print a Markdown table")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    ctx = Context(QUICK if args.quick else FULL)
    started = time.perf_counter()
    figures: list[Figure] = []
    timings: dict[str, float] = {}
    failed: dict[str, str] = {}
    load_before = os.getloadavg()[0]
    try:
        for group in args.only or GROUPS:
            if why := unavailable(group):
                ctx.skipped[group] = why
                continue
            print(f"benchmarks: {group} ...", file=sys.stderr, flush=True)
            t0 = time.perf_counter()
            try:
                module = importlib.import_module(f"benchmarks.{group}")
                figures += module.collect(ctx)
            except Exception as exc:  # one broken group must not hide the others' figures
                failed[group] = f"{type(exc).__name__}: {exc}"
                traceback.print_exc()
            timings[group] = time.perf_counter() - t0
            print(f"benchmarks: {group} took {timings[group]:.1f} s", file=sys.stderr)
    finally:
        ctx.close()
    report.write_json(
        args.out,
        {
            "mode": ctx.sizes.name,
            "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "seconds": time.perf_counter() - started,
            "group_seconds": timings,
            "machine": report.machine(),
            "load_average": {"before": load_before, "after": os.getloadavg()[0]},
            "figures": [figure.to_dict() for figure in figures],
            "skipped": ctx.skipped,
            "failed": failed,
        },
    )
    print(report.text_table(figures))
    print()
    print(report.legend(figures, ctx.skipped))
    if args.markdown:
        print()
        print(report.markdown_table(figures))
    print(f"\n{len(figures)} figures in {time.perf_counter() - started:.0f} s; wrote {args.out}")
    if load_before > (os.cpu_count() or 1):
        print(f"warning: load average was {load_before:.1f} when the benchmark started")
    for group, reason in failed.items():
        print(f"FAILED group {group}: {reason}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
