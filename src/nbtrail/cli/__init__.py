"""The ``nbtrail`` command: the same store, from a terminal.

Every problem nbtrail can explain ends as one line on stderr and a non-zero
exit code; tracebacks are for bugs only. Each module of this package adds
one group of subcommands (``register(commands)``) whose handlers take the
store and the parsed arguments and return the text to print (and an exit
code, when it is not 0).

A command imports only the modules of its own group: ``nbtrail runs`` must
start in a few interpreter start-ups, so the groups that need papermill,
pandas or scikit-learn are registered only when asked for (or for ``--help``).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from nbtrail.errors import NbtrailError
from nbtrail.store import open_store

#: Modules of this package that add subcommands, in the order ``--help`` lists them.
COMMAND_MODULES = ("runs", "manage", "reproduce", "env", "models", "export", "serving")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``command``, groups are registered only up to the one that has it."""
    parser = argparse.ArgumentParser(prog="nbtrail", description="Notebook experiment runs.")
    parser.add_argument(
        "--store", help="store folder or URL (default: $NBTRAIL_STORE or .nbtrail/)"
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"nbtrail.cli.{name}").register(commands)
        if command is not None and command in commands.choices:
            break
    return parser


def requested_command(argv: Sequence[str]) -> str | None:
    """The subcommand named on the command line, before any group is imported."""
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--store")
    try:
        _, rest = early.parse_known_args(argv)
    except SystemExit:  # a malformed --store: the full parser says what is wrong
        return None
    return next((arg for arg in rest if not arg.startswith("-")), None)


class _Version(argparse.Action):
    """``--version``, looked up only when asked (``importlib.metadata`` costs 30 ms)."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        print(f"nbtrail {_version()}")  # stdout, as argparse's version action prints
        parser.exit()


def _version() -> str:
    """The installed distribution's version: the one pip and bug reports know."""
    import importlib.metadata

    try:
        return importlib.metadata.version("nbtrail")
    except importlib.metadata.PackageNotFoundError:  # a source tree on sys.path
        from nbtrail import __version__

        return __version__


#: ``nbtrail.reproduce.imports.SLOW_OPTIONAL``, named here because importing that
#: module imports the ``nbtrail.reproduce`` package (papermill, nbformat), which
#: ``nbtrail runs`` must not pay for.
SLOW_OPTIONAL = ("rfc3987_syntax",)


def _skip_slow_optional_imports() -> None:
    for name in SLOW_OPTIONAL:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]


def main(argv: Sequence[str] | None = None) -> int:
    _skip_slow_optional_imports()  # this process is ours: rerun/sweep start 1.6 s sooner
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(requested_command(argv)).parse_args(argv)
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
