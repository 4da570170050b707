"""Static HTML for runs: readable, and every recorded string escaped."""

from __future__ import annotations

from nbtrail.store import Store
from nbtrail.widgets.html import RunTable, runs_html
from widgets.sweep_records import EVIL, run_id


def test_run_card_escapes_name_and_source(store: Store) -> None:
    run = store.get_run(run_id(7))
    card = run._repr_html_()
    assert "<script>" not in card
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in card  # name and source
    assert card.count("&lt;script&gt;") == 2
    assert "<details><summary>source</summary>" in card


def test_run_card_shows_params_metrics_data_and_exception(store: Store) -> None:
    card = store.get_run(run_id(4))._repr_html_()
    for text in ("lr", "0.1", "depth", "acc", "0.9", "loss", "dataframe", "aaaaaaaaaaaa", "env-b"):
        assert text in card
    failed = store.get_run(run_id(6))._repr_html_()
    assert "ValueError" in failed and "boom" in failed and "#c92a2a" in failed


def test_run_table_renders_lists_of_runs(store: Store) -> None:
    table = RunTable(store.list_runs())
    html = table._repr_html_()
    assert html.count("<tr>") == 1 + 8
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "diverged" in repr(table)
    assert runs_html([]) == "<p><em>no runs</em></p>"
    assert EVIL not in html
