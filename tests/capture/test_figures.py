"""Figures hash by their pixels, drawn once; their artists hash through them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import matplotlib
import pytest

matplotlib.use("agg")

import matplotlib.pyplot as plt
from matplotlib.backends.backend_agg import FigureCanvasAgg

from nbtrail.capture.hashing import Unhashable, content_hash
from nbtrail.capture.values import describe_value


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def bar_chart(title: str = "") -> tuple[Any, Any, Any]:
    fig, ax = plt.subplots(figsize=(3, 2))
    bars = ax.bar(["forest", "logreg"], [0.9, 0.8])
    ax.set_title(title)
    return fig, ax, bars


def test_the_same_picture_hashes_the_same_and_a_change_does_not() -> None:
    a, _, _ = bar_chart()
    b, b_ax, _ = bar_chart()
    assert content_hash(a).hash == content_hash(b).hash
    b_ax.set_title("accuracy")  # marks the figure stale: drawn again
    assert content_hash(a).hash != content_hash(b).hash


def test_a_current_drawing_is_hashed_without_drawing_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fig, ax, bars = bar_chart()
    draws = []
    original = FigureCanvasAgg.draw
    monkeypatch.setattr(FigureCanvasAgg, "draw", lambda self: (draws.append(1), original(self)))
    first = content_hash(fig).hash
    assert len(draws) == 1
    assert content_hash(fig).hash == first
    describe_value(ax), describe_value(bars)
    assert len(draws) == 1  # the figure, its axes and its bars: one drawing


def test_artists_hash_as_parts_of_their_figure() -> None:
    fig, ax, bars = bar_chart()
    second = fig.add_subplot(2, 1, 2)
    for part in (ax, bars, second):
        record = describe_value(part)
        assert record.kind == "figure" and record.hash
        assert record.summary["figure"]["axes"] == 2
    assert describe_value(ax).hash != describe_value(second).hash  # their place differs
    assert describe_value(ax).hash != describe_value(fig).hash


def test_an_artist_outside_any_figure_says_so() -> None:
    from matplotlib.lines import Line2D

    with pytest.raises(Unhashable, match="not in a figure"):
        content_hash(Line2D([0, 1], [0, 1]))
    assert describe_value(Line2D([0], [0])).kind == "unhashable"


def test_a_canvas_that_is_not_agg_is_hashed_through_a_png() -> None:
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    fig, _, _ = bar_chart()
    FigureCanvasSVG(fig)  # the figure now draws through SVG: no pixels to reuse
    hashed = content_hash(fig)
    assert hashed.kind == "figure" and hashed.hash == content_hash(fig).hash


def test_a_figure_pyplot_closed_hashes_like_an_open_one_and_keeps_its_canvas(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``plt.show()`` under the inline backend closes the figure, leaving a bare canvas."""
    shown, shown_ax, _ = bar_chart()
    plt.close(shown)
    bare = shown.canvas
    assert type(bare).__name__ == "FigureCanvasBase"
    draws = []
    original = FigureCanvasAgg.draw
    monkeypatch.setattr(FigureCanvasAgg, "draw", lambda self: (draws.append(1), original(self)))
    closed = content_hash(shown).hash
    assert shown.canvas is bare  # the borrowed Agg canvas is given back
    describe_value(shown_ax)
    assert len(draws) == 1
    still_open, _, _ = bar_chart()
    assert content_hash(still_open).hash == closed
