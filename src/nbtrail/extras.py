"""Optional extras: import a part, or say in one line which extra brings it."""

from __future__ import annotations

import importlib
from types import ModuleType

from nbtrail.errors import MissingExtra


def install_hint(extra: str) -> str:
    return f"pip install 'nbtrail[{extra}]'"


def require(module: str, purpose: str, extra: str) -> ModuleType:
    """Import ``module`` or raise MissingExtra naming the extra that provides it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtra(
            f"{purpose} needs {module.split('.')[0]}, from the {extra} extra: {install_hint(extra)}"
        ) from None
