"""``%load_ext nbtrail``: wires the tracker into one IPython shell.

The cell transformer and the two event hooks are the whole integration; see
:mod:`nbtrail.directive` for why a tracked cell is not run by the magic itself.
"""

from __future__ import annotations

from typing import Any

from IPython.core.error import UsageError

from nbtrail.directive import WRAPPERS, split_directive, split_wrapped, strip_directive
from nbtrail.magics import TrackMagics, parse_track_line
from nbtrail.tracking import Tracker, install


class CellHooks:
    """``pre_run_cell`` / ``post_run_cell`` handlers around every cell."""

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker
        self.depth = 0  # cells run from inside a cell (shell.run_cell) are not brackets
        self.tracking = False

    def pre_run_cell(self, info: Any) -> None:
        self.depth += 1
        if self.depth > 1:
            return
        tracker = self.tracker
        source = info.raw_cell or ""
        directive = split_directive(source) or self._wrapped(source)
        if directive is None:
            return
        line, body = directive
        try:
            options = parse_track_line(line)
        except UsageError as exc:
            tracker._warn(f"nbtrail: %%track: {exc} (the cell runs untracked)")
            return
        self.tracking = True
        with tracker.guard("start tracking the cell"):
            try:
                tracker.begin(options, body, info.cell_id, source)
            except BaseException:
                self.tracking = False
                tracker.abandon()
                raise

    def _wrapped(self, source: str) -> tuple[str, str] | None:
        """``%%time`` (or ``%%capture``) above ``%%track``: track the body below both."""
        wrapped = split_wrapped(source)
        if wrapped is None:
            return None
        magic, line, body = wrapped
        if magic in WRAPPERS:
            return line, body
        self.tracker._warn(
            f"nbtrail: %%track must be the cell's first line (below %%time at most), "
            f"not below %%{magic}; the cell runs untracked"
        )
        return None

    def post_run_cell(self, result: Any) -> None:
        self.depth = max(0, self.depth - 1)
        if self.depth > 0 or result is None:
            return
        count = result.execution_count
        with self.tracker.guard("note the cell"):
            info = result.info
            raw = info.raw_cell or ""
            code = getattr(info, "transformed_cell", None) or self.tracker.shell.transform_cell(raw)
            failed = result.error_before_exec is not None or result.error_in_exec is not None
            self.tracker.note_cell(count, info.cell_id, raw, code, failed)
        if not self.tracking:
            return
        self.tracking = False
        error = result.error_before_exec or result.error_in_exec
        with self.tracker.guard("record the run"):
            try:
                self.tracker.finish(error, count)
            except BaseException:
                self.tracker.abandon()
                raise


_installed: dict[int, CellHooks] = {}


def load_ipython_extension(shell: Any) -> None:
    if id(shell) in _installed:
        return
    tracker = Tracker(shell)
    hooks = CellHooks(tracker)
    install(tracker)
    shell.register_magics(TrackMagics(shell, tracker))
    shell.input_transformers_cleanup.append(strip_directive)
    shell.events.register("pre_run_cell", hooks.pre_run_cell)
    shell.events.register("post_run_cell", hooks.post_run_cell)
    _installed[id(shell)] = hooks


def unload_ipython_extension(shell: Any) -> None:
    hooks = _installed.pop(id(shell), None)
    if hooks is None:
        return
    if strip_directive in shell.input_transformers_cleanup:
        shell.input_transformers_cleanup.remove(strip_directive)
    shell.events.unregister("pre_run_cell", hooks.pre_run_cell)
    shell.events.unregister("post_run_cell", hooks.post_run_cell)
    hooks.tracker.abandon()
    install(None)
