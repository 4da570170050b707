"""``nbtrail.show()`` and ``nbtrail.plot()`` find the configured store themselves."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from IPython.core.events import EventManager, available_events
from IPython.core.formatters import DisplayFormatter
from matplotlib.figure import Figure

import nbtrail
from nbtrail.store import Store
from nbtrail.widgets.api import _register_figure_formatter
from widgets.sweep_records import SWEEP, run_id


def test_show_lists_every_notebook_without_a_kernel(configured: Store) -> None:
    explorer = nbtrail.show(select=[run_id(0)[-8:], run_id(5)])
    assert len(explorer.browser.runs) == 8
    assert explorer.comparison.comparison is not None
    assert explorer._shell is None  # no kernel: nothing to watch


def test_show_scopes_to_this_notebook_and_watches_the_shell(
    configured: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NBTRAIL_NOTEBOOK", "other.ipynb")
    shell = SimpleNamespace(user_ns={}, kernel=object())
    shell.events = EventManager(shell, available_events)
    explorer = nbtrail.show(shell=shell)
    assert [run.notebook for run in explorer.browser.runs] == ["other.ipynb"]
    assert explorer._post_run_cell in shell.events.callbacks["post_run_cell"]
    explorer.close()
    assert shell.events.callbacks["post_run_cell"] == []
    assert len(nbtrail.show(all=True, shell=shell, watch=False).browser.runs) == 8


def test_plot_takes_records_ids_or_a_runs_frame(configured: Store) -> None:
    everything = nbtrail.plot("acc")
    (line,) = everything.axes[0].get_lines()
    assert list(line.get_ydata()) == [s["acc"] for s in SWEEP]
    frame = nbtrail.runs()
    best = frame[frame["metrics.acc"] > 0.85]
    fig = nbtrail.plot(metric="acc", by="lr", runs=best)
    assert list(fig.axes[0].get_lines()[0].get_xdata()) == [0.1]
    by_id = nbtrail.plot("loss", by="step", runs=[run_id(0)[:14], run_id(1)])
    assert len(by_id.axes[0].get_lines()) == 2
    records = configured.list_runs()[-2:]
    assert isinstance(nbtrail.plot("acc", runs=records), Figure)


def test_figures_render_in_ipython_without_pyplot() -> None:
    shell = SimpleNamespace(display_formatter=DisplayFormatter())
    fig = Figure()
    fig.add_subplot().plot([1, 2])
    _register_figure_formatter(shell)
    _register_figure_formatter(shell)  # idempotent
    data, _ = shell.display_formatter.format(fig)
    assert data["image/png"][:4] == b"\x89PNG"
