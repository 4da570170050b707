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
    """Kind, content hash and summary of ``value``; never raises."""
    try:
        hashed = content_hash(value)
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
        _SUMMARIES[key] = summary
        if len(_SUMMARIES) > _SUMMARY_CACHE_SIZE:
            _SUMMARIES.popitem(last=False)
    else:
        _SUMMARIES.move_to_end(key)
    return ValueRecord(hashed.kind, hashed.hash, dict(summary))


#: Summaries by (type, kind, content hash). Equal hashes mean equal content, so a
#: value read by cell after cell (a training frame) is summarised once.
_SUMMARIES: OrderedDict[tuple[str, str, str], dict[str, Any]] = OrderedDict()
_SUMMARY_CACHE_SIZE = 512


def _summary(value: Any, hashed: ContentHash) -> dict[str, Any]:
    summary_kind = hashed.notes.get("of_kind", hashed.kind)
    try:
        summary = summarise(value, summary_kind)
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
