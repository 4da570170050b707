"""What the browser tests do to JupyterLab and measure in it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

#: WCAG AA for body text.
MIN_CONTRAST = 4.5

# Each matched element's text colour against the background actually behind it
# (translucent layers composited up to the first opaque ancestor). Colours are
# resolved by a canvas, so any CSS colour syntax (rgb(), color(srgb ...) from
# color-mix) is read the same way.
_CONTRAST_JS = """
(elements) => {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const rgba = css => {
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = '#000';
    ctx.fillStyle = css;
    ctx.fillRect(0, 0, 1, 1);
    const d = ctx.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2], d[3] / 255];
  };
  const over = (top, bottom) => {
    const a = top[3] + bottom[3] * (1 - top[3]);
    if (a === 0) return [0, 0, 0, 0];
    const mix = i => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / a;
    return [mix(0), mix(1), mix(2), a];
  };
  const background = element => {
    const layers = [];
    for (let node = element; node; node = node.parentElement) {
      const color = rgba(getComputedStyle(node).backgroundColor);
      if (color[3] > 0) layers.push(color);
      if (color[3] >= 1) break;
    }
    let result = [255, 255, 255, 1];
    for (const layer of layers.reverse()) result = over(layer, result);
    return result;
  };
  const luminance = c => {
    const [r, g, b] = c.slice(0, 3).map(v => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  return elements
    .filter(e => e.offsetParent !== null && e.textContent.trim())
    .map(e => {
      const bg = background(e);
      const fg = over(rgba(getComputedStyle(e).color), bg);
      const [hi, lo] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
      return {
        text: e.textContent.trim().slice(0, 40),
        ratio: (hi + 0.05) / (lo + 0.05),
        color: getComputedStyle(e).color,
        background: getComputedStyle(e).backgroundColor
      };
    });
}
"""


def contrasts(page: Page, selector: str) -> list[dict[str, Any]]:
    """Contrast ratios of the visible elements matching ``selector``."""
    result: list[dict[str, Any]] = page.locator(selector).evaluate_all(_CONTRAST_JS)
    return result


def assert_readable(page: Page, selector: str) -> int:
    """Every visible element of ``selector`` keeps 4.5:1; returns how many were checked."""
    measured = contrasts(page, selector)
    assert measured, f"nothing visible matches {selector}"
    low = [m for m in measured if m["ratio"] < MIN_CONTRAST]
    assert not low, f"text below {MIN_CONTRAST}:1 in {selector}: {low}"
    return len(measured)


def set_theme(page: Page, dark: bool) -> None:
    """Switch through JupyterLab's own command, as the Settings menu does."""
    theme = "JupyterLab Dark" if dark else "JupyterLab Light"
    page.evaluate(
        f"window.jupyterapp.commands.execute('apputils:change-theme', {{theme: '{theme}'}})"
    )
    expect(
        page.locator(f"body[data-jp-theme-light='{'false' if dark else 'true'}']")
    ).to_have_count(1)
    expect(page.locator("#jupyterlab-splash")).to_have_count(0)


def run_command_from_palette(page: Page, label: str) -> None:
    """Open the command palette, find the command by its label, run it."""
    page.keyboard.press("Control+Shift+C")
    search = page.locator(".lm-CommandPalette-input")
    search.fill(label)
    page.locator(".lm-CommandPalette-item", has_text=label).first.click()


def screenshot(page: Page, folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"))


def overflowing(page: Page, selector: str) -> list[str]:
    """Texts of visible elements wider than their box (a truncated button) or wrapped."""
    result: list[str] = page.locator(selector).evaluate_all(
        """(elements) => elements
            .filter(e => e.offsetParent !== null)
            .filter(e => e.scrollWidth > e.clientWidth + 1)
            .map(e => e.textContent.trim())"""
    )
    return result


def wrapped_lines(page: Page, selector: str) -> list[str]:
    """Texts of visible elements laid out on more than one line."""
    result: list[str] = page.locator(selector).evaluate_all(
        """(elements) => elements
            .filter(e => e.offsetParent !== null && e.textContent.trim())
            .filter(e => {
              const style = getComputedStyle(e);
              const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
              return e.getClientRects().length > 1 || e.clientHeight > line * 1.6;
            })
            .map(e => e.textContent.trim())"""
    )
    return result
