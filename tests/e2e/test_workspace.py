"""End to end: the runs workspace in a real JupyterLab over a known store.

One JupyterLab for the module, its store written beforehand through the
Store interface (``seed.py``); every figure the test expects is computed from
those records, never typed in. Screenshots land in ``build/e2e/``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Locator, Page, expect

from e2e.conftest import SCREENSHOTS, Lab
from e2e.seed import MODEL, SERVED, Seeded, seed
from e2e.ui import assert_readable, run_command_from_palette, screenshot, set_theme
from nbtrail.records import Run

#: One JupyterLab for the module, also under pytest-xdist (with --dist loadgroup).
pytestmark = pytest.mark.xdist_group("e2e-workspace")


@pytest.fixture(scope="module")
def seeded(lab: Lab) -> Seeded:
    return seed(lab.root)


@pytest.fixture
def workspace(lab: Lab, seeded: Seeded, page: Page) -> Iterator[Locator]:
    """JupyterLab with the workspace opened from the command palette ("Open runs")."""
    lab.open(page)
    run_command_from_palette(page, "Open runs")
    ws = page.locator(".nbtrail-workspace")
    expect(ws.locator(".nbtrail-ws-table tbody tr").first).to_be_visible()
    yield ws


def accuracy(run: Run) -> float:
    return float(run.latest_metrics()["accuracy"])


def rows(ws: Locator) -> Locator:
    return ws.locator(
        ".nbtrail-ws-runs > .nbtrail-ws-scroll .nbtrail-ws-table tbody tr[data-run-id]"
    )


def first_ids(ws: Locator, n: int) -> list[str]:
    return [rows(ws).nth(i).get_attribute("data-run-id") or "" for i in range(n)]


def test_table_pages_sorts_filters_and_chooses_columns(
    workspace: Locator, seeded: Seeded, page: Page
) -> None:
    ws = workspace
    total = len(seeded.active)
    expect(ws.locator(".nbtrail-ws-range")).to_have_text(f"1\u201350 of {total}")
    expect(rows(ws)).to_have_count(50)
    ws.get_by_role("button", name="Next").click()
    expect(ws.locator(".nbtrail-ws-range")).to_have_text(f"51\u2013{total} of {total}")
    expect(rows(ws)).to_have_count(total - 50)

    # Param and metric columns show by default; sorting is the server's, over every page.
    header = ws.locator(".nbtrail-ws-runs thead")
    expect(header.locator("th[data-column='metrics.accuracy']")).to_be_visible()
    expect(header.locator("th[data-column='params.lr']")).to_be_visible()
    header.get_by_role("button", name="accuracy").click()
    best = max(seeded.active, key=accuracy)
    expect(ws.locator(".nbtrail-ws-range")).to_have_text(f"1\u201350 of {total}")
    expect(rows(ws).first).to_have_attribute("data-run-id", best.id)
    expect(header.locator("th[data-column='metrics.accuracy']")).to_have_attribute(
        "aria-sort", "descending"
    )
    header.get_by_role("button", name="accuracy").click()
    worst = min(seeded.active, key=lambda r: (accuracy(r), r.id))
    expect(header.locator("th[data-column='metrics.accuracy']")).to_have_attribute(
        "aria-sort", "ascending"
    )
    assert accuracy(next(r for r in seeded.active if r.id == first_ids(ws, 1)[0])) == accuracy(
        worst
    )

    # The column chooser adds the tag column.
    ws.get_by_role("button", name="Columns").click()
    ws.locator(".nbtrail-ws-chooser label", has_text="stage").locator("input").check()
    ws.get_by_role("button", name="Done").click()
    expect(header.locator("th[data-column='tags.stage']")).to_be_visible()

    # The filter language, then a filter the server refuses: its one line, shown.
    box = ws.get_by_role("searchbox", name="Filter runs")
    box.fill("params.depth = '5' AND metrics.accuracy > 0.8")
    expected = [r for r in seeded.active if r.param_dict().get("depth") == 5 and accuracy(r) > 0.8]
    expect(ws.locator(".nbtrail-ws-range")).to_have_text(
        f"1\u2013{len(expected)} of {len(expected)}"
    )
    assert set(first_ids(ws, len(expected))) == {r.id for r in expected}
    tagged = next(r for r in expected if r.tags.get("stage"))
    tag_cell = ws.locator(f"tr[data-run-id='{tagged.id}'] td").last
    expect(tag_cell).to_have_text(tagged.tags["stage"])
    box.fill("metrics.accuracy >")
    error = ws.locator(".nbtrail-filter-error")
    expect(error).to_contain_text("position")
    expect(rows(ws)).to_have_count(0)
    box.fill("")
    expect(error).to_have_count(0)
    screenshot(page, SCREENSHOTS, "workspace-table-light")


def test_groups_show_sweeps_and_rerun_verdicts(
    workspace: Locator, seeded: Seeded, page: Page
) -> None:
    ws = workspace
    ws.get_by_role("combobox", name="Group by").select_option("batch")
    sweep = ws.locator(f".nbtrail-ws-group[data-group='{seeded.sweep_batch}']")
    expect(sweep).to_contain_text("sweep")
    expect(sweep).to_contain_text(f"{len(seeded.sweep)} runs")
    rerun = ws.locator(f".nbtrail-ws-group[data-group='{seeded.rerun_batch}']")
    expect(rerun.locator(".nbtrail-verdict")).to_have_text("reproduced")
    sweep.locator(".nbtrail-ws-group-toggle").click()
    expect(sweep.locator("tbody tr[data-run-id]")).to_have_count(len(seeded.sweep))
    # A sweep's runs charted at once: parallel coordinates of lr and depth.
    sweep.get_by_role("button", name="Chart group").click()
    expect(ws.locator(".nbtrail-ws-charts > p")).to_have_text(f"{len(seeded.sweep)} selected runs.")
    parallel = ws.locator("[data-chart='parallel']")
    expect(parallel.locator("[role=figure]")).to_have_attribute(
        "aria-label", "parallel coordinates of depth, lr and accuracy"
    )
    expect(parallel.locator(".nbtrail-chart-host").locator("canvas, svg").first).to_be_visible()
    ws.get_by_role("tab", name="Runs").click()
    sweep.get_by_role("button", name="Show in table").click()
    expect(ws.get_by_role("searchbox", name="Filter runs")).to_have_value(
        f"batch = '{seeded.sweep_batch}'"
    )
    expect(ws.locator(".nbtrail-ws-range")).to_have_text(
        f"1\u2013{len(seeded.sweep)} of {len(seeded.sweep)}"
    )
    screenshot(page, SCREENSHOTS, "workspace-sweep-light")


def test_charts_and_compare_n_in_both_themes(
    workspace: Locator, seeded: Seeded, page: Page
) -> None:
    ws = workspace
    ws.get_by_role("searchbox", name="Filter runs").fill("name = 'forest' OR name = 'train'")
    chosen = [*seeded.sweep[:3], seeded.forest[0], seeded.forest[1]]
    for run in chosen:
        ws.locator(f"tr[data-run-id='{run.id}'] input[type=checkbox]").check()
    expect(ws.locator(".nbtrail-ws-selection")).to_contain_text(f"{len(chosen)} selected")
    assert_readable(page, ".nbtrail-ws-table tr.jp-mod-selected td")

    ws.get_by_role("button", name="Chart").click()
    for chart in ("steps", "parallel", "scatter"):
        drawn = ws.locator(f"[data-chart='{chart}'] .nbtrail-chart-host").locator("canvas, svg")
        expect(drawn.first).to_be_visible(timeout=20_000)
    screenshot(page, SCREENSHOTS, "workspace-charts-light")

    ws.get_by_role("tab", name="Compare").click()
    table = ws.locator(".nbtrail-ws-compare-table")
    expect(table.locator("thead th[data-run-id]")).to_have_count(len(chosen))
    # Baseline: the first ticked run; the best sweep run against it is better on accuracy.
    acc = table.locator("tr[data-key='accuracy']")
    best = max(chosen[1:], key=accuracy)
    column = [r.id for r in chosen].index(best.id) + 1
    mark = "better" if accuracy(best) > accuracy(chosen[0]) else "worse"
    expect(acc.locator("td").nth(column - 1)).to_contain_text(mark)
    table.locator(f"thead th[data-run-id='{chosen[-1].id}']").get_by_role(
        "button", name="Use as baseline"
    ).click()
    expect(table.locator(f"thead th[data-run-id='{chosen[-1].id}']")).to_contain_text("baseline")
    expect(table.locator(".nbtrail-ws-figures img")).to_have_count(2)  # the two forest figures
    changed = (
        ".nbtrail-ws-compare-table tr.nbtrail-changed th,"
        " .nbtrail-ws-compare-table td[class*='nbtrail-mark-']"
    )
    assert_readable(page, changed)
    screenshot(page, SCREENSHOTS, "workspace-compare-light")

    set_theme(page, dark=True)
    assert_readable(page, changed)
    screenshot(page, SCREENSHOTS, "workspace-compare-dark")
    ws.get_by_role("tab", name="Runs").click()
    assert_readable(page, ".nbtrail-ws-table tr.jp-mod-selected td")
    screenshot(page, SCREENSHOTS, "workspace-table-dark")
    ws.get_by_role("tab", name="Charts").click()
    expect(
        ws.locator("[data-chart='steps'] .nbtrail-chart-host").locator("canvas, svg").first
    ).to_be_visible()
    screenshot(page, SCREENSHOTS, "workspace-charts-dark")
    set_theme(page, dark=False)


def test_models_view_shows_versions_aliases_and_history(
    workspace: Locator, seeded: Seeded, page: Page
) -> None:
    ws = workspace
    ws.get_by_role("tab", name="Models").click()
    models = ws.locator(".nbtrail-ws-models")
    expect(models.locator(".nbtrail-ws-model", has_text=MODEL)).to_contain_text("production: v2")
    expect(models.locator(".nbtrail-ws-version")).to_have_count(2)
    expect(models.locator("tr[data-alias='production']")).to_contain_text("version 2")
    history = models.locator(".nbtrail-ws-history tbody tr")
    expect(history).to_have_count(2)
    expect(history.first).to_contain_text("v1 → v2")
    expect(history.first).to_contain_text("forced")
    # A version links to its run: the sidebar opens that run.
    v1 = models.locator(".nbtrail-ws-version[data-version='1']")
    v1.get_by_role("button", name=f"run forest {seeded.forest[0].id[-8:]}").click()
    sidebar = page.locator("#nbtrail-runs")
    expect(sidebar.locator(".nbtrail-detail-sub")).to_contain_text(seeded.forest[0].id[-8:])
    expect(sidebar.locator(".nbtrail-note")).to_have_value("the forest baseline")
    # The served version: its inference log's traffic per day, and why drift is not shown.
    served = models.locator(".nbtrail-ws-served[data-served='2']")
    served.get_by_role("button", name="Traffic and drift (30d)").click()
    rows = served.locator(".nbtrail-ws-traffic tbody tr")
    expect(rows).to_have_count(len(SERVED))
    for day, count in SERVED.items():  # the refused request counts as traffic and an error
        refused = 1 if day == max(SERVED) else 0
        expect(rows.filter(has_text=day)).to_contain_text(f"{day}{count + refused}{refused}")
    expect(served.locator(".nbtrail-ws-drift")).to_contain_text("has no training profile")
    screenshot(page, SCREENSHOTS, "workspace-models-light")
