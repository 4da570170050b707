"""``models:/NAME/VERSION`` and ``models:/NAME@ALIAS``: what a model reference means."""

from __future__ import annotations

import re
from dataclasses import dataclass

from nbtrail.errors import ModelNotFound

NAME = r"[A-Za-z0-9][A-Za-z0-9_.\-]*"
ALIAS = r"[A-Za-z_][A-Za-z0-9_\-]*"
_URI = re.compile(rf"^(?:models:/)?(?P<name>{NAME})(?:/(?P<version>\d+)|@(?P<alias>{ALIAS}))?$")


@dataclass(frozen=True)
class ModelRef:
    """A parsed reference: a name with a version, an alias, or neither (the latest)."""

    name: str
    version: int | None = None
    alias: str | None = None

    def __str__(self) -> str:
        if self.version is not None:
            return f"models:/{self.name}/{self.version}"
        if self.alias is not None:
            return f"models:/{self.name}@{self.alias}"
        return f"models:/{self.name}"


def parse_model_ref(text: str) -> ModelRef:
    """``models:/NAME/VERSION``, ``models:/NAME@ALIAS``, or the same without ``models:/``."""
    match = _URI.match(text.strip())
    if match is None:
        raise ModelNotFound(
            f"not a model reference: {text!r} (use models:/NAME/VERSION or models:/NAME@ALIAS)"
        )
    version = match["version"]
    return ModelRef(match["name"], int(version) if version else None, match["alias"])


def check_name(name: str) -> str:
    if not re.fullmatch(NAME, name or ""):
        raise ModelNotFound(f"not a valid model name: {name!r} (letters, digits, _ . -)")
    return name


def check_alias(alias: str) -> str:
    if not re.fullmatch(ALIAS, alias or ""):
        raise ModelNotFound(
            f"not a valid alias: {alias!r} (a letter or _ first, then letters, digits, _ -)"
        )
    return alias
