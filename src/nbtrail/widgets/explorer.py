"""The controller: reads records from a :class:`RunSource`, hands them to the views.

``nbtrail.show()`` returns a :class:`RunsExplorer`: the browser above, the
comparison below. Selecting two or more runs in the browser loads their full
records (bindings, environments) and shows the comparison. After every cell the
kernel runs, one cheap ``Store.revision()`` check tells whether new runs arrived;
only then are the runs listed again. The hook is unregistered when the widget is
closed (or when it finds its widget closed), so a cleared output does not leave
work behind forever.
"""

from __future__ import annotations

import sys
from typing import Any

import ipywidgets as widgets

from nbtrail.runs_table import render as runs_table
from nbtrail.widgets.browser import RunsBrowser
from nbtrail.widgets.comparison import ComparisonView, build_comparison
from nbtrail.widgets.html import runs_html
from nbtrail.widgets.model import RunSource


class RunsExplorer(widgets.VBox):
    """Runs browser + comparison, kept up to date while the kernel runs cells."""

    def __init__(self, source: RunSource, **kwargs: Any) -> None:
        self._shell: Any = None  # first: close() may run from __del__ after a failed init
        self.source = source
        self.browser = RunsBrowser()
        self.comparison = ComparisonView()
        self._warned = False
        super().__init__(children=[self.browser, self.comparison], **kwargs)
        self.browser.observe(self._on_selected, names="selected")
        self.refresh(force=True)

    # -- records -> views ---------------------------------------------------
    def refresh(self, force: bool = False) -> bool:
        """List the runs again if the store changed; returns whether it did."""
        if not force and not self.source.changed():
            return False
        self.browser.runs = self.source.load()
        return True

    def _on_selected(self, change: dict[str, Any]) -> None:
        self.show_comparison(change["new"])

    def show_comparison(self, run_ids: tuple[str, ...]) -> None:
        if len(run_ids) < 2:
            self.comparison.show(None)
            return
        runs, envs = self.source.details(run_ids)
        self.comparison.show(build_comparison(runs, envs))

    def select(self, *run_ids: str) -> RunsExplorer:
        """Select runs (ids or the short ids the table shows); returns self for display."""
        self.browser.select(*run_ids)
        return self

    # -- live updates -------------------------------------------------------
    def watch(self, shell: Any) -> None:
        """Refresh after every cell ``shell`` runs (IPython's ``post_run_cell``)."""
        self.unwatch()
        shell.events.register("post_run_cell", self._post_run_cell)
        self._shell = shell

    def unwatch(self) -> None:
        if getattr(self, "_shell", None) is not None:
            self._shell.events.unregister("post_run_cell", self._post_run_cell)
            self._shell = None

    def _post_run_cell(self, result: Any) -> None:
        if self.comm is None:  # closed: nobody can see it any more
            self.unwatch()
            return
        try:
            self.refresh()
        except Exception as exc:  # a browser must never break the user's cell
            if not self._warned:
                self._warned = True
                print(f"nbtrail: could not refresh the runs browser ({exc})", file=sys.stderr)

    def close(self) -> None:
        self.unwatch()
        for child in (self.browser, self.comparison):
            child.close()
        super().close()

    # -- display ------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        """The widget, plus a text table and an HTML table where widgets do not render."""
        bundle: dict[str, Any] | None = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        shown = self.browser.visible[: self.browser.max_rows]
        bundle["text/plain"] = runs_table(shown)
        bundle["text/html"] = runs_html(shown, self.browser.columns)
        return bundle
