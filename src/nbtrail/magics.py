"""``%%track`` and ``%nbtrail``: IPython's way in, thin over tracking and the store."""

from __future__ import annotations

import shlex
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from nbtrail import report
from nbtrail.directive import parse_value
from nbtrail.errors import NbtrailError
from nbtrail.records import parse_tag
from nbtrail.tracking import Tracker, TrackOptions


@magics_class
class TrackMagics(Magics):
    def __init__(self, shell: Any, tracker: Tracker) -> None:
        super().__init__(shell)
        self.tracker = tracker

    @magic_arguments()
    @argument("name", nargs="?", default=None, help="Run name (default: the first comment line).")
    @argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="Record a parameter; VALUE is read as a Python literal when it is one.",
    )
    @argument(
        "-t",
        "--tag",
        action="append",
        default=[],
        metavar="KEY[=VALUE]",
        help="Tag the run (e.g. -t stage=candidate).",
    )
    @argument("--quiet", action="store_true", help="Do not print the run's summary line.")
    @cell_magic
    def track(self, line: str, cell: str) -> None:
        """Record every execution of this cell as an nbtrail run.

        The cell runs exactly as it would without the magic. nbtrail records its
        source, the values it read and wrote (with content hashes), files it read
        and wrote, figures, metrics and parameters logged with ``nbtrail.log_*``,
        its status and exception, and the environment, then prints one line.
        """
        # The cell transformer normally removes the %%track line before IPython
        # sees a magic; this path runs only for run_cell_magic('track', ...).
        options = parse_track_line(line)
        assert self.shell is not None
        outer = self.shell.displayhook.exec_result
        nested = self.tracker.is_tracking()
        if nested:  # one run per executed cell: the outer one keeps its inputs and outputs
            self.tracker._warn(
                "nbtrail: %%track inside a tracked cell is not a run of its own; "
                "its body is recorded as part of the outer run"
            )
        else:
            with self.tracker.guard("start tracking the cell"):
                self.tracker.begin(options, cell, None)
        result = self.shell.run_cell(cell, store_history=False)
        error = result.error_before_exec or result.error_in_exec
        if not nested:
            with self.tracker.guard("record the run"):
                self.tracker.finish(error)
        if error is not None and outer is not None:
            outer.error_in_exec = error  # the cell's reply carries the error, shown once

    @magic_arguments()
    @argument("command", choices=["runs", "show", "diff", "rerun"], help="What to do.")
    @argument("runs", nargs="*", help="Run ids (or unique prefixes) for show and diff.")
    @argument("--all", action="store_true", help="runs: every notebook, not only this one.")
    @argument("--limit", type=int, default=20, help="runs: how many (default 20).")
    @line_magic
    def nbtrail(self, line: str) -> None:
        """Look at recorded runs: ``%nbtrail runs``, ``show RUN``, ``diff A B``, ``rerun RUN``."""
        args = parse_argstring(self.nbtrail, line)
        try:
            if args.command == "runs":  # the widget browser; its text/plain is the table
                from IPython.display import display

                from nbtrail.widgets import show

                store = self.tracker.store
                display(show(args.all, limit=args.limit, store=store, shell=self.shell))
                return
            print(self._render(args))
        except NbtrailError as exc:
            print(f"nbtrail: {exc}")

    def _render(self, args: Any) -> str:
        store = self.tracker.store
        if args.command == "show" and len(args.runs) == 1:
            return report.show_run(store, store.get_run(args.runs[0]))
        if args.command == "diff" and len(args.runs) == 2:
            from nbtrail.diff import diff_runs

            return report.show_diff(diff_runs(store, args.runs[0], args.runs[1]))
        if args.command == "rerun" and len(args.runs) == 1:
            from nbtrail.reproduce.magic import rerun_in_thread

            return rerun_in_thread(args.runs[0], store)
        return f"usage: %nbtrail {args.command} " + (
            "RUN_A RUN_B" if args.command == "diff" else "RUN"
        )


def parse_track_line(line: str) -> TrackOptions:
    """Parse ``%%track`` arguments; raises IPython's UsageError on bad ones.

    Quoting is a shell's (``"baseline model" -p note="x y"``): IPython's own
    splitter keeps the quotes in the words, which no user means.
    """
    try:
        words = shlex.split(line, posix=True)
    except ValueError as exc:  # "No closing quotation"
        raise UsageError(f"cannot parse {line!r}: {str(exc).lower()}") from None
    args = TrackMagics.track.parser.parse_args(words)
    params: dict[str, Any] = {}
    for item in args.param:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"-p expects KEY=VALUE, got {item!r}")
        params[key.strip()] = parse_value(value)
    tags = dict(parse_tag(tag) for tag in args.tag)
    return TrackOptions(name=args.name, params=params, tags=tags, quiet=args.quiet)
