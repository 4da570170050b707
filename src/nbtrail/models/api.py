"""The Python API of the registry: ``nbtrail.log_model``, ``register_model``, ``load_model``, ..."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nbtrail.models import aliases, registry, serialize
from nbtrail.records import AliasEvent, ModelVersion
from nbtrail.store import Store, open_store
from nbtrail.store.base import KeptModel
from nbtrail.tracking import active_run, current_tracker
from nbtrail.tracking.models import SKOPS_MEDIA_TYPE, model_record


def _store(store: Store | str | None = None, create: bool = False) -> Store:
    if isinstance(store, Store):
        return store
    tracker = current_tracker()
    if store is None and tracker is not None:
        return tracker.store
    return open_store(store, create=create)


def log_model(model: Any, name: str | None = None, input_example: Any = None) -> str:
    """Keep ``model`` (skops) with the running tracked cell, with an input example.

    ``name`` defaults to the variable the cell bound the model to, else
    ``"model"``. Returns the name to pass as ``register_model(..., model=NAME)``.
    """
    from nbtrail.capture.values import describe_value
    from nbtrail.models.uris import check_name
    from nbtrail.records import Artifact

    run = active_run()
    store = _store(create=True)
    name = check_name(name or _variable_of(model) or "model")
    data = serialize.dumps_model(model)
    from nbtrail.capture.hashing import hash_bytes

    digest = hash_bytes(data)
    store.put_object(data, digest)
    value_hash = describe_value(model).hash
    record = {**model_record(model, value_hash), "object": digest, "logged": True}
    if value_hash is not None:  # a later run writing the same model finds it kept
        store.record_kept_model(KeptModel(value_hash, digest, len(data)))
    if input_example is not None:
        record["input_example"] = serialize.keep_example(store, input_example)
    run.extra.setdefault("models", {})[name] = record
    run.artifacts.append(Artifact(f"{name}.skops", digest, SKOPS_MEDIA_TYPE, len(data)))
    return name


def _variable_of(model: Any) -> str | None:
    tracker = current_tracker()
    namespace = getattr(getattr(tracker, "shell", None), "user_ns", None) or {}
    for key, value in namespace.items():
        if value is model and not key.startswith("_"):
            return str(key)
    return None


def register_model(
    run: str,
    name: str,
    model: str | None = None,
    *,
    description: str = "",
    tags: Sequence[str] = (),
    store: Store | str | None = None,
) -> ModelVersion:
    """Register ``model`` (a variable ``run`` wrote) as the next version of ``name``."""
    return registry.register(_store(store), run, name, model, description=description, tags=tags)


def load_model(uri: str, *, trusted: Sequence[str] = (), store: Store | str | None = None) -> Any:
    """The model of ``models:/NAME/VERSION`` or ``models:/NAME@ALIAS``.

    Types skops does not trust by default must be in ``trusted`` (your own
    list, after checking them); the error names them.
    """
    return registry.load(_store(store), uri, trusted)


def get_model_version(uri: str, *, store: Store | str | None = None) -> ModelVersion:
    return registry.resolve(_store(store), uri)


def set_model_alias(
    name: str,
    alias: str,
    version: int,
    *,
    require: str | None = None,
    verify: bool = False,
    force: bool = False,
    store: Store | str | None = None,
) -> AliasEvent:
    """Move ``alias`` to ``version`` through the gates (see ``nbtrail models promote``)."""
    return aliases.promote(
        _store(store), name, alias, version, require=require, verify=verify, force=force
    )


def model_history(
    name: str, alias: str | None = None, at: str | None = None, *, store: Store | str | None = None
) -> list[AliasEvent]:
    when = aliases.parse_when(at) if at else None
    return aliases.history(_store(store), name, alias, when)
