"""The canonical byte stream every hashing module feeds, and raw buffer feeding.

A :class:`Stream` is an xxh3-128 hasher plus the framing rules that keep the
byte stream unambiguous (type tags, length prefixes) and the caps that bound
the work on one value. It knows nothing of the kinds of values: it is handed
a dispatch (exact-type feeders plus a function that finds the feeder of any
other value) by :func:`~nbtrail.capture.hashing.content_hash`, which composes
it from the feeder modules. The feeders import this module and never
:mod:`~nbtrail.capture.hashing`, so the imports run one way:

``_hash_base`` <- ``_stream`` <- feeders (builtins, objects, tables, arrays) <- ``hashing``
"""

from __future__ import annotations

import struct
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import xxhash

from nbtrail.capture._hash_base import _Capped

__all__ = [
    "HASH_BLOCK_BYTES",
    "MAX_DEPTH",
    "MAX_ELEMENTS",
    "Dispatch",
    "Feeder",
    "Stream",
    "feed_buffer",
    "feed_elements",
]

#: Bytes per block when copying a non-contiguous array to hash it.
HASH_BLOCK_BYTES = 64 << 20
#: Deepest nesting followed before a value is declared unhashable.
MAX_DEPTH = 64
#: Python container elements visited per value before it is declared unhashable.
MAX_ELEMENTS = 1_000_000

_U64 = struct.Struct("<Q")

Feeder = Callable[["Stream", Any], None]
#: Finds how any value is hashed: ``(kind, feeder)``.
Dispatch = Callable[[Any], tuple[str, Feeder]]


class _Shared:
    """State shared by every stream working on one top-level value."""

    __slots__ = ("budget", "exact", "find", "opaque", "profile")

    def __init__(self, exact: Mapping[type, Feeder], find: Dispatch) -> None:
        self.budget = MAX_ELEMENTS
        self.opaque: list[str] = []
        self.exact = exact
        self.find = find
        #: Statistics the feeders gather on the way (tables), or None when not asked for.
        self.profile: dict[str, Any] | None = None


class Stream:
    """A hasher plus the framing rules that make the byte stream unambiguous."""

    __slots__ = ("_h", "depth", "shared")

    def __init__(self, shared: _Shared, depth: int = 0) -> None:
        self._h = xxhash.xxh3_128()
        self.shared = shared
        self.depth = depth

    @classmethod
    def root(cls, exact: Mapping[type, Feeder], find: Dispatch, *, profile: bool = False) -> Stream:
        """A stream for one top-level value: exact-type feeders first, then ``find``.

        With ``profile``, feeders that can gather statistics in the same pass
        (tables' columns) put them in ``shared.profile``.
        """
        stream = cls(_Shared(exact, find))
        stream.shared.profile = {} if profile else None
        return stream

    def raw(self, data: Any) -> None:
        """Feed a buffer as is (the caller frames it)."""
        self._h.update(data)

    def tag(self, name: str) -> None:
        self._h.update(name.encode() + b"\0")

    def uint(self, n: int) -> None:
        self._h.update(_U64.pack(n))

    def blob(self, data: bytes) -> None:
        self._h.update(_U64.pack(len(data)))
        self._h.update(data)

    def text(self, text: str) -> None:
        self.blob(text.encode("utf-8", "surrogatepass"))

    def sub(self) -> Stream:
        """A fresh hasher sharing caps, notes and dispatch, for parts combined by digest."""
        return Stream(self.shared, self.depth)

    def digest(self) -> bytes:
        return self._h.digest()

    def hexdigest(self) -> str:
        return self._h.hexdigest()

    def count(self, n: int = 1) -> None:
        """Charge ``n`` container elements against the per-value budget."""
        self.shared.budget -= n
        if self.shared.budget < 0:
            raise _Capped(f"more than {MAX_ELEMENTS} container elements")

    def value(self, obj: Any) -> None:
        """Feed any value by its canonical encoding (recursing into its parts)."""
        feed = self.shared.exact.get(type(obj))
        if feed is not None:
            feed(self, obj)
            return
        if self.depth >= MAX_DEPTH:
            raise _Capped(f"nesting deeper than {MAX_DEPTH}")
        self.depth += 1
        try:
            self.shared.find(obj)[1](self, obj)
        finally:
            self.depth -= 1

    def digest_of(self, obj: Any) -> bytes:
        child = self.sub()
        child.value(obj)
        return child.digest()


# -- raw buffers -------------------------------------------------------------------


def _little_endian(arr: np.ndarray) -> np.ndarray:
    """Big-endian data is hashed as little-endian: byte order is not part of a value."""
    if arr.dtype.byteorder == ">" or (arr.dtype.byteorder == "=" and sys.byteorder == "big"):
        return arr.astype(arr.dtype.newbyteorder("<"))
    return arr


def feed_buffer(s: Stream, arr: np.ndarray) -> None:
    """Feed a fixed-width array's bytes in C order: zero-copy when contiguous."""
    arr = _little_endian(arr)
    if arr.flags.c_contiguous:
        s.raw(arr.reshape(-1).view(np.uint8))
        return
    row_bytes = arr[:1].nbytes if arr.shape[0] else 0
    if row_bytes > HASH_BLOCK_BYTES:
        for row in arr:
            feed_buffer(s, row)
        return
    rows = max(1, HASH_BLOCK_BYTES // max(1, row_bytes))
    for start in range(0, arr.shape[0], rows):
        block = np.ascontiguousarray(arr[start : start + rows])
        s.raw(block.reshape(-1).view(np.uint8))


def feed_elements(s: Stream, values: Iterable[Any]) -> None:
    """The slow, always-correct route: every element by its canonical encoding."""
    s.tag("each")
    n = 0
    for item in values:
        s.value(item)
        n += 1
    s.uint(n)
