"""matplotlib figures and the artists in them, hashed by the pixels they draw.

A figure's value is the picture: its hash is the RGBA pixels of the figure
drawn by Agg at its own size and dpi. That is one draw and no PNG encoding
(which cost as much as the draw again); when the figure's Agg canvas already
holds a current drawing of exactly that size (the figure is not stale), those
pixels are hashed as they are. A figure pyplot has closed (``plt.show()``
under the inline backend closes it) keeps only a bare canvas: it is drawn on
a temporary Agg canvas, and the figure gets its own canvas back. The digest
is remembered per figure while the figure stays unchanged (not stale), so a
figure bound to two names, its axes, or a figure read by the next cell cost
one drawing. A GUI or widget canvas, where drawing has side effects, is
hashed through a PNG rendering, as before.

Axes, lines, bar containers and other artists are parts of a figure: they hash
as their class, their place among the figure's axes and the figure's pixels,
instead of walking matplotlib's object graph (deeper than the hashing caps,
and slow to fail).
"""

from __future__ import annotations

import io
import sys
import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

from nbtrail.capture._hash_base import Unhashable, qualified_name

if TYPE_CHECKING:
    from nbtrail.capture._stream import Stream

__all__ = ["feed_artist", "feed_figure", "figure_of", "is_artist", "is_figure"]

#: A figure's digest, kept while the figure is not stale (matplotlib marks it
#: stale on every change to it or to its artists).
_DIGESTS: weakref.WeakKeyDictionary[Any, bytes] = weakref.WeakKeyDictionary()


def _from_matplotlib(obj: Any, module: str, names: tuple[str, ...]) -> bool:
    return any(c.__module__ == module and c.__name__ in names for c in type(obj).__mro__)


def is_figure(obj: Any) -> bool:
    """A matplotlib Figure, recognised by class name so matplotlib is never imported."""
    return _from_matplotlib(obj, "matplotlib.figure", ("Figure", "SubFigure"))


def is_artist(obj: Any) -> bool:
    """An artist (axes, line, patch, text...) or a container of artists (bars, errorbars)."""
    return "matplotlib" in sys.modules and (
        _from_matplotlib(obj, "matplotlib.artist", ("Artist",))
        or _from_matplotlib(obj, "matplotlib.container", ("Container",))
    )


def figure_of(obj: Any) -> Any:
    """The top-level figure an artist, container or subfigure is drawn in (or None)."""
    if _from_matplotlib(obj, "matplotlib.container", ("Container",)):
        obj = next((child for child in obj if child is not None), None)
    fig = getattr(obj, "figure", None) if obj is not None else None
    root = getattr(fig, "figure", None)  # a SubFigure's figure is its parent
    while root is not None and root is not fig:
        fig, root = root, getattr(root, "figure", None)
    return fig


def feed_figure(s: Stream, fig: Any) -> None:
    """The pixels of the figure (a subfigure: its own tag, then the whole figure's)."""
    root = figure_of(fig) if _from_matplotlib(fig, "matplotlib.figure", ("SubFigure",)) else fig
    if root is not fig:
        s.tag("subfigure")
        s.uint(_position(root.subfigs, fig))
    s.tag("figure")
    digest = None if root.stale else _DIGESTS.get(root)
    if digest is None:
        digest = _picture_digest(s.sub(), root)
        if not root.stale:
            _DIGESTS[root] = digest
    s.raw(digest)


def _picture_digest(s: Stream, fig: Any) -> bytes:
    pixels = _agg_pixels(fig)
    if pixels is None:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
        s.tag("figure-png")
        s.blob(buf.getvalue())
        return s.digest()
    s.tag("figure-rgba")
    s.uint(pixels.shape[1])
    s.uint(pixels.shape[0])
    s.raw(np.ascontiguousarray(pixels))
    return s.digest()


def feed_artist(s: Stream, artist: Any) -> None:
    """Class, place among the figure's axes (for an axes), then the figure's pixels."""
    fig = figure_of(artist)
    if fig is None:
        raise Unhashable(f"a {type(artist).__name__} that is not in a figure")
    s.tag("mpl-artist")
    s.text(qualified_name(type(artist)))
    s.uint(_position(getattr(fig, "axes", ()), artist))
    s.raw(s.digest_of(fig))


def _position(items: Any, obj: Any) -> int:
    """1-based place of ``obj`` in ``items`` by identity, 0 when absent."""
    return next((i for i, item in enumerate(items, 1) if item is obj), 0)


def _agg_pixels(fig: Any) -> np.ndarray | None:
    """RGBA pixels of ``fig`` drawn by Agg, drawing only when not current."""
    from matplotlib.backend_bases import FigureCanvasBase
    from matplotlib.backends import backend_agg as agg

    canvas: Any = getattr(fig, "canvas", None)
    if type(canvas) is FigureCanvasBase:  # closed by pyplot: draw on a borrowed canvas
        try:
            borrowed = agg.FigureCanvasAgg(fig)
            borrowed.draw()
            return np.asarray(borrowed.buffer_rgba()).copy()
        finally:
            fig.set_canvas(canvas)
    if type(canvas).draw is not agg.FigureCanvasAgg.draw:
        return None  # a canvas whose draw does more (GUI and widget backends)
    width, height = (int(v) for v in fig.bbox.size)
    renderer = getattr(canvas, "renderer", None)
    current = (
        not fig.stale
        and renderer is not None
        and (renderer.width, renderer.height) == (width, height)
        and renderer.dpi == fig.dpi
    )
    if not current:
        canvas.draw()
    return np.asarray(canvas.buffer_rgba())
