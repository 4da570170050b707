"""Content hashes defined over values, not over memory.

Every hash is a 128-bit xxh3 digest (32 hex characters) of a canonical,
self-delimiting byte stream: a type tag, then the value's defining parts
(dtype, shape, names, bytes), each length-prefixed where its length varies.
The stream never contains addresses, block layouts or pickles of unstable
objects, so equal data hashes equal in any process on any machine.

Large buffers (numpy arrays, numeric DataFrame columns, arrow string buffers)
are fed to the hasher straight from memory; only non-contiguous arrays are
copied, a block at a time. Values without a value-defined encoding are hashed
through their reduce protocol or, failing that, a pickle (reported as opaque);
values that cannot be hashed at all are reported as unhashable with a reason.
Nothing is ever sampled.

This module holds the stream, numpy arrays and the dispatch list
(:data:`HANDLERS`); the feeders of other kinds live in their own modules:
builtin scalars and containers in :mod:`~nbtrail.capture.hash_builtins`,
code, estimators, figures and the reduce/pickle fallback in
:mod:`~nbtrail.capture.hash_objects`, pandas and arrow in ``_tables``.
"""

from __future__ import annotations

import os
import struct
import sys
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xxhash

from nbtrail.capture import _tables
from nbtrail.capture._hash_base import Unhashable, _Capped, qualified_name
from nbtrail.capture.hash_builtins import (
    EXACT,
    feed_bytes,
    feed_mapping,
    feed_repr_scalar,
    feed_scalar_subclass,
    feed_sequence,
    feed_set,
    is_repr_scalar,
)
from nbtrail.capture.hash_objects import (
    feed_callable,
    feed_estimator,
    feed_figure,
    feed_module,
    feed_reduced,
    is_callable_definition,
    is_estimator,
    is_figure,
)

#: Bytes per block when copying a non-contiguous array to hash it.
HASH_BLOCK_BYTES = 64 << 20
#: Deepest nesting followed before a value is declared unhashable.
MAX_DEPTH = 64
#: Python container elements visited per value before it is declared unhashable.
MAX_ELEMENTS = 1_000_000

_U64 = struct.Struct("<Q")
_FILE_CHUNK = 8 << 20


@dataclass(frozen=True)
class ContentHash:
    """The result of hashing a value: its kind, hex digest and notes for the summary."""

    kind: str
    hash: str | None
    notes: dict[str, Any] = field(default_factory=dict)


# -- raw bytes and files ---------------------------------------------------------


def hash_bytes(data: bytes | bytearray | memoryview) -> str:
    """Hash raw bytes (no type tag): equal to ``hash_file`` of a file holding them."""
    return xxhash.xxh3_128_hexdigest(data)


def hash_text(text: str) -> str:
    """Hash a string's UTF-8 bytes (sources, notebook snapshots, JSON documents)."""
    return hash_bytes(text.encode("utf-8", "surrogatepass"))


def hash_file(path: str | os.PathLike[str]) -> str:
    """Hash a file's bytes, streamed through one reused buffer (no per-chunk copies)."""
    hasher = xxhash.xxh3_128()
    buf = bytearray(_FILE_CHUNK)
    view = memoryview(buf)
    with open(path, "rb", buffering=0) as fh:
        while n := fh.readinto(buf):
            hasher.update(view[:n])
    return hasher.hexdigest()


def file_key(path: str | os.PathLike[str]) -> tuple[str, int, int, int]:
    """(absolute path, size, mtime_ns, inode): what a store caches file hashes under."""
    st = os.stat(path)
    return (os.path.abspath(path), st.st_size, st.st_mtime_ns, st.st_ino)


# -- the canonical stream --------------------------------------------------------


class _Shared:
    """State shared by every stream working on one top-level value."""

    __slots__ = ("budget", "opaque")

    def __init__(self) -> None:
        self.budget = MAX_ELEMENTS
        self.opaque: list[str] = []


class Stream:
    """A hasher plus the framing rules that make the byte stream unambiguous."""

    __slots__ = ("_h", "depth", "shared")

    def __init__(self, shared: _Shared | None = None, depth: int = 0) -> None:
        self._h = xxhash.xxh3_128()
        self.shared = shared if shared is not None else _Shared()
        self.depth = depth

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
        """A fresh hasher sharing caps and notes, for parts combined by digest."""
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
        feed = EXACT.get(type(obj))
        if feed is not None:
            feed(self, obj)
            return
        if self.depth >= MAX_DEPTH:
            raise _Capped(f"nesting deeper than {MAX_DEPTH}")
        self.depth += 1
        try:
            _find_handler(obj)[1](self, obj)
        finally:
            self.depth -= 1

    def digest_of(self, obj: Any) -> bytes:
        child = self.sub()
        child.value(obj)
        return child.digest()


Feeder = Callable[[Stream, Any], None]


# -- numpy ------------------------------------------------------------------------


def _dtype_token(dtype: np.dtype) -> str:
    """dtype.str (little-endian) for plain dtypes; the field layout for structured ones."""
    if dtype.fields:
        return repr(dtype.descr)
    return dtype.newbyteorder("<").str if dtype.byteorder in "=>" else dtype.str


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


def _feed_ndarray(s: Stream, arr: np.ndarray) -> None:
    s.tag("ndarray")
    s.text(_dtype_token(arr.dtype))
    s.uint(arr.ndim)
    for dim in arr.shape:
        s.uint(dim)
    if arr.dtype.fields:
        for name in arr.dtype.names or ():
            _feed_ndarray(s, arr[name])
    elif arr.dtype.hasobject:
        _tables.feed_object_values(s, arr.reshape(-1), missing_as_null=False)
    else:
        feed_buffer(s, arr)


def _feed_numpy_scalar(s: Stream, obj: np.generic) -> None:
    if obj.dtype.hasobject or obj.dtype.fields:
        s.tag("npobj")
        s.text(_dtype_token(obj.dtype))
        s.value(obj.item())
        return
    s.tag("np")
    s.text(_dtype_token(obj.dtype))
    feed_buffer(s, np.asarray(obj).reshape(1))


# -- dispatch ---------------------------------------------------------------------

Predicate = Callable[[Any], bool]


def _pandas_type(name: str) -> Predicate:
    """isinstance against a pandas class, only if pandas is already imported."""

    def check(obj: Any) -> bool:
        pd = sys.modules.get("pandas")
        return pd is not None and isinstance(obj, getattr(pd, name))

    return check


#: Ordered (kind, predicate, feeder): the first match decides how a value is hashed.
HANDLERS: list[tuple[str, Predicate, Feeder]] = [
    ("ndarray", lambda o: isinstance(o, np.ndarray), _feed_ndarray),
    ("scalar", lambda o: isinstance(o, np.generic), _feed_numpy_scalar),
    ("dataframe", _pandas_type("DataFrame"), _tables.feed_dataframe),
    ("series", _pandas_type("Series"), _tables.feed_series),
    ("index", _pandas_type("Index"), _tables.feed_index),
    ("model", is_estimator, feed_estimator),
    ("figure", is_figure, feed_figure),
    ("module", lambda o: isinstance(o, types.ModuleType), feed_module),
    ("function", is_callable_definition, feed_callable),
    ("scalar", is_repr_scalar, feed_repr_scalar),
    ("scalar", lambda o: isinstance(o, (int, float, complex, str, bytes)), feed_scalar_subclass),
    ("scalar", lambda o: isinstance(o, memoryview), feed_bytes),
    ("collection", lambda o: isinstance(o, (list, tuple)), feed_sequence),
    ("collection", lambda o: isinstance(o, dict), feed_mapping),
    ("collection", lambda o: isinstance(o, (set, frozenset)), feed_set),
]


def _find_handler(obj: Any) -> tuple[str, Feeder]:
    if type(obj) in EXACT:
        return "scalar", EXACT[type(obj)]
    for kind, predicate, feeder in HANDLERS:
        if predicate(obj):
            return kind, feeder
    return "opaque", feed_reduced


def content_hash(value: Any) -> ContentHash:
    """Hash any value; raises ``Unhashable`` (with the reason) when it cannot."""
    kind, feeder = _find_handler(value)
    stream = Stream()
    try:
        feeder(stream, value)
    except RecursionError:
        raise _Capped("nesting too deep for the interpreter's recursion limit") from None
    notes: dict[str, Any] = {}
    if kind == "opaque":
        notes["hashed_by"] = "pickle" if stream.shared.opaque else "reduce"
    if stream.shared.opaque:
        notes["opaque"] = stream.shared.opaque[:10]
        notes["of_kind"] = kind
        kind = "opaque"
    return ContentHash(kind, stream.hexdigest(), notes)


def hash_value(value: Any) -> str:
    """Just the hex digest of ``content_hash`` (raises ``Unhashable``)."""
    digest = content_hash(value).hash
    assert digest is not None
    return digest


__all__ = [
    "HASH_BLOCK_BYTES",
    "MAX_DEPTH",
    "MAX_ELEMENTS",
    "ContentHash",
    "Stream",
    "Unhashable",
    "content_hash",
    "file_key",
    "hash_bytes",
    "hash_file",
    "hash_text",
    "hash_value",
    "is_estimator",
    "is_figure",
    "qualified_name",
]
