"""What every hashing module shares: its errors and how it names a class or function."""

from __future__ import annotations

from typing import Any

__all__ = ["Unhashable", "qualified_name"]


class Unhashable(Exception):
    """A value (or a part of it) has no trustworthy hash; ``args[0]`` says why."""


class _Capped(Unhashable):
    """A size or depth cap was hit: never papered over by a pickle fallback.

    Private to the hashing modules; its name shows in unhashable reasons."""


def qualified_name(obj: Any) -> str:
    """``module.QualName`` of a class or function (stable across processes)."""
    module = getattr(obj, "__module__", None) or ""
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or repr(obj)
    return f"{module}.{name}" if module else str(name)
