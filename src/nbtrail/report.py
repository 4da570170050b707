"""Plain-text views of runs for the terminal and the ``%nbtrail`` magic."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: ``nbtrail runs`` need not import the diff
    from nbtrail.diff import Change, RunDiff
    from nbtrail.records import Run
    from nbtrail.store import Store


def when(timestamp: float | None) -> str:
    if timestamp is None:
        return "-"
    return dt.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


def short(value: Any, width: int = 40) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= width else text[: width - 1] + "…"


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=False)]
    lines = [header, ["-" * w for w in widths], *rows]
    return "\n".join(
        "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=False)).rstrip()
        for row in lines
    )


def show_run(store: Store, run: Run) -> str:
    lines = [
        f"run {run.id}  {run.name!r}  {run.status}",
        f"  notebook   {run.notebook or '-'}  "
        f"(cell {run.cell_id or '-'}, In [{run.execution_count}])",
        f"  started    {when(run.started)}  duration {run.duration or 0:.3f}s",
    ]
    origin = _notebook_origin(run)
    if origin:
        lines.append(f"  snapshot   {origin}")
    if run.tags:
        tags = ", ".join(f"{key}={value}" if value else key for key, value in run.tags.items())
        lines.append(f"  tags       {tags}")
    if run.note:
        lines.append(f"  note       {run.note}")
    if run.lifecycle != "active":
        lines.append(f"  lifecycle  {run.lifecycle}")
    if run.parent or run.batch:
        lines.append(f"  parent     {run.parent or '-'}  batch {run.batch or '-'}")
    if run.exception:
        lines.append(f"  exception  {run.exception.type}: {run.exception.message}")
    for item in run.extra.get("hidden_state", ()):
        lines.append(f"  warning    hidden state: {item['name']} {item['reason']}")
    lines += _section("params", [[p.key, short(p.value), p.origin] for p in run.params])
    lines += _section("metrics", [[k, f"{v:.6g}"] for k, v in run.latest_metrics().items()])
    lines += _section(
        "bindings",
        [
            [b.direction, b.name, b.kind, (b.hash or "-")[:12], short(_brief(b.summary), 50)]
            for b in run.bindings
        ],
    )
    lines += _section(
        "artifacts", [[a.name, a.media_type, f"{a.size} B", a.hash[:12]] for a in run.artifacts]
    )
    env = store.get_environment(run.env_hash) if run.env_hash else None
    if env is not None:
        git = (env.git.get("commit") or "-")[:10]
        lines.append(
            f"  environment python {env.python.split()[0]}, {len(env.packages)} packages, git {git}"
        )
    for reproduction in store.list_reproductions(run.id)[:5]:
        summary = reproduction.report.get("summary", "")
        lines.append(
            f"  re-run     {when(reproduction.created)} {reproduction.verdict}"
            f" (batch {reproduction.batch[-8:]}){': ' + summary if summary else ''}"
        )
    lines += ["  source", *("    " + line for line in run.source.splitlines())]
    return "\n".join(lines)


def _brief(summary: dict[str, Any]) -> str:
    for key in ("shape", "value", "path", "class", "length"):
        if key in summary:
            return f"{key}={short(summary[key], 40)}"
    return ""


def _section(title: str, rows: list[list[str]]) -> list[str]:
    if not rows:
        return []
    return [
        f"  {title}",
        *("    " + line for line in table([""] * len(rows[0]), rows).splitlines()[2:]),
    ]


def show_diff(diff: RunDiff) -> str:
    if diff.identical:
        return f"runs {diff.a} and {diff.b} are the same"
    lines = [f"diff {diff.a} -> {diff.b}"]
    if diff.status:
        lines.append(f"  status: {diff.status.a} -> {diff.status.b}")
    lines += _changes("params", diff.params)
    lines += _changes("metrics", diff.metrics)
    if diff.bindings:
        lines.append("  data")
        for change in diff.bindings:
            hashes = f"{(change.hash_a or '-')[:12]} -> {(change.hash_b or '-')[:12]}"
            lines.append(f"    {change.direction} {change.name}: {hashes}")
            lines += [f"      {c.key}: {short(c.a)} -> {short(c.b)}" for c in change.details[:20]]
    lines += _changes("environment", diff.environment)
    lines += _changes("packages", diff.packages)
    if diff.source:
        lines += ["  source", *("    " + line for line in diff.source.splitlines())]
    return "\n".join(lines)


def _changes(title: str, changes: tuple[Change, ...]) -> list[str]:
    if not changes:
        return []
    return [f"  {title}", *(f"    {c.key}: {short(c.a)} -> {short(c.b)}" for c in changes)]


def _notebook_origin(run: Run) -> str:
    """How the notebook was found and what its snapshot holds (for re-runs)."""
    snapshot = run.extra.get("notebook") or {}
    parts = []
    if snapshot.get("snapshot") == "reconstructed":
        parts.append("reconstructed from the cells the kernel executed")
    elif snapshot.get("hash"):
        parts.append("the notebook file as executed")
    if snapshot.get("found_by"):
        parts.append(f"found by {snapshot['found_by']}")
    if run.extra.get("cwd"):
        parts.append(f"ran in {run.extra['cwd']}")
    return "; ".join(parts)
