"""The ``models`` extra: one line naming it when a part is missing."""

from __future__ import annotations

from types import ModuleType

from nbtrail import extras


def require(module: str, purpose: str) -> ModuleType:
    """Import ``module`` or raise MissingExtra saying the models extra provides it."""
    return extras.require(module, purpose, "models")
