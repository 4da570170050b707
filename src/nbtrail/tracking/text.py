"""How a run is named, summarised and reported back to the person at the notebook."""

from __future__ import annotations

import os
import sys
import traceback

from nbtrail.records import ExceptionInfo, Run, RunStatus


def status_of(error: BaseException | None) -> tuple[RunStatus, ExceptionInfo | None]:
    """A cell's exception as the run's status: Ctrl-C is an interruption, not a failure."""
    if error is None:
        return "finished", None
    info = ExceptionInfo(type(error).__name__, str(error), format_user_traceback(error))
    if isinstance(error, KeyboardInterrupt):
        return "interrupted", info
    return "failed", info


def format_user_traceback(error: BaseException) -> str:
    """The traceback as plain text, without IPython's own frames on top."""
    tb = error.__traceback__
    while tb is not None and "IPython" + os.sep in tb.tb_frame.f_code.co_filename:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(error), error, tb))


def default_name(source: str, execution_count: int | None) -> str:
    """A cell's first comment line, else ``In [N]``: stable across re-runs."""
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            text = stripped.lstrip("#").strip()
            if text:
                return text[:60]
        elif stripped:
            break
    return f"In [{execution_count}]" if execution_count is not None else "cell"


def summary_line(run: Run, short_id: str | None = None) -> str:
    """``short_id``: the form shown, one that resolves back (``Store.short_id``)."""
    metrics = ", ".join(f"{k}={v:.4g}" for k, v in list(run.latest_metrics().items())[:4])
    ins = sum(b.direction == "in" for b in run.bindings)
    outs = len(run.bindings) - ins
    shown = short_id or run.id[-8:]
    parts = [f"nbtrail: {run.status} run {shown} '{run.name}' in {run.duration or 0:.2f}s"]
    if metrics:
        parts.append(metrics)
    parts.append(f"{ins} in, {outs} out")
    hidden = [item["name"] for item in run.extra.get("hidden_state", ())]
    if hidden:
        parts.append("hidden state: " + ", ".join(hidden))
    return " · ".join(parts)


def announce(run: Run, short_id: str | None = None) -> None:
    """Show the summary line as plain display output, not as stderr.

    Frontends style stderr as an error; a finished run is not one. The
    metadata lets a frontend (or a test) tell nbtrail's line from the cell's.
    """
    from IPython.display import display

    metadata = {"nbtrail": {"run": run.id, "status": run.status}}
    display({"text/plain": summary_line(run, short_id)}, raw=True, metadata=metadata)


def print_warning(message: str) -> None:
    print(message, file=sys.stderr)
