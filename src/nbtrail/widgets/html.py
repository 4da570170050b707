"""Static HTML for runs: a card for one run, a table for many.

This is what a bare ``run`` expression shows (``Run._repr_html_``), and the
fallback a widget carries for places that render HTML but not widgets (nbviewer,
GitHub, papermill output). Every recorded string goes through :func:`esc`: names,
sources, params and tracebacks are user data and may contain markup.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from nbtrail.records import Run
from nbtrail.widgets.model import Columns, key_columns, value_of

STATUS_COLORS = {
    "finished": "#2b8a3e",
    "failed": "#c92a2a",
    "running": "#1864ab",
    "interrupted": "#e67700",
}
#: Background of a value that differs from the baseline run.
DIFF_BACKGROUND = "#fff3bf"

_TABLE = 'style="border-collapse:collapse;font-size:12px;margin:2px 0"'
_CELL = "padding:2px 8px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top"


def esc(value: Any) -> str:
    """Any value as escaped text (``None`` as an em dash)."""
    return "\u2014" if value is None else html.escape(str(value), quote=True)


def fmt(value: Any) -> str:
    """A value as a person reads it in a table cell (not escaped)."""
    if value is None:
        return "\u2014"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.4g}" if math.isfinite(value) else str(value)
    return str(value)


def when(timestamp: float | None) -> str:
    if timestamp is None:
        return "\u2014"
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


def seconds(duration: float | None) -> str:
    return "\u2014" if duration is None else f"{duration:.2f}s"


def status_badge(status: str) -> str:
    color = STATUS_COLORS.get(status, "#495057")
    return f'<span style="color:{color};font-weight:600">{esc(status)}</span>'


def cell_text(run: Run, column: str) -> str:
    """Escaped HTML for one table cell, shared by the widget table and this module."""
    if column == "status":
        return status_badge(run.status)
    if column == "started":
        return esc(when(run.started))
    if column == "duration":
        return esc(seconds(run.duration))
    if column == "id":
        return f'<code title="{esc(run.id)}">{esc(run.id[-8:])}</code>'
    return esc(fmt(value_of(run, column)))


def column_title(column: str) -> str:
    return column.split(".", 1)[1] if "." in column else column


def table(header: Sequence[str], rows: Sequence[Sequence[str]], attrs: str = "") -> str:
    """An HTML table from already-escaped header and cell strings."""
    head = "".join(f'<th style="{_CELL}">{h}</th>' for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td style="{_CELL}">{c}</td>' for c in row) + "</tr>" for row in rows
    )
    return f"<table {_TABLE} {attrs}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def runs_html(runs: Sequence[Run], columns: Columns | None = None) -> str:
    """A table of runs with their key params and metrics."""
    if not runs:
        return "<p><em>no runs</em></p>"
    columns = columns or key_columns(runs)
    names = columns.all
    header = [esc(column_title(c)) for c in names]
    rows = [[cell_text(run, c) for c in names] for run in runs]
    return table(header, rows, 'class="nbtrail-runs"')


def run_html(run: Run) -> str:
    """A readable card for one run: facts, params, metrics, data, artifacts, source."""
    facts = [
        ("id", f"<code>{esc(run.id)}</code>"),
        ("notebook", esc(run.notebook)),
        ("cell", f"{esc(run.cell_id)} (In [{esc(run.execution_count)}])"),
        ("started", esc(when(run.started))),
        ("duration", esc(seconds(run.duration))),
        ("environment", f"<code>{esc(short_hash(run.env_hash))}</code>"),
    ]
    if run.tags:
        facts.append(("tags", esc(", ".join(run.tags))))
    if run.batch or run.parent:
        facts.append(("batch / parent", f"{esc(run.batch)} / {esc(run.parent)}"))
    parts = [
        f'<div class="nbtrail-run" style="font-size:12px">'
        f"<b>{esc(run.name)}</b> {status_badge(run.status)}",
        table(["", ""], [[esc(k), v] for k, v in facts]),
    ]
    if run.exception is not None:
        exc = run.exception
        parts.append(
            f"<details><summary><b>{esc(exc.type)}</b>: {esc(exc.message)}</summary>"
            f"<pre>{esc(exc.traceback)}</pre></details>"
        )
    if run.params:
        rows = [[esc(p.key), esc(fmt(p.value)), esc(p.origin)] for p in run.params]
        parts.append(table(["param", "value", "origin"], rows))
    if run.metrics:
        steps: dict[str, int] = {}
        for metric in run.metrics:
            steps[metric.key] = steps.get(metric.key, 0) + 1
        rows = [[esc(k), esc(fmt(v)), esc(steps[k])] for k, v in run.latest_metrics().items()]
        parts.append(table(["metric", "last value", "values logged"], rows))
    if run.bindings:
        rows = [
            [esc(b.direction), esc(b.name), esc(b.kind), f"<code>{esc(short_hash(b.hash))}</code>"]
            for b in run.bindings
        ]
        parts.append(table(["", "data", "kind", "hash"], rows))
    if run.artifacts:
        rows = [[esc(a.name), esc(a.media_type), esc(a.size)] for a in run.artifacts]
        parts.append(table(["artifact", "type", "bytes"], rows))
    if run.source:
        parts.append(f"<details><summary>source</summary><pre>{esc(run.source)}</pre></details>")
    parts.append("</div>")
    return "".join(parts)


def short_hash(digest: str | None) -> str | None:
    return None if digest is None else digest[:12]


class RunTable:
    """A list of runs that renders as a table: ``RunTable(store.list_runs())``.

    A plain ``list`` cannot carry ``_repr_html_``; this thin wrapper can, without
    subclassing ``list`` or touching IPython's global formatters.
    """

    def __init__(self, runs: Sequence[Run]) -> None:
        self.runs = list(runs)

    def __len__(self) -> int:
        return len(self.runs)

    def __repr__(self) -> str:
        from nbtrail.runs_table import render as runs_table

        return runs_table(self.runs)

    def _repr_html_(self) -> str:
        return runs_html(self.runs)
