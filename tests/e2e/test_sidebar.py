"""End to end: a real JupyterLab, Debian's Chromium driven by Playwright, a real kernel.

The test types a ``%%track`` cell into a new notebook and watches the run appear
in the Runs sidebar through live updates (no reload), opens it, tags it, notes
it, jumps back to the cell, re-runs it through the server's job manager
(following each cell's new run and the per-cell report), compares two runs in
the sidebar and three in the workspace, archives one, and checks the sidebar at
its default width in the light and dark themes: no truncated button, no
wrapped key/value line, highlighted and diff rows readable (4.5:1). The
screenshots it leaves in ``build/e2e/`` are for a human to look at.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from e2e.conftest import SCREENSHOTS, Lab
from e2e.ui import assert_readable, overflowing, screenshot, set_theme, wrapped_lines

PANEL = '.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="nbtrail-runs"]'
TRACKED_CELL = (
    '%%track demo\nimport nbtrail\nscores = {"train": [0.9, 0.93], "seed": 7}\n'
    'nbtrail.log_metric("acc", 0.93)'
)
#: About ten seconds of work, logging a step metric as it goes.
SLOW_CELL = (
    "%%track slow\nimport time\n"
    'for i in range(20): nbtrail.log_metric("loss", 1 / (i + 1), step=i); time.sleep(0.5)'
)
#: A short hash as the sidebar shows it: the first 8 hex digits.
HASH_PREFIX = re.compile(r"^[0-9a-f]{8}$")
#: JupyterLab's left sidebar opens about this wide; the panel must be readable there.
DEFAULT_WIDTH = 300

pytestmark = [pytest.mark.kernel, pytest.mark.xdist_group("e2e-sidebar")]


def run_cell(page: Page, source: str) -> None:
    """Type into the last cell (the empty one Shift+Enter leaves) and run it."""
    editor = page.locator(".jp-Notebook .jp-Cell .cm-content").last
    editor.click()
    lines = source.split("\n")
    for i, line in enumerate(lines):
        page.keyboard.type(line)
        if i < len(lines) - 1:
            page.keyboard.press("Enter")
            page.keyboard.press("Home")  # no auto-indent carried over
    page.keyboard.press("Shift+Enter")


def check_compact(page: Page, panel: Locator) -> None:
    """Readable at the default width: no truncated button, no wrapped key/value line."""
    box = panel.bounding_box()
    assert box is not None and box["width"] <= DEFAULT_WIDTH, box
    assert overflowing(page, "#nbtrail-runs button") == []
    assert (
        wrapped_lines(page, "#nbtrail-runs .nbtrail-line dt, #nbtrail-runs .nbtrail-line dd") == []
    )


def test_a_tracked_run_lives_in_the_sidebar(lab: Lab, page: Page) -> None:
    lab.open(page)
    page.locator('.jp-LauncherCard[data-category="Notebook"]').first.click()
    # The kernel is connected (not merely "no kernel yet") once the status bar says Idle.
    expect(page.locator("#jp-main-statusbar")).to_contain_text("| Idle", timeout=60_000)

    page.locator(PANEL).click()
    panel = page.locator("#nbtrail-runs")
    expect(panel).to_contain_text("No runs yet")

    run_cell(page, "%load_ext nbtrail")
    first = page.locator(".jp-Notebook .jp-Cell").first
    expect(first.locator(".jp-InputPrompt")).to_have_text("[1]:")
    expect(first.locator(".jp-OutputArea-output")).to_have_count(0)  # loaded without a word
    run_cell(page, TRACKED_CELL)
    expect(page.locator(".jp-OutputArea-output").last).to_contain_text("nbtrail: finished run")

    # Live update: the list polls the store's revision; nothing reloads the page.
    run = panel.locator(".nbtrail-run", has_text="demo")
    expect(run).to_contain_text("0.93", timeout=10_000)
    check_compact(page, panel)
    screenshot(page, SCREENSHOTS, "sidebar-list-light")
    run.locator(".nbtrail-run-open").click()

    detail = panel.locator(".nbtrail-detail")
    expect(detail.locator(".nbtrail-detail-title")).to_contain_text("demo")
    metrics = detail.locator(".nbtrail-section", has_text="Metrics")
    expect(metrics.locator(".nbtrail-line", has_text="acc")).to_contain_text("0.93")
    expect(detail.locator(".nbtrail-source")).to_contain_text("nbtrail.log_metric")
    # A written value: name, kind, short hash, then its summary as key/value lines.
    scores = detail.locator(".nbtrail-binding", has_text="scores")
    expect(scores.locator(".nbtrail-hash")).to_have_text(HASH_PREFIX)
    expect(scores.locator(".nbtrail-line").first).to_be_visible()
    assert "{" not in (scores.locator(".nbtrail-lines").text_content() or "")
    check_compact(page, panel)

    # Select another cell, then jump back to the tracked one from the detail.
    page.locator(".jp-Notebook .jp-Cell").first.click()
    detail.get_by_role("button", name="Go to cell").click()
    expect(page.locator(".jp-Notebook .jp-Cell.jp-mod-active")).to_contain_text("%%track demo")

    # Tags (key=value) and a note, from the UI, kept by the store.
    detail.get_by_role("textbox", name="New tag").fill("stage=candidate")
    detail.get_by_role("button", name="Add tag").click()
    expect(detail.locator(".nbtrail-tag", has_text="stage=candidate")).to_be_visible()
    detail.get_by_role("textbox", name="Note").fill("first try")
    detail.get_by_role("button", name="Save note").click()
    expect(detail.get_by_role("button", name="Save note")).to_be_disabled()
    screenshot(page, SCREENSHOTS, "sidebar-detail-light")

    # Re-run through the server's job manager (papermill, a fresh kernel): the
    # notebook must be saved for that, as a user would.
    page.locator('.jp-NotebookPanel-toolbar [data-command="docmanager:save"]').click()
    expect(page.locator(".jp-mod-dirty")).to_have_count(0)
    detail.get_by_role("button", name="Re-run").click()
    job = detail.locator(".nbtrail-job")
    expect(job).to_contain_text("Re-run finished", timeout=90_000)
    expect(job.locator(".nbtrail-job-cells li", has_text="demo")).to_have_count(1)
    job.get_by_role("button", name="Per-cell report").click()
    report = panel.locator(".nbtrail-report")
    expect(report.locator(".nbtrail-detail-title")).to_contain_text("reproduced")
    cell = report.locator(".nbtrail-report-cell", has_text="demo")
    expect(cell.locator(".nbtrail-verdict")).to_have_text("same")
    cell.get_by_role("button", name="re-run").click()
    expect(panel.locator(".nbtrail-detail-title")).to_contain_text("demo")
    panel.get_by_role("button", name="← Runs").click()

    # The list shows the tag and the note; a second run of the cell, then two compared.
    original = panel.locator(".nbtrail-run", has_text="first try")
    expect(original).to_contain_text("stage=candidate")
    run_cell(page, TRACKED_CELL.replace("0.93", "0.95"))
    expect(panel.locator(".nbtrail-run", has_text="0.95")).to_be_visible(timeout=10_000)
    runs = panel.locator(".nbtrail-run")
    expect(runs).to_have_count(3)  # newest first: the edited cell, the re-run, the original
    runs.nth(0).locator(".nbtrail-select").check()
    runs.nth(2).locator(".nbtrail-select").check()
    assert_readable(page, "#nbtrail-runs .nbtrail-run.jp-mod-selected .nbtrail-run-name")
    panel.get_by_role("button", name="Compare 2").click()
    changed = panel.locator(".nbtrail-compare-table tr.nbtrail-changed", has_text="acc")
    expect(changed).to_contain_text("0.93")
    expect(changed).to_contain_text("0.95")
    expect(panel.locator(".nbtrail-diff")).to_contain_text("0.95")
    compare_rows = "#nbtrail-runs tr.nbtrail-changed td, #nbtrail-runs tr.nbtrail-changed th"
    diff_lines = "#nbtrail-runs .nbtrail-diff-add, #nbtrail-runs .nbtrail-diff-del"
    assert_readable(page, compare_rows)
    assert_readable(page, diff_lines)
    screenshot(page, SCREENSHOTS, "sidebar-compare-light")

    # The same views in the dark theme: only --jp-* variables, so they follow.
    set_theme(page, dark=True)
    assert_readable(page, compare_rows)
    assert_readable(page, diff_lines)
    screenshot(page, SCREENSHOTS, "sidebar-compare-dark")
    panel.get_by_role("button", name="← Runs").click()
    assert_readable(page, "#nbtrail-runs .nbtrail-run.jp-mod-selected .nbtrail-run-name")
    check_compact(page, panel)
    screenshot(page, SCREENSHOTS, "sidebar-list-dark")

    # A third tick is kept: three runs compare in the workspace, one column each.
    runs.nth(1).locator(".nbtrail-select").check()
    panel.get_by_role("button", name="Compare 3").click()
    workspace = page.locator(".nbtrail-workspace .nbtrail-ws-compare-table")
    expect(workspace.locator("thead th[data-run-id]")).to_have_count(3)
    page.locator(PANEL).click()  # the tab toggles the sidebar; make sure it is shown
    if not panel.is_visible():
        page.locator(PANEL).click()

    # Archive the original from its detail: it leaves the list.
    panel.locator(".nbtrail-run", has_text="first try").locator(".nbtrail-run-open").click()
    check_compact(page, panel)
    screenshot(page, SCREENSHOTS, "sidebar-detail-dark")
    panel.get_by_role("button", name="Archive").click()
    expect(panel.locator(".nbtrail-badge", has_text="archived")).to_be_visible()
    panel.get_by_role("button", name="← Runs").click()
    expect(runs).to_have_count(2)
    expect(panel.locator(".nbtrail-run", has_text="first try")).to_have_count(0)

    # A cell still executing shows as running, in the sidebar and in the workspace.
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="Untitled").click()
    run_cell(page, SLOW_CELL)
    expect(panel.locator(".nbtrail-run-running", has_text="slow")).to_be_visible(timeout=8_000)
    panel.get_by_role("button", name="Open runs workspace").click()
    page.locator(".nbtrail-workspace").get_by_role("tab", name="Runs").click()
    running = page.locator(".nbtrail-ws-running", has_text="slow")
    expect(running).to_contain_text("running", timeout=8_000)
    screenshot(page, SCREENSHOTS, "workspace-running-dark")
    expect(panel.locator(".nbtrail-run-running")).to_have_count(0, timeout=30_000)
    expect(panel.locator(".nbtrail-run", has_text="slow")).to_be_visible()
    set_theme(page, dark=False)
