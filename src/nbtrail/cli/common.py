"""Small argument helpers shared by the command modules."""

from __future__ import annotations

import argparse

RUN_HELP = "run id as displayed (or full, or a unique prefix), name, NAME~N, or @last"


def add_execution_options(
    parser: argparse.ArgumentParser, timeout_help: str = "per-cell timeout in seconds"
) -> None:
    parser.add_argument("--kernel", help="kernel name (default: the notebook's)")
    parser.add_argument("--timeout", type=float, metavar="S", help=timeout_help)


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
