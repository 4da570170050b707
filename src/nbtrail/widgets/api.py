"""``nbtrail.show()`` and ``nbtrail.plot()``: the public way into the views.

Importing this module is cheap (``import nbtrail`` imports it); ipywidgets and
matplotlib are imported when a view or plot is first asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from nbtrail.records import Run, RunQuery
from nbtrail.store import Store

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from nbtrail.widgets.explorer import RunsExplorer


def show(
    all: bool = False,  # mirrors `%nbtrail runs --all`
    *,
    limit: int | None = 200,
    select: Sequence[str] = (),
    watch: bool | None = None,
    store: Store | None = None,
    shell: Any = None,
) -> RunsExplorer:
    """A runs browser for this notebook (``all=True``: every notebook).

    Filter, sort and select runs; selecting two or more shows a comparison.
    ``select`` pre-selects runs by id (or the short id the table shows). The
    browser refreshes after each cell when new runs were written (``watch``:
    default on inside a Jupyter kernel).
    """
    from nbtrail.widgets.explorer import RunsExplorer
    from nbtrail.widgets.model import RunSource, this_notebook

    shell = shell if shell is not None else _shell()
    source = RunSource(store=store, limit=limit)
    if not all:
        source.notebook = this_notebook(shell, source.store)
    explorer = RunsExplorer(source)
    if select:
        explorer.select(*select)
    if watch is None:
        watch = getattr(shell, "kernel", None) is not None
    if watch and shell is not None:
        explorer.watch(shell)
    return explorer


def plot(
    metric: str,
    by: str | Sequence[str] | None = None,
    runs: Any = None,
    *,
    store: Store | None = None,
) -> Figure:
    """A matplotlib figure of ``metric`` across runs.

    ``by``: ``None`` plots each run's last value in start order; ``"step"`` one
    curve per run over logged steps; a param name a one-parameter sweep; two
    names a heatmap; more a parallel-coordinates view. ``runs``: records, run
    ids, a DataFrame from ``nbtrail.runs()`` (its ``run_id`` column), or ``None``
    for every run in the store.
    """
    from nbtrail.widgets.plots import plot_runs

    figure = plot_runs(_resolve_runs(runs, store), metric, by)
    _register_figure_formatter(_shell())
    return figure


def _resolve_runs(runs: Any, store: Store | None) -> list[Run]:
    if runs is not None and all(isinstance(run, Run) for run in runs):
        return list(runs)
    store = store or _default_store()
    if runs is None:
        return store.list_runs(RunQuery())
    if hasattr(runs, "columns") and "run_id" in runs.columns:
        runs = _frame_ids(runs)
    ids = [str(run) for run in runs]
    wanted = {store.resolve_run_id(run_id) for run_id in ids}
    # list_runs carries every logged step of every metric; get_run would too but
    # also loads bindings the plots never look at.
    return [run for run in store.list_runs(RunQuery()) if run.id in wanted]


def _frame_ids(frame: pd.DataFrame) -> list[str]:
    return [str(value) for value in frame["run_id"]]


def _default_store() -> Store:
    from nbtrail.store import open_store
    from nbtrail.tracking import current_tracker

    tracker = current_tracker()
    return tracker.store if tracker is not None else open_store(create=False)


def _shell() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return None
    return get_ipython()


def _register_figure_formatter(shell: Any) -> None:
    """Let a returned ``Figure`` render as PNG even if pyplot was never imported.

    IPython learns to draw figures when matplotlib's inline backend loads, which
    happens on ``import matplotlib.pyplot``; plots built with ``Figure()`` alone
    would otherwise show as ``<Figure size 640x360 with 1 Axes>``.
    """
    if shell is None:
        return
    from IPython.core.pylabtools import print_figure
    from matplotlib.figure import Figure

    formatter = shell.display_formatter.formatters["image/png"]
    try:
        formatter.lookup_by_type(Figure)
    except KeyError:
        formatter.for_type(Figure, lambda figure: print_figure(figure, "png"))
