"""The ``nbtrail`` command: the same store, from a terminal.

Every problem nbtrail can explain ends as one line on stderr and a non-zero
exit code; tracebacks are for bugs only. Each module of this package adds
one group of subcommands (``register(commands)``) whose handlers take the
store and the parsed arguments and return the text to print (and an exit
code, when it is not 0).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import sys
from collections.abc import Sequence

from nbtrail.errors import NbtrailError
from nbtrail.store import open_store

#: Modules of this package that add subcommands, in the order ``--help`` lists them.
COMMAND_MODULES = ("runs", "reproduce", "env", "models")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nbtrail", description="Notebook experiment runs.")
    parser.add_argument(
        "--store", help="store folder or URL (default: $NBTRAIL_STORE or .nbtrail/)"
    )
    parser.add_argument("--version", action="version", version=f"nbtrail {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"nbtrail.cli.{name}").register(commands)
    return parser


def _version() -> str:
    """The installed distribution's version: the one pip and bug reports know."""
    try:
        return importlib.metadata.version("nbtrail")
    except importlib.metadata.PackageNotFoundError:  # a source tree on sys.path
        from nbtrail import __version__

        return __version__


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
