"""``nbtrail runs`` as a terminal table: the columns a user chose, or the ones that differ.

Eight sweep runs named ``train`` must not look identical, so by default the
table shows the params whose values differ among the listed runs and the
metrics they logged, beside name, status and start.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from nbtrail.errors import NbtrailError
from nbtrail.records import Run
from nbtrail.report import short, table, when

DEFAULT_HEAD = ("run", "name", "status", "started", "duration")
MAX_PARAMS = 4
MAX_METRICS = 4
ATTRIBUTES = ("run", "name", "status", "started", "ended", "duration", "notebook", "cell",
              "batch", "parent", "note", "lifecycle", "tags")  # fmt: skip


def parse_columns(text: str) -> list[str]:
    """``"name,params.lr,metrics.accuracy"`` -> column names; unknown ones are one line."""
    columns = [c.strip() for c in text.split(",") if c.strip()]
    for column in columns:
        scope = column.split(".", 1)[0]
        if column not in ATTRIBUTES and not (
            "." in column and scope in ("params", "metrics", "tags")
        ):
            raise NbtrailError(
                f"unknown column {column!r} (use {', '.join(ATTRIBUTES)}, "
                "params.KEY, metrics.KEY or tags.KEY)"
            )
    if not columns:
        raise NbtrailError("name at least one column")
    return columns


def default_columns(runs: Sequence[Run]) -> list[str]:
    """Head columns, then params that differ among ``runs``, then their metrics."""
    values: dict[str, set[str]] = {}
    for run in runs:
        for param in run.params:
            values.setdefault(param.key, set()).add(short(param.value, 200))
    varying = [key for key, seen in values.items() if len(seen) > 1 or len(runs) == 1]
    metrics = sorted({key for run in runs for key in run.latest_metrics()})
    return [
        *DEFAULT_HEAD,
        *(f"params.{key}" for key in varying[:MAX_PARAMS]),
        *(f"metrics.{key}" for key in metrics[:MAX_METRICS]),
    ]


def render(
    runs: Sequence[Run],
    columns: Sequence[str] | None = None,
    short_id: Callable[[str], str] = lambda run_id: run_id[-8:],
) -> str:
    if not runs:
        return "no runs"
    chosen = list(columns) if columns else default_columns(runs)
    rows = [[cell(run, column, short_id) for column in chosen] for run in runs]
    return table(chosen, rows)


def cell(run: Run, column: str, short_id: Callable[[str], str]) -> str:
    scope, _, key = column.partition(".")
    if scope == "params" and key:
        params = run.param_dict()
        return short(params[key], 24) if key in params else ""
    if scope == "metrics" and key:
        value = run.latest_metrics().get(key)
        return "" if value is None else f"{value:.4g}"
    if scope == "tags" and key:
        return short(run.tags.get(key, ""), 24)
    return _attribute(run, column, short_id)


def _attribute(run: Run, column: str, short_id: Callable[[str], str]) -> str:
    if column == "run":
        return short_id(run.id)
    if column == "duration":
        return f"{run.duration:.2f}s" if run.duration is not None else "-"
    if column in ("started", "ended"):
        return when(run.started if column == "started" else run.ended)
    if column == "tags":
        return short(", ".join(f"{k}={v}" if v else k for k, v in run.tags.items()), 40)
    if column == "name":
        return short(run.name, 30)
    value = {"cell": run.cell_id, "note": run.note}.get(column, getattr(run, column, None))
    return short(value, 40) if value else ""
