"""The runs browser over a real store: rows, filtering, sorting, selection."""

from __future__ import annotations

from nbtrail.store import Store
from nbtrail.widgets.browser import RunsBrowser
from nbtrail.widgets.html import esc
from widgets.sweep_records import EVIL, run_id


def browser_over(store: Store) -> RunsBrowser:
    return RunsBrowser(store.list_runs())


def column(browser: RunsBrowser, title: str) -> list[str]:
    header, *rows = browser.rows()
    return [row[header.index(title)] for row in rows]


def header_button(browser: RunsBrowser, title: str) -> object:
    buttons = browser.grid.children[1 : len(browser.columns.all) + 1]
    return next(b for b in buttons if b.description.split(" ")[0] == title)


def test_rows_show_key_params_and_metrics_newest_first(store: Store) -> None:
    browser = browser_over(store)
    header, *rows = browser.rows()
    assert header == ["id", "name", "status", "started", "duration", "depth", "lr", "acc", "loss"]
    assert len(rows) == 8
    assert column(browser, "name")[:2] == [EVIL, "diverged"]
    assert column(browser, "acc")[-1] == "0.8" and column(browser, "lr")[-1] == "0.01"
    assert column(browser, "id")[-1] == run_id(0)[-8:]
    # one checkbox and one HTML cell per column in each row, after the header row
    width = 1 + len(header)
    assert len(browser.grid.children) == width * (1 + len(rows))
    assert "8 of 8 runs" in browser.summary.value


def test_recorded_markup_is_escaped_in_cells(store: Store) -> None:
    browser = browser_over(store)
    cells = [getattr(child, "value", "") for child in browser.grid.children]
    assert not any("<script>" in str(value) for value in cells)
    assert any(esc(EVIL) in str(value) for value in cells)


def test_filter_text_and_status_narrow_rows(store: Store) -> None:
    browser = browser_over(store)
    browser.text_box.value = "lr=0.1"  # what typing does (linked to filter_text)
    assert browser.filter_text == "lr=0.1"
    assert column(browser, "lr") == ["0.1", "0.1"]
    assert "2 of 8 runs" in browser.summary.value
    browser.text_box.value = ""
    browser.status_box.value = "failed"
    assert column(browser, "name") == ["diverged"]
    browser.status = ""
    assert len(browser.rows()) == 9


def test_header_click_sorts_and_flips(store: Store) -> None:
    browser = browser_over(store)
    header_button(browser, "acc").click()  # type: ignore[attr-defined]
    assert (browser.sort_by, browser.descending) == ("metrics.acc", True)
    assert column(browser, "acc")[:3] == ["0.9", "0.86", "0.82"]
    assert column(browser, "acc")[-1] == "\u2014"  # runs without the metric last
    assert "\u25bc" in header_button(browser, "acc").description  # type: ignore[attr-defined]
    header_button(browser, "acc").click()  # type: ignore[attr-defined]
    assert column(browser, "acc")[:3] == ["0.7", "0.75", "0.8"]
    header_button(browser, "name").click()  # type: ignore[attr-defined]
    assert (browser.sort_by, browser.descending) == ("name", False)
    assert column(browser, "name")[0] == EVIL  # "<" sorts before letters


def test_checkboxes_and_selected_stay_in_sync(store: Store) -> None:
    browser = browser_over(store)
    boxes = browser._checkboxes
    boxes[run_id(1)].value = True
    boxes[run_id(4)].value = True
    assert browser.selected == (run_id(1), run_id(4))
    assert "2 selected" in browser.summary.value
    browser.text_box.value = "depth=5"  # re-rendered rows keep their checks
    assert browser._checkboxes[run_id(4)].value is True
    browser._checkboxes[run_id(4)].value = False
    assert browser.selected == (run_id(1),)  # hidden by the filter, still selected
    browser.select(run_id(2)[-8:], run_id(3))
    assert browser._checkboxes[run_id(3)].value is True
    browser.clear_button.click()
    assert browser.selected == ()
    assert not any(box.value for box in browser._checkboxes.values())


def test_max_rows_limits_drawn_rows(store: Store) -> None:
    browser = browser_over(store)
    browser.max_rows = 3
    assert len(browser.rows()) == 4
    assert "first 3 drawn" in browser.summary.value
