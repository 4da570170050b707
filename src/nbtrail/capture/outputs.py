"""What a tracked cell printed and displayed, inside a real IPython shell.

Printing is teed by patching ``write`` on the current ``sys.stdout`` /
``sys.stderr`` objects, as IPython's own ``InteractiveShell._tee`` does: the
stream objects stay the same (ipykernel checks their type), and each write
goes to the original first, then into a bounded buffer.

Rich displays are seen through ipykernel's display-publisher hooks (each
``display_data`` message, returned unchanged so the frontend still gets it)
and through the shell's display hook (the ``execute_result`` of a cell's last
expression). matplotlib-inline shows and closes figures at ``post_execute``,
which runs *before* ``post_run_cell``; since :meth:`OutputCapture.stop` is
called from ``post_run_cell``, those figures arrive as displays. Figures still
open at ``stop`` and created during the cell are rendered to PNG as well.

Everything here is best effort and never raises into the user's cell.
"""

from __future__ import annotations

import base64
import contextlib
import io
import sys
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["CapturedOutput", "Figure", "OutputCapture"]

DEFAULT_LIMIT = 65536
_UNSET = object()


@dataclass(frozen=True)
class Figure:
    """A PNG rendering of a figure; ``source`` is "displayed" or "left-open"."""

    png: bytes
    source: str


@dataclass(frozen=True)
class CapturedOutput:
    """Text is cut at the capture limit; ``*_size`` is the full length in chars."""

    stdout: str
    stdout_size: int
    stderr: str
    stderr_size: int
    display_types: tuple[str, ...]
    figures: tuple[Figure, ...]
    texts: tuple[str, ...] = ()  # text/plain of displays and the result, cut at the limit


class _TextTee:
    """Patches ``write`` of one stream object and keeps its first ``limit`` chars."""

    def __init__(self, channel: Literal["stdout", "stderr"], limit: int, shell: Any) -> None:
        self.channel = channel
        self.limit = limit
        self.shell = shell
        self.chunks: list[str] = []
        self.kept = 0
        self.size = 0
        self._stream: Any = None
        self._saved: Any = _UNSET

    def start(self) -> None:
        stream = getattr(sys, self.channel)
        original = stream.write
        self._saved = (
            stream.__dict__.get("write", _UNSET) if hasattr(stream, "__dict__") else _UNSET
        )
        self._stream = stream

        def write(data: Any, *args: Any, **kwargs: Any) -> Any:
            result = original(data, *args, **kwargs)
            if not _shell_is_rendering(self.shell):
                self._keep(data)
            return result

        stream.write = write

    def _keep(self, data: Any) -> None:
        try:
            if not isinstance(data, str):
                return
            self.size += len(data)
            room = self.limit - self.kept
            if room > 0:
                self.chunks.append(data[:room])
                self.kept += min(room, len(data))
        except Exception:
            pass

    def stop(self) -> None:
        """Put back exactly what was there: an instance attribute (such as
        IPython's own tee) or nothing, so the class method shows through."""
        stream, self._stream = self._stream, None
        if stream is None:
            return
        if self._saved is _UNSET:
            stream.__dict__.pop("write", None)
        else:
            stream.write = self._saved

    def text(self) -> str:
        return "".join(self.chunks)


def _shell_is_rendering(shell: Any) -> bool:
    """Whether a write is the shell showing a traceback, an ``Out[n]`` value or
    a display rather than the cell printing (IPython's ``_tee`` skips the same):
    those are recorded as the exception and the display types instead."""
    try:
        return bool(
            getattr(shell, "showing_traceback", False)
            or getattr(getattr(shell, "displayhook", None), "is_active", False)
            or getattr(getattr(shell, "display_pub", None), "is_publishing", False)
        )
    except Exception:
        return False


def _png_bytes(value: Any) -> bytes | None:
    """PNG payload of a display: base64 text on the wire, bytes before it."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return base64.b64decode(value)
    return None


def _open_figures() -> list[Any]:
    """Open matplotlib figures, only if pyplot is already imported."""
    if "matplotlib.pyplot" not in sys.modules:
        return []
    helpers = sys.modules.get("matplotlib._pylab_helpers")
    if helpers is None:
        return []
    return [manager.canvas.figure for manager in helpers.Gcf.get_all_fig_managers()]


def _render_png(fig: Any) -> bytes:
    """Render as IPython displays a figure (tight box, the figure's own dpi
    and colours), so that a figure both displayed and left open can be
    recognised by its bytes."""
    buf = io.BytesIO()
    fig.savefig(
        buf,
        format="png",
        dpi=fig.dpi,
        bbox_inches="tight",
        facecolor=fig.get_facecolor(),
        edgecolor=fig.get_edgecolor(),
    )
    return buf.getvalue()


class OutputCapture:
    """Captures one cell's printed text, rich display types and figures.

    Call :meth:`start` from ``pre_run_cell`` and :meth:`stop` from
    ``post_run_cell``; both run on the thread that executes the cell, which
    matters because ipykernel's display hooks are thread-local.
    """

    def __init__(self, shell: Any, limit: int = DEFAULT_LIMIT) -> None:
        self.shell = shell
        self.limit = limit
        self._reset()

    def _reset(self) -> None:
        self._tees = [_TextTee(name, self.limit, self.shell) for name in ("stdout", "stderr")]
        self._types: dict[str, None] = {}
        self._figures: list[Figure] = []
        self._figures_before: list[Any] = []
        self._texts: list[str] = []
        self._text_size = 0
        self._hooked_pub: Any = None
        self._patched_displayhook: Any = None
        self._saved_write_format: Any = _UNSET

    def start(self) -> None:
        """Begin capturing (from empty). Each part fails on its own."""
        self._reset()
        for step in (self._start_tees, self._start_display_pub, self._start_displayhook):
            with contextlib.suppress(Exception):
                step()
        try:
            self._figures_before = _open_figures()
        except Exception:
            self._figures_before = []

    def stop(self) -> CapturedOutput:
        """Stop capturing, restore every patch, and say what was captured."""
        for step in (self._stop_tees, self._stop_display_pub, self._stop_displayhook):
            with contextlib.suppress(Exception):
                step()
        with contextlib.suppress(Exception):
            self._collect_left_open()
        out, err = self._tees
        return CapturedOutput(
            stdout=out.text(),
            stdout_size=out.size,
            stderr=err.text(),
            stderr_size=err.size,
            display_types=tuple(self._types),
            figures=tuple(self._figures),
            texts=tuple(self._texts),
        )

    # --- stdout / stderr ---------------------------------------------------

    def _start_tees(self) -> None:
        for tee in self._tees:
            tee.start()

    def _stop_tees(self) -> None:
        for tee in self._tees:
            with contextlib.suppress(Exception):
                tee.stop()

    # --- display_data: ipykernel's publisher hooks ------------------------

    def _start_display_pub(self) -> None:
        pub = getattr(self.shell, "display_pub", None)
        if pub is not None and hasattr(pub, "register_hook"):
            pub.register_hook(self._on_message)
            self._hooked_pub = pub

    def _stop_display_pub(self) -> None:
        pub, self._hooked_pub = self._hooked_pub, None
        if pub is not None:
            pub.unregister_hook(self._on_message)

    def _on_message(self, msg: Any) -> Any:
        """Publisher hook: note the message, hand it on unchanged."""
        try:
            if msg.get("msg_type", msg.get("header", {}).get("msg_type")) == "display_data":
                self._note_data(msg["content"].get("data") or {})
        except Exception:
            pass
        return msg

    # --- execute_result: the shell's display hook -------------------------

    def _start_displayhook(self) -> None:
        hook = getattr(self.shell, "displayhook", None)
        if hook is None or not hasattr(hook, "write_format_data"):
            return
        original = hook.write_format_data
        self._saved_write_format = hook.__dict__.get("write_format_data", _UNSET)

        def write_format_data(format_dict: Any, md_dict: Any = None) -> Any:
            self._note_data(format_dict)
            return original(format_dict, md_dict)

        hook.write_format_data = write_format_data
        self._patched_displayhook = hook

    def _stop_displayhook(self) -> None:
        hook, self._patched_displayhook = self._patched_displayhook, None
        if hook is None:
            return
        if self._saved_write_format is _UNSET:
            hook.__dict__.pop("write_format_data", None)
        else:
            hook.write_format_data = self._saved_write_format

    def _note_data(self, data: Any) -> None:
        try:
            for mime in data:
                self._types.setdefault(mime, None)
            text = data.get("text/plain")
            if isinstance(text, str) and "image/png" not in data:
                self._keep_text(text)
            png = _png_bytes(data.get("image/png"))
            if png:
                self._figures.append(Figure(png=png, source="displayed"))
        except Exception:
            pass

    def _keep_text(self, text: str) -> None:
        """Displayed text, for a re-run to compare (its numbers, within tolerance)."""
        room = self.limit - self._text_size
        if room > 0:
            self._texts.append(text[:room])
            self._text_size += min(len(text), room)

    # --- figures left open --------------------------------------------------

    def _collect_left_open(self) -> None:
        before = self._figures_before
        self._figures_before = []
        displayed = {f.png for f in self._figures}
        for fig in _open_figures():
            if any(fig is old for old in before):
                continue
            try:
                png = _render_png(fig)
            except Exception:
                continue
            if png not in displayed:
                self._figures.append(Figure(png=png, source="left-open"))
