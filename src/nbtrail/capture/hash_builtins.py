"""Canonical encodings of Python's own values: scalars and containers.

Scalars of an exact builtin type are fed straight from :data:`EXACT` (the hot
path of :meth:`~nbtrail.capture._stream.Stream.value`); their subclasses, and
value types whose repr is their value, carry their class name as well.
Containers are framed by class and length; dict items and set members are
ordered by digest, so equal values hash equal in any order.
"""

from __future__ import annotations

import math
import struct
from typing import TYPE_CHECKING, Any

from nbtrail.capture._hash_base import qualified_name

if TYPE_CHECKING:
    from nbtrail.capture._stream import Feeder, Stream

__all__ = [
    "EXACT",
    "feed_bytes",
    "feed_mapping",
    "feed_repr_scalar",
    "feed_scalar_subclass",
    "feed_sequence",
    "feed_set",
    "is_repr_scalar",
]

_F64 = struct.Struct("<d")
_CANONICAL_NAN = _F64.pack(math.nan)


# -- python scalars ---------------------------------------------------------------


def _feed_none(s: Stream, _obj: Any) -> None:
    s.tag("none")


def _feed_bool(s: Stream, obj: bool) -> None:
    s.tag("bool1" if obj else "bool0")


def _feed_int(s: Stream, obj: int) -> None:
    s.tag("int")
    s.blob(int(obj).to_bytes(obj.bit_length() // 8 + 1, "little", signed=True))


def _feed_float(s: Stream, obj: float) -> None:
    s.tag("float")
    s.raw(_CANONICAL_NAN if math.isnan(obj) else _F64.pack(obj))


def _feed_complex(s: Stream, obj: complex) -> None:
    s.tag("complex")
    _feed_float(s, obj.real)
    _feed_float(s, obj.imag)


def _feed_str(s: Stream, obj: str) -> None:
    s.tag("str")
    s.text(str(obj))


def feed_bytes(s: Stream, obj: bytes | bytearray | memoryview) -> None:
    s.tag("bytes")
    s.blob(bytes(obj))


EXACT: dict[type, Feeder] = {
    type(None): _feed_none,
    bool: _feed_bool,
    int: _feed_int,
    float: _feed_float,
    complex: _feed_complex,
    str: _feed_str,
    bytes: feed_bytes,
    bytearray: feed_bytes,
}


def feed_scalar_subclass(s: Stream, obj: Any) -> None:
    """int/str/... subclasses: the subclass name, then the base encoding."""
    s.tag("sub")
    s.text(qualified_name(type(obj)))
    base = next(b for b in type(obj).__mro__ if b in EXACT)
    EXACT[base](s, obj)


def feed_repr_scalar(s: Stream, obj: Any) -> None:
    """Value types whose repr is their value (datetime, Decimal, Path, Timestamp...)."""
    s.tag("repr")
    s.text(qualified_name(type(obj)))
    s.text(repr(obj))


_REPR_SCALAR_MODULES = ("datetime", "decimal", "fractions", "uuid", "pathlib", "enum")
_PANDAS_SCALARS = ("Timestamp", "Timedelta", "Period", "Interval", "NaTType", "NAType")


def is_repr_scalar(obj: Any) -> bool:
    import enum

    if isinstance(obj, enum.Enum):
        return True
    for cls in type(obj).__mro__:
        root = cls.__module__.split(".")[0]
        if root in _REPR_SCALAR_MODULES or root == "_pydecimal":
            return True
        if root == "pandas" and cls.__name__ in _PANDAS_SCALARS:
            return True
    return False


# -- containers -------------------------------------------------------------------


def feed_sequence(s: Stream, obj: list[Any] | tuple[Any, ...]) -> None:
    s.count(len(obj))
    s.tag("seq")
    s.text(qualified_name(type(obj)))
    s.uint(len(obj))
    for item in obj:
        s.value(item)


def feed_mapping(s: Stream, obj: dict[Any, Any]) -> None:
    """Items sorted by key digest: dicts equal as values hash equal in any order."""
    s.count(len(obj))
    s.tag("map")
    s.text(qualified_name(type(obj)))
    s.uint(len(obj))
    for key_digest, value in sorted(((s.digest_of(k), v) for k, v in obj.items()), key=_first):
        s.raw(key_digest)
        s.value(value)


def feed_set(s: Stream, obj: set[Any] | frozenset[Any]) -> None:
    s.count(len(obj))
    s.tag("set")
    s.text(qualified_name(type(obj)))
    s.uint(len(obj))
    for digest in sorted(s.digest_of(item) for item in obj):
        s.raw(digest)


def _first(pair: tuple[bytes, Any]) -> bytes:
    return pair[0]
