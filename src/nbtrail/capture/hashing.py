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
"""

from __future__ import annotations

import inspect
import math
import os
import pickle
import struct
import sys
import sysconfig
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xxhash

from nbtrail.capture import _tables

#: Bytes per block when copying a non-contiguous array to hash it.
HASH_BLOCK_BYTES = 64 << 20
#: Deepest nesting followed before a value is declared unhashable.
MAX_DEPTH = 64
#: Python container elements visited per value before it is declared unhashable.
MAX_ELEMENTS = 1_000_000

_U64 = struct.Struct("<Q")
_F64 = struct.Struct("<d")
_CANONICAL_NAN = _F64.pack(math.nan)
_FILE_CHUNK = 8 << 20


class Unhashable(Exception):
    """A value (or a part of it) has no trustworthy hash; ``args[0]`` says why."""


class _Capped(Unhashable):
    """A size or depth cap was hit: never papered over by a pickle fallback."""


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
        feed = _EXACT.get(type(obj))
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


def _feed_bytes(s: Stream, obj: bytes | bytearray | memoryview) -> None:
    s.tag("bytes")
    s.blob(bytes(obj))


_EXACT: dict[type, Feeder] = {
    type(None): _feed_none,
    bool: _feed_bool,
    int: _feed_int,
    float: _feed_float,
    complex: _feed_complex,
    str: _feed_str,
    bytes: _feed_bytes,
    bytearray: _feed_bytes,
}


def _feed_scalar_subclass(s: Stream, obj: Any) -> None:
    """int/str/... subclasses: the subclass name, then the base encoding."""
    s.tag("sub")
    s.text(qualified_name(type(obj)))
    base = next(b for b in type(obj).__mro__ if b in _EXACT)
    _EXACT[base](s, obj)


def _feed_repr_scalar(s: Stream, obj: Any) -> None:
    """Value types whose repr is their value (datetime, Decimal, Path, Timestamp...)."""
    s.tag("repr")
    s.text(qualified_name(type(obj)))
    s.text(repr(obj))


_REPR_SCALAR_MODULES = ("datetime", "decimal", "fractions", "uuid", "pathlib", "enum")
_PANDAS_SCALARS = ("Timestamp", "Timedelta", "Period", "Interval", "NaTType", "NAType")


def _is_repr_scalar(obj: Any) -> bool:
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


# -- containers -------------------------------------------------------------------


def _feed_sequence(s: Stream, obj: list[Any] | tuple[Any, ...]) -> None:
    s.count(len(obj))
    s.tag("seq")
    s.text(qualified_name(type(obj)))
    s.uint(len(obj))
    for item in obj:
        s.value(item)


def _feed_mapping(s: Stream, obj: dict[Any, Any]) -> None:
    """Items sorted by key digest: dicts equal as values hash equal in any order."""
    s.count(len(obj))
    s.tag("map")
    s.text(qualified_name(type(obj)))
    s.uint(len(obj))
    for key_digest, value in sorted(((s.digest_of(k), v) for k, v in obj.items()), key=_first):
        s.raw(key_digest)
        s.value(value)


def _feed_set(s: Stream, obj: set[Any] | frozenset[Any]) -> None:
    s.count(len(obj))
    s.tag("set")
    s.text(qualified_name(type(obj)))
    s.uint(len(obj))
    for digest in sorted(s.digest_of(item) for item in obj):
        s.raw(digest)


def _first(pair: tuple[bytes, Any]) -> bytes:
    return pair[0]


# -- code, modules, estimators, figures -----------------------------------------


def qualified_name(obj: Any) -> str:
    """``module.QualName`` of a class or function (stable across processes)."""
    module = getattr(obj, "__module__", None) or ""
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or repr(obj)
    return f"{module}.{name}" if module else str(name)


def _library_roots() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    return tuple(os.path.realpath(paths[k]) for k in ("stdlib", "platstdlib", "purelib", "platlib"))


def _is_library_code(obj: Any) -> bool:
    """Installed or built-in code is identified by name; the environment pins its version."""
    module = sys.modules.get(getattr(obj, "__module__", "") or "")
    file = getattr(module, "__file__", None)
    if module is None or file is None:
        return module is not None and module.__name__ != "__main__"
    return os.path.realpath(file).startswith(_library_roots())


def _feed_code(s: Stream, code: types.CodeType) -> None:
    s.tag("code")
    s.blob(code.co_code)
    s.uint(len(code.co_consts))
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            _feed_code(s, const)
        else:
            s.value(const)
    s.value(code.co_names)


def _feed_callable(s: Stream, obj: Any) -> None:
    """User code by its source (or bytecode); library code by its qualified name."""
    s.tag("callable")
    s.text(qualified_name(obj))
    if isinstance(obj, types.MethodType):
        _feed_callable(s, obj.__func__)
        s.value(obj.__self__)
        return
    if _is_library_code(obj):
        return
    try:
        s.tag("source")
        s.text(inspect.getsource(obj))
    except (OSError, TypeError):
        code = getattr(obj, "__code__", None)
        if code is None:
            raise Unhashable(f"no source or code for {qualified_name(obj)}") from None
        _feed_code(s, code)


def _is_callable_definition(obj: Any) -> bool:
    """Functions, methods, classes and named callables (numpy ufuncs, dispatchers)."""
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType, types.MethodType, type)):
        return True
    return callable(obj) and isinstance(getattr(obj, "__qualname__", None), str)


def _feed_module(s: Stream, obj: types.ModuleType) -> None:
    s.tag("module")
    s.text(obj.__name__)
    s.text(str(getattr(obj, "__version__", "")))


def is_estimator(obj: Any) -> bool:
    """A scikit-learn estimator instance, recognised without importing sklearn."""
    return (
        not isinstance(obj, type)
        and hasattr(obj, "get_params")
        and type(obj).__module__.startswith("sklearn")
    )


def _feed_estimator(s: Stream, est: Any) -> None:
    """Class, constructor params (nested estimators recurse) and fitted state."""
    s.tag("estimator")
    s.text(qualified_name(type(est)))
    s.value(dict(est.get_params(deep=False)))
    fitted = {k: v for k, v in vars(est).items() if k.endswith("_") and not k.startswith("_")}
    s.value(fitted)


def is_figure(obj: Any) -> bool:
    """A matplotlib Figure, recognised by class name so matplotlib is never imported."""
    return any(
        c.__module__ == "matplotlib.figure" and c.__name__ in ("Figure", "SubFigure")
        for c in type(obj).__mro__
    )


def _feed_figure(s: Stream, fig: Any) -> None:
    """The rendered PNG with fixed metadata: what the user saw, byte for byte."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    s.tag("figure-png")
    s.blob(buf.getvalue())


# -- everything else: reduce, then pickle ----------------------------------------


def _feed_reduced(s: Stream, obj: Any) -> None:
    """Objects without a known encoding: their reduce tuple, else (opaquely) a pickle."""
    child = s.sub()
    try:
        _feed_reduce_tuple(child, obj)
    except _Capped:
        raise
    except Exception as reduce_error:
        _feed_pickle(s, obj, reduce_error)
        return
    s.tag("reduce")
    s.raw(child.digest())


def _feed_reduce_tuple(s: Stream, obj: Any) -> None:
    reduced = obj.__reduce_ex__(5)
    s.text(qualified_name(type(obj)))
    if isinstance(reduced, str):
        s.tag("global")
        s.text(reduced)
        return
    func, args, *rest = reduced
    s.text(qualified_name(func))
    s.value(args)
    state, list_items, dict_items = [*rest, None, None, None][:3]
    s.value(state)
    s.value(None if list_items is None else list(list_items))
    s.value(None if dict_items is None else dict(dict_items))


def _feed_pickle(s: Stream, obj: Any, reduce_error: Exception) -> None:
    name = qualified_name(type(obj))
    try:
        data = pickle.dumps(obj, protocol=5)
    except Exception as exc:
        raise Unhashable(f"{name}: {type(exc).__name__}: {exc}") from reduce_error
    s.shared.opaque.append(f"{name}: pickled")
    s.tag("pickle")
    s.blob(data)


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
    ("model", is_estimator, _feed_estimator),
    ("figure", is_figure, _feed_figure),
    ("module", lambda o: isinstance(o, types.ModuleType), _feed_module),
    ("function", _is_callable_definition, _feed_callable),
    ("scalar", _is_repr_scalar, _feed_repr_scalar),
    ("scalar", lambda o: isinstance(o, (int, float, complex, str, bytes)), _feed_scalar_subclass),
    ("scalar", lambda o: isinstance(o, memoryview), _feed_bytes),
    ("collection", lambda o: isinstance(o, (list, tuple)), _feed_sequence),
    ("collection", lambda o: isinstance(o, dict), _feed_mapping),
    ("collection", lambda o: isinstance(o, (set, frozenset)), _feed_set),
]


def _find_handler(obj: Any) -> tuple[str, Feeder]:
    if type(obj) in _EXACT:
        return "scalar", _EXACT[type(obj)]
    for kind, predicate, feeder in HANDLERS:
        if predicate(obj):
            return kind, feeder
    return "opaque", _feed_reduced


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
