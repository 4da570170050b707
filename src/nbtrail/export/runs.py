"""Copy one run's payload into MLflow: create it, bring it up to date, or leave it.

An exported MLflow run carries ``nbtrail.run_id`` and, written last, the
``nbtrail.export`` tag: digests of each part sent. A second export finds the
run by the first, compares the second and sends nothing when they agree; a
changed run sends only the parts whose digest moved (MLflow keeps params
immutable and metrics append-only, so those are sent only where missing).
An export cut short leaves no state tag and is completed next time.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from nbtrail.errors import ObjectNotFound
from nbtrail.export.connection import Target
from nbtrail.export.payload import (
    RUN_ID_TAG,
    STATE_TAG,
    ArtifactFile,
    DataInput,
    MetricPoint,
    RunPayload,
)
from nbtrail.store import Store

Outcome = Literal["created", "updated", "unchanged"]
PARAMS_PER_BATCH = 100  # MLflow's limits for one log_batch call
TAGS_PER_BATCH = 100
ENTITIES_PER_BATCH = 1000


@dataclass(frozen=True)
class ExportedRun:
    """An MLflow run that holds an nbtrail run, and the export state it carries."""

    mlflow_id: str
    state: dict[str, Any]
    tags: dict[str, str]


@dataclass
class RunResult:
    outcome: Outcome
    mlflow_id: str
    notes: list[str] = field(default_factory=list)


def exported_runs(target: Target) -> dict[str, ExportedRun]:
    """nbtrail run id -> its MLflow run in the experiment (active runs only), page by page."""
    found: dict[str, ExportedRun] = {}
    token: str | None = None
    while True:
        page = target.client.search_runs(
            [target.experiment_id], filter_string=f"tags.`{RUN_ID_TAG}` LIKE '%'",
            max_results=1000, page_token=token,
        )  # fmt: skip
        for run in page:
            tags = dict(run.data.tags)
            found.setdefault(tags[RUN_ID_TAG], ExportedRun(run.info.run_id, _state(tags), tags))
        token = page.token
        if not token:
            return found


def _state(tags: dict[str, str]) -> dict[str, Any]:
    try:
        state = json.loads(tags.get(STATE_TAG, "{}"))
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}


def export_run(
    target: Target, store: Store, payload: RunPayload, existing: ExportedRun | None
) -> RunResult:
    """Bring the MLflow run of ``payload`` up to date; what it took."""
    state = payload.state()
    if existing is not None and existing.state.get("digest") == state["digest"]:
        return RunResult("unchanged", existing.mlflow_id)
    client = target.client
    if existing is None:
        created = client.create_run(
            target.experiment_id,
            start_time=payload.start_ms,
            tags={RUN_ID_TAG: payload.run_id},
            run_name=payload.name,
        )
        existing = ExportedRun(created.info.run_id, {}, {RUN_ID_TAG: payload.run_id})
        outcome: Outcome = "created"
    else:
        outcome = "updated"
    old, result = existing.state, RunResult(outcome, existing.mlflow_id)
    changed = {part for part in state if state[part] != old.get(part)}
    params = _new_params(target, existing, payload, result) if "params" in changed else {}
    points = _new_points(target, existing, payload, result) if "metrics" in changed else ()
    tags = {k: v for k, v in payload.tags.items() if existing.tags.get(k) != v}
    for key in set(old.get("user_tags", ())) - set(payload.tags):
        client.delete_tag(existing.mlflow_id, key)  # a tag removed in nbtrail
    if "inputs" in changed and payload.inputs:
        client.log_inputs(existing.mlflow_id, datasets=_datasets(payload.inputs))
    if "artifacts" in changed and payload.artifacts:
        result.notes += _upload(client, store, existing.mlflow_id, payload)
    if "run" in changed:
        _set_status(client, existing.mlflow_id, payload, renamed=outcome == "updated")
    tags[STATE_TAG] = json.dumps(state, sort_keys=True)  # last: the mark of a complete export
    _log_batches(client, existing.mlflow_id, params, points, tags)
    return result


def _new_params(
    target: Target, existing: ExportedRun, payload: RunPayload, result: RunResult
) -> dict[str, str]:
    """Params MLflow does not hold yet; a changed value is a note (MLflow keeps the first)."""
    if result.outcome == "created":
        return payload.params
    held = target.client.get_run(existing.mlflow_id).data.params
    for key, value in payload.params.items():
        if key in held and held[key] != value:
            result.notes.append(f"param {key} changed to {value!r}; MLflow keeps {held[key]!r}")
    return {k: v for k, v in payload.params.items() if k not in held}


def _new_points(
    target: Target, existing: ExportedRun, payload: RunPayload, result: RunResult
) -> tuple[MetricPoint, ...]:
    """Metric values MLflow does not hold yet (its history read per key)."""
    if result.outcome == "created":
        return payload.metrics
    held: set[tuple[str, int, int, str]] = set()
    for key in {point.key for point in payload.metrics}:
        for m in target.client.get_metric_history(existing.mlflow_id, key):
            held.add((key, int(m.timestamp), int(m.step), _number(m.value)))
    return tuple(
        p for p in payload.metrics if (p.key, p.timestamp, p.step, _number(p.value)) not in held
    )


def _number(value: float) -> str:
    return "nan" if math.isnan(value) else repr(float(value))


def _log_batches(
    client: Any,
    run_id: str,
    params: dict[str, str],
    points: Sequence[MetricPoint],
    tags: dict[str, str],
) -> None:
    """``log_batch`` calls within MLflow's per-call limits; the last tag goes in the last call."""
    from mlflow.entities import Metric, Param, RunTag

    param_list = [Param(k, v) for k, v in params.items()]
    *tag_list, last_tag = [RunTag(k, v) for k, v in tags.items()]
    metric_list = [Metric(p.key, p.value, p.timestamp, p.step) for p in points]
    while True:
        some_params, param_list = param_list[:PARAMS_PER_BATCH], param_list[PARAMS_PER_BATCH:]
        some_tags, tag_list = tag_list[: TAGS_PER_BATCH - 1], tag_list[TAGS_PER_BATCH - 1 :]
        room = ENTITIES_PER_BATCH - 1 - len(some_params) - len(some_tags)
        some_metrics, metric_list = metric_list[:room], metric_list[room:]
        if not (param_list or tag_list or metric_list):
            some_tags.append(last_tag)
            client.log_batch(run_id, metrics=some_metrics, params=some_params, tags=some_tags)
            return
        client.log_batch(run_id, metrics=some_metrics, params=some_params, tags=some_tags)


def _datasets(inputs: Sequence[DataInput]) -> list[Any]:
    from mlflow.entities import Dataset, DatasetInput, InputTag

    context = InputTag("mlflow.data.context", "input")
    return [
        DatasetInput(
            Dataset(i.name, i.digest, i.source_type, i.source, profile=i.profile), tags=[context]
        )
        for i in inputs
    ]


def _upload(client: Any, store: Store, run_id: str, payload: RunPayload) -> list[str]:
    """Every artifact in one ``log_artifacts`` call from a staged tree (objects linked)."""
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="nbtrail-export-") as folder:
        root = Path(folder)
        for file in payload.artifacts:
            note = _stage(store, root, file)
            if note:
                notes.append(note)
        client.log_artifacts(run_id, str(root))
    return notes


def _stage(store: Store, root: Path, file: ArtifactFile) -> str | None:
    target = root / file.path
    target.parent.mkdir(parents=True, exist_ok=True)
    if file.text is not None:
        target.write_text(file.text, encoding="utf-8")
        return None
    try:
        source = store.object_path(file.object or "")
    except ObjectNotFound:
        return f"artifact {file.path} not exported: its object is gone from the store"
    try:
        os.symlink(source, target)
    except OSError:
        shutil.copyfile(source, target)
    return None


def _set_status(client: Any, run_id: str, payload: RunPayload, *, renamed: bool) -> None:
    if payload.end_ms is not None:
        client.set_terminated(run_id, status=payload.status, end_time=payload.end_ms)
    else:
        client.update_run(run_id, status=payload.status)
    if renamed:
        client.update_run(run_id, name=payload.name)
