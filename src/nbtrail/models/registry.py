"""Register a run's model as a numbered version; log and load models.

Versions keep where the model came from (run, params, metrics, training data
bindings, environment, notebook snapshot) so a model file never loses the
code and data that made it.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Sequence
from typing import Any

from nbtrail.errors import ModelError, ModelNotFound
from nbtrail.models import serialize
from nbtrail.models.uris import ModelRef, check_name, parse_model_ref
from nbtrail.records import ModelVersion, Run
from nbtrail.store import Store
from nbtrail.store.liveness import owner_alive
from nbtrail.tracking.models import flush_kept_models, kept_model_pending

#: Seconds registering waits for this process to finish keeping a model.
KEEP_WAIT = 120.0

TRAINING_KINDS = ("dataframe", "series", "ndarray", "file")


def register(
    store: Store,
    run: str,
    name: str,
    model: str | None = None,
    *,
    description: str = "",
    tags: Sequence[str] = (),
) -> ModelVersion:
    """The next version of ``name`` from the model ``model`` of ``run`` (any run reference)."""
    check_name(name)
    record = store.get_run(store.resolve_run_id(run))
    variable, kept = _kept_model(record, model)
    kept = _located(store, record, variable, kept)
    from nbtrail.monitoring.registration import training_profile

    made = lineage(record, kept)
    made.update(training_profile(store, record, variable, kept, made))  # never raises
    draft = ModelVersion(
        name=name,
        version=0,
        run=record.id,
        binding=variable,
        model_hash=kept.get("hash"),
        object=kept["object"],
        class_name=kept.get("class", ""),
        input_example=kept.get("input_example"),
        created=time.time(),
        description=description,
        tags=tuple(tags),
        lineage=made,
    )
    return store.add_model_version(draft)


def _kept_model(run: Run, model: str | None) -> tuple[str, dict[str, Any]]:
    """The variable and its kept-model record; one clear line for every way it is missing."""
    kept: dict[str, dict[str, Any]] = run.extra.get("models", {})
    written = {b.name: b for b in run.bindings if b.direction == "out"}
    models = sorted({*kept, *(n for n, b in written.items() if b.kind == "model")})
    short = run.id[-8:]
    if model is None:
        if len(models) != 1:
            which = f"it wrote {', '.join(models)}" if models else "it wrote no model"
            raise ModelError(f"say which model of run {short} to register (--model VAR): {which}")
        model = models[0]
    if model not in kept:
        if model in written and written[model].kind != "model":
            raise ModelError(
                f"{model!r} of run {short} is a {written[model].kind}, not a fitted model"
            )
        if model not in written:
            listed = ", ".join(models) or "none"
            raise ModelError(f"run {short} wrote no variable {model!r} (its models: {listed})")
        raise ModelError(
            f"the model {model!r} of run {short} was not kept (install nbtrail[models] before "
            "training, or call nbtrail.log_model in the cell)"
        )
    if "object" not in kept[model] and kept[model].get("kept") != "background":
        raise ModelError(f"the model {model!r} of run {short} could not be kept: "
                         f"{kept[model].get('error', 'unknown reason')}")  # fmt: skip
    return model, kept[model]


def _located(store: Store, run: Run, model: str, kept: dict[str, Any]) -> dict[str, Any]:
    """The kept-model record with its skops ``object``, for one the tracker kept after its cell.

    Waits for this process's keeper when it is still busy with the model; a
    kernel that died first gets one line saying how to keep a model for sure.
    """
    if "object" in kept:
        return kept
    short, value_hash = run.id[-8:], kept.get("hash") or ""
    found = store.kept_model(value_hash)
    if found is None and kept_model_pending(value_hash):
        flush_kept_models(KEEP_WAIT, value_hash)
        found = store.kept_model(value_hash)
    if found is not None and found.object is not None:
        return {**kept, "object": found.object}
    if found is not None:
        raise ModelError(f"the model {model!r} of run {short} could not be kept: {found.error}")
    owner = kept.get("owner") or {}
    if kept_model_pending(value_hash):
        why = f"this process is still saving it after {KEEP_WAIT:.0f} s; try again later"
    elif _is_this_process(owner):
        why = "saving it in the background failed (see the warning printed then)"
    elif owner_alive(owner):
        why = f"its kernel (pid {owner.get('pid')}) is still saving it; try again in a moment"
    else:
        why = "its kernel ended before saving it"
    raise ModelError(
        f"the model {model!r} of run {short} was not kept: {why}; to keep a model for sure, "
        f"call nbtrail.log_model({model}) in the tracked cell that fits it"
    )


def _is_this_process(owner: dict[str, Any]) -> bool:
    return owner.get("pid") == os.getpid() and owner.get("host") == socket.gethostname()


def lineage(run: Run, kept: dict[str, Any]) -> dict[str, Any]:
    """What made the model, copied onto the version."""
    notebook = run.extra.get("notebook", {})
    return {
        "params": run.param_dict(),
        "metrics": run.latest_metrics(),
        "training_data": [
            {"name": b.name, "kind": b.kind, "hash": b.hash, "summary": b.summary}
            for b in run.bindings
            if b.direction == "in" and b.kind in TRAINING_KINDS
        ],
        "env_hash": run.env_hash,
        "notebook": run.notebook,
        "notebook_snapshot": notebook.get("hash"),
        "cell_id": run.cell_id,
        "run_name": run.name,
        "columns": kept.get("columns"),
        "n_features": kept.get("n_features"),
    }


def resolve(store: Store, reference: str | ModelRef) -> ModelVersion:
    """The version a reference means: a number, an alias's current one, or the latest."""
    from nbtrail.models.aliases import current_version

    ref = parse_model_ref(reference) if isinstance(reference, str) else reference
    if ref.version is not None:
        return store.get_model_version(ref.name, ref.version)
    if ref.alias is not None:
        version = current_version(store, ref.name, ref.alias)
        if version is None:
            store.get_model_version(ref.name, 1)  # an unknown model says so first
            raise ModelNotFound(f"model {ref.name!r} has no alias {ref.alias!r}")
        return store.get_model_version(ref.name, version)
    versions = store.list_model_versions(ref.name)
    if not versions:
        raise ModelNotFound(f"no registered model {ref.name!r} in {store.shown}")
    return versions[-1]


def load(store: Store, reference: str | ModelRef, trusted: Sequence[str] = ()) -> Any:
    """The model object of a version, through skops with the caller's trust list."""
    version = resolve(store, reference)
    return serialize.loads_model(serialize.object_bytes(store, version.object), trusted)


def input_example(store: Store, version: ModelVersion) -> Any | None:
    """The logged example, else rows synthesised from the training data summary."""
    if version.input_example:
        return serialize.load_example(store, version.input_example)
    columns = version.lineage.get("columns") or []
    for data in version.lineage.get("training_data", ()):
        if data.get("kind") == "dataframe":
            example = serialize.example_from_summary(columns, data.get("summary", {}))
            if example is not None:
                return example
    return None
