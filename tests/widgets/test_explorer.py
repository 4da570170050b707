"""Selecting runs opens a comparison; new runs appear after the next cell."""

from __future__ import annotations

from types import SimpleNamespace

from IPython.core.events import EventManager, available_events

from nbtrail.store import Store
from nbtrail.widgets.comparison import DIFF_MARK, build_comparison
from nbtrail.widgets.explorer import RunsExplorer
from nbtrail.widgets.model import RunSource
from widgets.sweep_records import EVIL, make_run, run_id


def explorer_over(store: Store, notebook: str | None = None) -> RunsExplorer:
    return RunsExplorer(RunSource(store, notebook=notebook))


def test_selecting_two_runs_compares_them(store: Store) -> None:
    explorer = explorer_over(store)
    assert explorer.comparison.comparison is None
    assert explorer.comparison.children == (explorer.comparison.title,)
    explorer.browser.selected = (run_id(1), run_id(4))
    comparison = explorer.comparison.comparison
    assert comparison is not None
    assert [r.id for r in comparison.runs] == [run_id(1), run_id(4)]
    assert comparison.highlighted("params") == {"depth": (run_id(4),)}
    assert comparison.highlighted("metrics") == {"acc": (run_id(4),)}  # loss curves equal
    assert {row.key: row.values for row in comparison.params} == {
        "depth": (3, 5),
        "lr": (0.1, 0.1),
    }
    # the output model differs (different hash), the input data does not
    assert comparison.highlighted("inputs") == {}
    assert comparison.highlighted("outputs") == {"model": (run_id(4),)}
    env = {row.key: row.values for row in comparison.environment}
    assert env == {"git.commit": ("abc123", "def456"), "package.numpy": ("2.0.0", "2.1.0")}
    assert comparison.sources[1].startswith("--- run")


def test_comparison_view_highlights_what_differs(store: Store) -> None:
    explorer = explorer_over(store)
    explorer.select(run_id(0), run_id(3), run_id(4))
    view = explorer.comparison
    assert view.children == (view.title, view.tabs)
    assert view.tabs.titles == ("Params & metrics", "Data", "Environment", "Code")
    params = view.sections["Params & metrics"].value
    # vs run 0: run 3 differs in depth and acc; run 4 also in lr and the loss curve
    assert params.count("nbtrail-differs") == 2 + 4
    data = view.sections["Data"].value
    assert f"bbbbbbbbbbbb {DIFF_MARK}" in data  # run 3 read different data
    assert "aaaaaaaaaaaa</td>" in data  # baseline unmarked
    environment = view.sections["Environment"].value
    assert "def456" in environment and "package.numpy" in environment
    assert "epochs=2" in view.sections["Code"].value
    assert "same code as the baseline" in view.sections["Code"].value
    explorer.browser.selected = (run_id(0),)
    assert view.comparison is None


def test_comparison_escapes_recorded_text(store: Store) -> None:
    runs = [store.get_run(run_id(0)), store.get_run(run_id(7))]
    explorer = explorer_over(store)
    explorer.select(run_id(0), run_id(7))
    view = explorer.comparison
    values = [view.title.value, *(section.value for section in view.sections.values())]
    assert not any("<script>" in value for value in values)
    assert "&lt;script&gt;" in explorer.comparison.sections["Code"].value
    assert build_comparison(runs, {}).missing_environments == (run_id(0), run_id(7))


def test_new_runs_appear_after_the_next_cell_until_closed(store: Store) -> None:
    shell = SimpleNamespace()
    shell.events = EventManager(shell, available_events)
    explorer = explorer_over(store, notebook="sweep.ipynb")
    explorer.watch(shell)
    assert len(explorer.browser.runs) == 7
    shell.events.trigger("post_run_cell", None)  # nothing written: nothing re-listed
    runs_before = explorer.browser.runs
    store.save_run(make_run(30, lr=0.2, depth=3, acc=0.88, name="fresh"))
    assert explorer.browser.runs is runs_before
    shell.events.trigger("post_run_cell", None)
    assert explorer.browser.rows()[1][1] == "fresh"
    assert len(explorer.browser.runs) == 8
    explorer.close()
    assert explorer._post_run_cell not in shell.events.callbacks["post_run_cell"]


def test_a_closed_browser_unregisters_itself(store: Store) -> None:
    shell = SimpleNamespace()
    shell.events = EventManager(shell, available_events)
    explorer = explorer_over(store)
    explorer.watch(shell)
    explorer.comm = None  # what a frontend-closed widget looks like
    shell.events.trigger("post_run_cell", None)
    assert shell.events.callbacks["post_run_cell"] == []


def test_refresh_failures_warn_once_and_never_raise(store: Store, capsys) -> None:  # type: ignore[no-untyped-def]
    shell = SimpleNamespace()
    shell.events = EventManager(shell, available_events)
    explorer = explorer_over(store)
    explorer.watch(shell)
    explorer.source.changed = lambda: 1 / 0  # type: ignore[method-assign]
    shell.events.trigger("post_run_cell", None)
    shell.events.trigger("post_run_cell", None)
    assert capsys.readouterr().err.count("could not refresh the runs browser") == 1
    explorer.close()


def test_mimebundle_carries_text_and_html_fallbacks(store: Store) -> None:
    bundle = explorer_over(store)._repr_mimebundle_()
    assert bundle is not None
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "diverged" in bundle["text/plain"]
    assert "nbtrail-runs" in bundle["text/html"] and "<script>" not in bundle["text/html"]
    assert EVIL not in bundle["text/html"]
