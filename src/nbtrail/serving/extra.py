"""The ``serve`` extra: one line naming it when a part is missing."""

from __future__ import annotations

import importlib
from types import ModuleType

from nbtrail.errors import MissingExtra

INSTALL_HINT = "pip install 'nbtrail[serve]'"


def require(module: str, purpose: str) -> ModuleType:
    """Import ``module`` or raise MissingExtra saying which extra provides it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtra(
            f"{purpose} needs {module.split('.')[0]}, from the serve extra: {INSTALL_HINT}"
        ) from None
