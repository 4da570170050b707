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

This module holds raw bytes and files, the dispatch list (:data:`HANDLERS`)
and the entry points; the stream itself is in ``_stream`` and the feeders of
each kind in their own modules: numpy and scipy values in
:mod:`~nbtrail.capture.hash_arrays`, builtin scalars and containers in
:mod:`~nbtrail.capture.hash_builtins`, code, estimators and the
reduce/pickle fallback in :mod:`~nbtrail.capture.hash_objects`, matplotlib
figures and artists in :mod:`~nbtrail.capture.hash_figures`, pandas and
arrow in ``_tables``. The feeders never import this module: they recurse
through the dispatch each stream carries.
"""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xxhash

from nbtrail.capture import _tables
from nbtrail.capture._hash_base import Unhashable, _Capped, qualified_name
from nbtrail.capture._stream import (
    HASH_BLOCK_BYTES,
    MAX_DEPTH,
    MAX_ELEMENTS,
    Feeder,
    Stream,
    feed_buffer,
    feed_elements,
)
from nbtrail.capture.hash_arrays import (
    feed_masked,
    feed_ndarray,
    feed_numpy_scalar,
    feed_random_state,
    feed_sparse,
    is_masked,
    is_random_state,
    is_sparse,
)
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
from nbtrail.capture.hash_figures import feed_artist, feed_figure, is_artist, is_figure
from nbtrail.capture.hash_objects import (
    feed_callable,
    feed_estimator,
    feed_linked_node,
    feed_module,
    feed_neighbors_tree,
    feed_reduced,
    is_callable_definition,
    is_estimator,
    is_linked_node,
    is_neighbors_tree,
)

_FILE_CHUNK = 8 << 20


@dataclass(frozen=True)
class ContentHash:
    """The result of hashing a value: its kind, hex digest and notes for the summary.

    ``profile`` holds statistics gathered while hashing, when they were asked
    for (see ``summary.summarise``); it is not part of the value's identity.
    """

    kind: str
    hash: str | None
    notes: dict[str, Any] = field(default_factory=dict)
    profile: dict[str, Any] | None = field(default=None, compare=False, repr=False)


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
    ("ndarray", is_masked, feed_masked),
    ("ndarray", lambda o: isinstance(o, np.ndarray), feed_ndarray),
    ("scalar", lambda o: isinstance(o, np.generic), feed_numpy_scalar),
    ("ndarray", is_sparse, feed_sparse),
    ("dataframe", _pandas_type("DataFrame"), _tables.feed_dataframe),
    ("series", _pandas_type("Series"), _tables.feed_series),
    ("index", _pandas_type("Index"), _tables.feed_index),
    ("model", is_estimator, feed_estimator),
    ("figure", is_figure, feed_figure),
    ("figure", is_artist, feed_artist),
    ("module", lambda o: isinstance(o, types.ModuleType), feed_module),
    ("function", is_callable_definition, feed_callable),
    ("scalar", is_random_state, feed_random_state),
    ("opaque", is_neighbors_tree, feed_neighbors_tree),
    ("opaque", is_linked_node, feed_linked_node),
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


def content_hash(value: Any, *, profile: bool = False) -> ContentHash:
    """Hash any value; raises ``Unhashable`` (with the reason) when it cannot.

    With ``profile``, a table's column statistics come back too, gathered in
    the same pass over its data.
    """
    kind, feeder = _find_handler(value)
    stream = Stream.root(EXACT, _find_handler, profile=profile)
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
    return ContentHash(kind, stream.hexdigest(), notes, stream.shared.profile or None)


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
    "Feeder",
    "Stream",
    "Unhashable",
    "content_hash",
    "feed_buffer",
    "feed_elements",
    "file_key",
    "hash_bytes",
    "hash_file",
    "hash_text",
    "hash_value",
    "is_estimator",
    "is_figure",
    "qualified_name",
]
