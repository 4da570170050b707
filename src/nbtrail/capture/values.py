"""The one entry point the tracker uses to turn a value into a record.

``describe_value`` combines a content hash with a cheap summary and never
raises: tracking must never break the user's cell, so any failure becomes an
``unhashable`` record that says why.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from nbtrail.capture.hashing import (
    ContentHash,
    Unhashable,
    content_hash,
    file_key,
    hash_bytes,
    hash_file,
    hash_text,
    qualified_name,
)
from nbtrail.capture.summary import summarise
from nbtrail.capture.timing import without_timing

__all__ = [
    "ValueRecord",
    "describe_file",
    "describe_value",
    "file_key",
    "hash_bytes",
    "hash_file",
    "hash_text",
]


@dataclass(frozen=True)
class ValueRecord:
    kind: str  # one of nbtrail.records.BINDING_KINDS
    hash: str | None  # 32 hex chars, None when unhashable
    summary: dict[str, Any]  # JSON-serialisable, small


def describe_value(value: Any) -> ValueRecord:
    """Kind, content hash and summary of ``value``; never raises.

    A value met for the first time is hashed with a profile (its summary's
    statistics gathered in the same pass); one described before, whose
    summary is most likely cached, is only hashed.
    """
    seen = _SEEN.get(id(value))
    try:
        hashed = content_hash(value, profile=seen is None or seen not in _SUMMARIES)
    except Unhashable as exc:
        return _unhashable(value, str(exc))
    except Exception as exc:
        return _unhashable(value, f"{type(exc).__name__}: {exc}")
    if hashed.hash is None:
        return ValueRecord(hashed.kind, None, _summary(value, hashed))
    key = (_type_name(value), hashed.kind, hashed.hash)
    summary = _SUMMARIES.get(key)
    if summary is None:
        summary = _summary(value, hashed)
        _remember(_SUMMARIES, key, summary)
    else:
        _SUMMARIES.move_to_end(key)
    _remember(_SEEN, id(value), key)
    return ValueRecord(hashed.kind, hashed.hash, dict(summary))


#: Summaries by (type, kind, content hash). Equal hashes mean equal content, so a
#: value read by cell after cell (a training frame) is summarised once.
_SUMMARIES: OrderedDict[tuple[str, str, str], dict[str, Any]] = OrderedDict()
#: The summary key each recently described object (by id) had. Only a hint: an id
#: reused by another object, or an object changed in place, misses the summary
#: cache and is summarised by its own passes (``summary.column_stats``).
_SEEN: OrderedDict[int, tuple[str, str, str]] = OrderedDict()
_SUMMARY_CACHE_SIZE = 512


def _remember(cache: OrderedDict[Any, Any], key: Any, value: Any) -> None:
    cache[key] = value
    cache.move_to_end(key)
    if len(cache) > _SUMMARY_CACHE_SIZE:
        cache.popitem(last=False)


def _summary(value: Any, hashed: ContentHash) -> dict[str, Any]:
    summary_kind = hashed.notes.get("of_kind", hashed.kind)
    try:
        summary = summarise(value, summary_kind, hashed.profile)
    except Exception as exc:
        summary = {"type": _type_name(value), "summary_error": f"{type(exc).__name__}: {exc}"}
    summary.update(hashed.notes)
    untimed = _untimed_hash(value)
    if untimed is not None:
        summary["untimed_hash"] = untimed
    return summary


def _untimed_hash(value: Any) -> str | None:
    """The hash without scikit-learn's fit/score times (see capture.timing)."""
    try:
        rest = without_timing(value)
        return None if rest is None else content_hash(rest).hash
    except Exception:
        return None


def describe_file(path: str | os.PathLike[str]) -> ValueRecord:
    """A file the cell read or wrote: its bytes' hash, path and size; never raises."""
    try:
        return ValueRecord(
            "file", hash_file(path), {"path": os.fspath(path), "size": os.path.getsize(path)}
        )
    except Exception as exc:
        return ValueRecord("unhashable", None, {"path": os.fspath(path), "reason": str(exc)})


def _unhashable(value: Any, reason: str) -> ValueRecord:
    return ValueRecord("unhashable", None, {"type": _type_name(value), "reason": reason[:500]})


def _type_name(value: Any) -> str:
    try:
        return qualified_name(type(value))
    except Exception:
        return "?"
