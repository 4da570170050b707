"""Registered versions and their aliases into MLflow's model registry.

Each version is packaged as an MLflow model (``models/packaging.py``: skops
serialization, signature, pinned requirements), logged as artifacts of its
run's MLflow run and registered from there, tagged ``nbtrail.model_version``
so a second export finds it and adds nothing. MLflow numbers versions
itself: into an empty registered model they come out as nbtrail's numbers.
Aliases follow nbtrail's current ones.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from nbtrail.errors import NbtrailError
from nbtrail.export.connection import Target, first_line
from nbtrail.models import aliases, packaging
from nbtrail.records import ModelVersion
from nbtrail.store import Store

VERSION_TAG = "nbtrail.model_version"


@dataclass
class ModelsResult:
    registered: list[str] = field(default_factory=list)  # nbtrail URIs newly registered
    aliases: list[str] = field(default_factory=list)  # NAME@ALIAS -> MLflow version, moved
    notes: list[str] = field(default_factory=list)


def export_models(
    target: Target,
    store: Store,
    versions: Sequence[ModelVersion],
    mlflow_runs: Mapping[str, str],
    trusted: Sequence[str] = (),
) -> ModelsResult:
    """Register ``versions`` (each of a run in ``mlflow_runs``: nbtrail id -> MLflow id)."""
    result = ModelsResult()
    by_name: dict[str, list[ModelVersion]] = {}
    for version in versions:
        by_name.setdefault(version.name, []).append(version)
    for name, group in sorted(by_name.items()):
        numbers = _registered(target, name)
        for version in sorted(group, key=lambda v: v.version):
            if version.version in numbers:
                continue
            try:
                numbers[version.version] = _register(target, store, version,
                                                     mlflow_runs[version.run], trusted)  # fmt: skip
                result.registered.append(version.uri)
            except NbtrailError as exc:
                result.notes.append(f"{version.uri} not exported: {exc}")
        result.aliases += _aliases(target, store, name, numbers)
    return result


def _registered(target: Target, name: str) -> dict[int, str]:
    """nbtrail version -> MLflow version of the versions exported before (model created)."""
    client = target.client
    if not client.search_registered_models(filter_string=f"name = '{name}'"):
        client.create_registered_model(name, tags={"nbtrail.model": name})
    numbers: dict[int, str] = {}
    for found in client.search_model_versions(f"name = '{name}'"):
        tagged = found.tags.get(VERSION_TAG)
        if tagged and tagged.isdigit():
            numbers[int(tagged)] = str(found.version)
    return numbers


def _register(
    target: Target, store: Store, version: ModelVersion, run_id: str, trusted: Sequence[str]
) -> str:
    """Package, upload and register one version; its MLflow version number."""
    client = target.client
    path = f"models/{version.name}-v{version.version}"
    with tempfile.TemporaryDirectory(prefix="nbtrail-export-model-") as folder:
        built = packaging.package(store, version.uri, "mlflow", folder, trusted)
        client.log_artifacts(run_id, str(built.path), path)
    source = f"{client.get_run(run_id).info.artifact_uri}/{path}"
    tags = {VERSION_TAG: str(version.version), "nbtrail.uri": version.uri,
            "nbtrail.run_id": version.run, "nbtrail.variable": version.binding,
            "nbtrail.model_hash": version.model_hash or ""}  # fmt: skip
    try:
        created = client.create_model_version(
            version.name, source, run_id=run_id, tags=tags, description=version.description or None
        )
    except Exception as exc:
        raise NbtrailError(f"MLflow refused it: {first_line(exc)}") from None
    return str(created.version)


def _aliases(target: Target, store: Store, name: str, numbers: Mapping[int, str]) -> list[str]:
    """Point MLflow's aliases where nbtrail's current ones are; the moves made."""
    client = target.client
    held: dict[str, Any] = dict(client.get_registered_model(name).aliases)
    moved = []
    for alias, event in sorted(aliases.current_aliases(store, name).items()):
        number = numbers.get(event.version)
        if number is None or str(held.get(alias)) == number:
            continue
        client.set_registered_model_alias(name, alias, number)
        moved.append(f"{name}@{alias} -> {number}")
    return moved
