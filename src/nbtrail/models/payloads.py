"""What the CLI's ``--json`` and the REST API return for models: plain dicts of records."""

from __future__ import annotations

from typing import Any

from nbtrail.errors import ModelNotFound
from nbtrail.models import aliases
from nbtrail.records import ModelVersion
from nbtrail.store import Store


def model_list(store: Store) -> list[dict[str, Any]]:
    """Each registered model: how many versions, the latest, its aliases now."""
    by_name: dict[str, list[ModelVersion]] = {}
    for version in store.list_model_versions():
        by_name.setdefault(version.name, []).append(version)
    return [
        {
            "name": name,
            "versions": len(versions),
            "latest": versions[-1].version,
            "aliases": {a: e.version for a, e in aliases.current_aliases(store, name).items()},
        }
        for name, versions in by_name.items()
    ]


def model_detail(store: Store, name: str, at: float | None = None) -> dict[str, Any]:
    """A model's versions and the event behind each alias (now, or at ``at``)."""
    versions = store.list_model_versions(name)
    if not versions:
        raise ModelNotFound(f"no registered model {name!r} in {store.shown}")
    current = aliases.current_aliases(store, name, at)
    return {
        "name": name,
        "versions": [v.to_dict() for v in versions],
        "aliases": {a: e.to_dict() for a, e in sorted(current.items())},
    }


def version_detail(store: Store, version: ModelVersion) -> dict[str, Any]:
    """One version with the aliases that point at it now."""
    current = aliases.current_aliases(store, version.name)
    names = sorted(a for a, e in current.items() if e.version == version.version)
    return {**version.to_dict(), "aliases": names}
