"""The runs table: filter text, status filter, sortable columns, row selection.

Built from stock ipywidgets (a ``GridBox`` of checkboxes, header buttons and
``HTML`` cells) with ``@observe`` handlers, so it renders wherever ipywidgets do
(JupyterLab, classic Notebook, VS Code, Colab) without custom JavaScript. The
browser is given records (``browser.runs = [...]``); it never sees a store.
Its state lives in traits (``filter_text``, ``status``, ``sort_by``,
``descending``, ``selected``) so code and tests can drive it like a person.
"""

from __future__ import annotations

import html
import re
from typing import Any

import ipywidgets as widgets
from ipywidgets.widgets.widget_bool import CheckboxStyle
from ipywidgets.widgets.widget_string import HTMLStyle
from traitlets import Bool, Instance, Int, List, Tuple, Unicode, observe

from nbtrail.records import Run
from nbtrail.widgets.html import cell_text, column_title
from nbtrail.widgets.model import (
    STATUSES,
    Columns,
    filter_problem,
    filter_runs,
    key_columns,
    sort_runs,
)

_ARROWS = {True: " \u25bc", False: " \u25b2"}


class RunsBrowser(widgets.VBox):
    """A table of runs a person can filter, sort and select from."""

    runs = List(Instance(Run), help="The records to show (newest first, as listed).")
    filter_text = Unicode("", help="Substring of name, id, tags, notebook, params.")
    status = Unicode("", help="Only runs with this status; empty for any.")
    sort_by = Unicode("started", help="Column to sort by (e.g. 'name', 'metrics.acc').")
    descending = Bool(True)
    selected = Tuple(help="Ids of the selected runs, in the order they were selected.")
    max_rows = Int(50, help="Rows drawn at most; the filter narrows the rest.")

    def __init__(self, runs: list[Run] | None = None, **kwargs: Any) -> None:
        self.text_box = widgets.Text(
            placeholder="filter: name, tag, param=value", layout=widgets.Layout(width="260px")
        )
        self.status_box = widgets.Dropdown(
            options=[("any status", ""), *((s, s) for s in STATUSES)],
            layout=widgets.Layout(width="140px"),
        )
        self.clear_button = widgets.Button(description="clear selection", button_style="")
        self.summary = widgets.HTML()
        self.grid = widgets.GridBox(layout=widgets.Layout(grid_gap="0px 6px"))
        self.columns = Columns((), ())
        self.visible: list[Run] = []
        self._checkboxes: dict[str, widgets.Checkbox] = {}
        self._syncing = False
        # Every widget has a layout and a style model of its own unless given
        # one; sharing them makes a table of N cells N models instead of 3N.
        self._shared = {
            "cell": {"layout": widgets.Layout(), "style": HTMLStyle()},
            "box": {"layout": widgets.Layout(width="24px"), "style": CheckboxStyle()},
            "head": {"layout": widgets.Layout(width="auto"), "style": widgets.ButtonStyle()},
        }
        super().__init__(
            children=[
                widgets.HBox([self.text_box, self.status_box, self.clear_button, self.summary]),
                self.grid,
            ],
            **kwargs,
        )
        widgets.link((self.text_box, "value"), (self, "filter_text"))
        widgets.link((self.status_box, "value"), (self, "status"))
        self.clear_button.on_click(lambda _: self.set_trait("selected", ()))
        self.runs = list(runs or [])
        self.render()

    # -- state -> view ------------------------------------------------------
    @observe("runs", "filter_text", "status", "sort_by", "descending", "max_rows")
    def _on_view_change(self, change: dict[str, Any]) -> None:
        if change["name"] == "runs":
            known = {run.id for run in self.runs}
            kept = tuple(run_id for run_id in self.selected if run_id in known)
            if kept != self.selected:
                self.selected = kept
        self.render()

    @observe("selected")
    def _on_selected(self, change: dict[str, Any]) -> None:
        self._syncing = True
        try:
            for run_id, box in self._checkboxes.items():
                box.value = run_id in self.selected
        finally:
            self._syncing = False
        self._update_summary()

    def render(self) -> None:
        """Rebuild the table from the current runs, filter and sort order."""
        shown = filter_runs(self.runs, self.filter_text, self.status)
        self.columns = key_columns(self.runs)
        names = self.columns.all
        if self.sort_by not in names:
            self.sort_by = "started"  # re-renders through the observer
            return
        self.visible = sort_runs(shown, self.sort_by, self.descending)
        old = list(self.grid.children)
        self._checkboxes = {}
        cells: list[widgets.Widget] = [widgets.HTML("")]
        cells += [self._header(column) for column in names]
        for run in self.visible[: self.max_rows]:
            box = widgets.Checkbox(
                value=run.id in self.selected, indent=False, **self._shared["box"]
            )
            box.observe(self._checkbox_handler(run.id), names="value")
            self._checkboxes[run.id] = box
            cells.append(box)
            cells += [
                widgets.HTML(cell_text(run, column), **self._shared["cell"]) for column in names
            ]
        self.grid.layout.grid_template_columns = "24px " + " ".join("max-content" for _ in names)
        self.grid.children = cells
        for widget in old:
            widget.close()  # free their comms; a browser re-renders on every keystroke
        self._update_summary()

    def _header(self, column: str) -> widgets.Button:
        arrow = _ARROWS[self.descending] if column == self.sort_by else ""
        button = widgets.Button(
            description=column_title(column) + arrow,
            tooltip=f"sort by {column}",
            **self._shared["head"],
        )
        button.on_click(lambda _: self.sort(column))
        return button

    def _update_summary(self) -> None:
        drawn = min(len(self.visible), self.max_rows)
        more = f" (first {drawn} drawn)" if drawn < len(self.visible) else ""
        problem = filter_problem(self.filter_text)
        self.summary.value = html.escape(
            f"{len(self.visible)} of {len(self.runs)} runs{more} \u00b7 "
            f"{len(self.selected)} selected"
            + (" \u2014 select two or more to compare" if len(self.selected) < 2 else "")
            + (f" \u2014 {problem}: searching as text" if problem else "")
        )

    def close(self) -> None:
        """Close the cells too: a ``VBox`` does not close its children."""
        for widget in self.grid.children:
            widget.close()
        super().close()

    # -- view -> state ------------------------------------------------------
    def _checkbox_handler(self, run_id: str) -> Any:
        def handle(change: dict[str, Any]) -> None:
            if self._syncing:
                return
            if change["new"] and run_id not in self.selected:
                self.selected = (*self.selected, run_id)
            elif not change["new"] and run_id in self.selected:
                self.selected = tuple(i for i in self.selected if i != run_id)

        return handle

    def sort(self, column: str) -> None:
        """What clicking a header does: sort by it, or flip the order if already sorted."""
        with self.hold_trait_notifications():
            if column == self.sort_by:
                self.descending = not self.descending
            else:
                self.sort_by = column
                self.descending = column in ("started", "duration") or column.startswith("metrics.")

    def select(self, *run_ids: str) -> None:
        """Select runs by id or unique id suffix/prefix as shown in the table."""
        resolved = []
        for wanted in run_ids:
            hits = [r.id for r in self.runs if r.id.startswith(wanted) or r.id.endswith(wanted)]
            if len(hits) != 1:
                raise KeyError(f"{wanted!r} matches {len(hits)} runs in the browser")
            resolved.append(hits[0])
        self.selected = tuple(dict.fromkeys(resolved))

    def rows(self) -> list[list[str]]:
        """The drawn table as text (column titles first): what a person sees, for tests."""
        names = self.columns.all
        table = [[column_title(c) for c in names]]
        for run in self.visible[: self.max_rows]:
            table.append([html.unescape(re.sub(r"<[^>]+>", "", cell_text(run, c))) for c in names])
        return table
