"""End to end: a real JupyterLab, Debian's Chromium driven by Playwright, a real kernel.

The test types a ``%%track`` cell into a new notebook and watches the run appear
in the Runs sidebar through live updates (no reload), opens it, checks the
metric, re-runs it through the server's job manager, jumps back to the cell and
compares two runs. The screenshots it leaves in ``test-output/e2e/`` (light
and dark theme) are for a human to look at.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "e2e"
PANEL = '.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="nbtrail-runs"]'
TRACKED_CELL = '%%track demo\nimport nbtrail\nnbtrail.log_metric("acc", 0.93)'

pytestmark = pytest.mark.kernel


@dataclass
class Lab:
    url: str
    token: str
    root: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter lab exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"jupyter lab did not start:\n{log.read_text()[-3000:]}")


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    """``jupyter lab`` on 127.0.0.1 in a tmp root; the store is discovered there."""
    root = tmp_path / "project"
    root.mkdir()
    settings = tmp_path / "settings" / "@jupyterlab"
    # No "Jupyter news" pop-up over the screenshot; no rename dialog on first save.
    for plugin, values in {
        "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
        "docmanager-extension/plugin": {"renameUntitledFileOnSave": False},
    }.items():
        path = settings / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = {k: v for k, v in os.environ.items() if k != "NBTRAIL_STORE"}
    env.update(
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        JUPYTER_DATA_DIR=str(tmp_path / "data"),
        JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"),
    )
    token = secrets.token_hex(16)
    port = _free_port()
    log = tmp_path / "jupyter-lab.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "jupyterlab", "--allow-root", "--no-browser",
                "--ip=127.0.0.1", f"--port={port}", f"--IdentityProvider.token={token}",
                f"--ServerApp.root_dir={root}",
            ],
            cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{url}/api/status?token={token}", process, log)
        yield Lab(url, token, root)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def page(lab: Lab) -> Iterator[Page]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make chromium` (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            page = context.new_page()
            page.set_default_timeout(30_000)
            yield page
        finally:
            browser.close()


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


def test_a_tracked_run_appears_live_and_opens(lab: Lab, page: Page) -> None:
    page.goto(f"{lab.url}/lab?token={lab.token}")
    page.locator('.jp-LauncherCard[data-category="Notebook"]').first.click()
    # The kernel is connected (not merely "no kernel yet") once the status bar says Idle.
    expect(page.locator("#jp-main-statusbar")).to_contain_text("| Idle", timeout=60_000)

    page.locator(PANEL).click()
    panel = page.locator("#nbtrail-runs")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("No runs yet")

    run_cell(page, "%load_ext nbtrail")
    first = page.locator(".jp-Notebook .jp-Cell").first
    expect(first.locator(".jp-InputPrompt")).to_have_text("[1]:")
    expect(first.locator(".jp-OutputArea-output")).to_have_count(0)  # loaded without a word
    run_cell(page, TRACKED_CELL)
    expect(page.locator(".jp-OutputArea-output").last).to_contain_text("nbtrail: finished run")

    # Live update: the list polls the store's revision; nothing reloads the page.
    run = panel.locator(".nbtrail-run", has_text="demo")
    expect(run).to_be_visible(timeout=10_000)
    expect(run).to_contain_text("acc")
    expect(run).to_contain_text("0.93")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / "sidebar-list.png"))
    run.locator(".nbtrail-run-open").click()

    detail = panel.locator(".nbtrail-detail")
    expect(detail.locator(".nbtrail-detail-title")).to_contain_text("demo")
    metrics = detail.locator(".nbtrail-section", has_text="Metrics")
    expect(metrics.locator("tr", has_text="acc")).to_contain_text("0.93")
    expect(detail.locator(".nbtrail-source")).to_contain_text("nbtrail.log_metric")

    # Re-run through the server's job manager (papermill, a fresh kernel): the
    # notebook must be saved for that, as a user would.
    page.locator('.jp-NotebookPanel-toolbar [data-command="docmanager:save"]').click()
    expect(page.locator(".jp-mod-dirty")).to_have_count(0)
    detail.get_by_role("button", name="Re-run").click()
    expect(detail.locator(".nbtrail-job")).to_contain_text("Re-run finished", timeout=60_000)

    # Select another cell, then jump back to the tracked one from the detail.
    page.locator(".jp-Notebook .jp-Cell").first.click()
    detail.get_by_role("button", name="Go to cell").click()
    expect(page.locator(".jp-Notebook .jp-Cell.jp-mod-active")).to_contain_text("%%track demo")

    page.screenshot(path=str(OUTPUT / "sidebar.png"))

    # A second run of the same cell, then the two side by side.
    detail.get_by_role("button", name="← Runs").click()
    run_cell(page, TRACKED_CELL.replace("0.93", "0.95"))
    expect(panel.locator(".nbtrail-run", has_text="0.95")).to_be_visible(timeout=10_000)
    runs = panel.locator(".nbtrail-run")
    expect(runs).to_have_count(3)  # newest first: the edited cell, the re-run, the original
    runs.nth(0).locator(".nbtrail-select").check()
    runs.nth(2).locator(".nbtrail-select").check()
    panel.get_by_role("button", name="Compare 2/2").click()
    changed = panel.locator(".nbtrail-compare-table tr.nbtrail-changed", has_text="acc")
    expect(changed).to_contain_text("0.93")
    expect(changed).to_contain_text("0.95")
    expect(panel.locator(".nbtrail-diff")).to_contain_text("0.95")
    page.screenshot(path=str(OUTPUT / "sidebar-compare.png"))

    # The same view in the dark theme: only --jp-* variables, so it follows.
    page.locator(".lm-MenuBar-itemLabel", has_text="Settings").click()
    page.locator(".lm-Menu-itemLabel", has_text="Theme").first.hover()
    page.locator(".lm-Menu-itemLabel").get_by_text("JupyterLab Dark", exact=True).click()
    expect(page.locator("body[data-jp-theme-light='false']")).to_have_count(1)
    expect(page.locator("#jupyterlab-splash")).to_have_count(0)
    expect(panel.locator(".nbtrail-compare-table")).to_be_visible()
    page.screenshot(path=str(OUTPUT / "sidebar-dark.png"))
