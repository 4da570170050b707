"""A run as MLflow holds one: plain values, no MLflow import.

What MLflow receives is computed here in full before anything is sent, so
the digest of it tells whether an exported run is still up to date without
reading the MLflow run back, and the translation (key characters, value
lengths, status names, milliseconds) is testable without a tracking server.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from nbtrail.records import Binding, EnvSnapshot, Run

#: nbtrail's run status -> MLflow's (``RunStatus`` names).
STATUS = {"running": "RUNNING", "finished": "FINISHED", "failed": "FAILED",
          "interrupted": "KILLED"}  # fmt: skip
#: Input bindings exported as MLflow dataset inputs (the rest are not data sets).
DATA_KINDS = ("dataframe", "series", "ndarray", "file")
#: The tag holding the export bookkeeping (digests of what was sent); written last.
STATE_TAG = "nbtrail.export"
RUN_ID_TAG = "nbtrail.run_id"
NOTE_TAG = "mlflow.note.content"
DATA_CONTEXT = "input"

# MLflow's limits (mlflow.utils.validation); values beyond them are refused, not cut.
KEY_LIMIT = 250
PARAM_LIMIT = 6000
TAG_LIMIT = 8000
DIGEST_LIMIT = 36
_KEY_BAD = re.compile(r"[^/\w.\- :]")


@dataclass(frozen=True)
class MetricPoint:
    key: str
    value: float
    timestamp: int  # milliseconds
    step: int


@dataclass(frozen=True)
class DataInput:
    """An input data set of the run: the binding's name, content hash and where it came from."""

    name: str
    digest: str
    source_type: str  # "local" for files, "code" for a notebook variable
    source: str  # JSON
    profile: str  # JSON: kind and shape


@dataclass(frozen=True)
class ArtifactFile:
    """One file of the MLflow run: bytes from the object folder or text made here."""

    path: str  # inside the MLflow run's artifacts
    object: str | None = None  # object hash in the nbtrail store
    text: str | None = None


@dataclass(frozen=True)
class RunPayload:
    run_id: str
    name: str
    status: str  # MLflow's
    start_ms: int
    end_ms: int | None
    params: dict[str, str] = field(default_factory=dict)
    metrics: tuple[MetricPoint, ...] = ()
    tags: dict[str, str] = field(default_factory=dict)
    user_tag_keys: tuple[str, ...] = ()
    inputs: tuple[DataInput, ...] = ()
    artifacts: tuple[ArtifactFile, ...] = ()

    def state(self) -> dict[str, Any]:
        """Digests of each part, kept on the MLflow run to tell what changed since."""
        parts = {
            "run": [self.name, self.status, self.start_ms, self.end_ms],
            "params": self.params,
            "metrics": [dataclasses.astuple(m) for m in self.metrics],
            "tags": self.tags,
            "inputs": [dataclasses.astuple(i) for i in self.inputs],
            "artifacts": [dataclasses.astuple(a) for a in self.artifacts],
        }
        digests = {key: _digest(value) for key, value in parts.items()}
        return {"digest": _digest(digests), **digests, "user_tags": list(self.user_tag_keys)}


def build_payload(run: Run, env: EnvSnapshot | None) -> RunPayload:
    """Everything of ``run`` MLflow will hold (``run`` must be a full record: ``get_run``)."""
    user = user_tags(run)
    return RunPayload(
        run_id=run.id,
        name=run.name or run.id[-8:],
        status=STATUS.get(run.status, "FAILED"),
        start_ms=_ms(run.started),
        end_ms=None if run.ended is None else _ms(run.ended),
        params=params(run),
        metrics=metrics(run),
        tags={**user, **system_tags(run)},
        user_tag_keys=tuple(sorted(user)),
        inputs=data_inputs(run),
        artifacts=artifacts(run, env),
    )


def mlflow_key(key: str) -> str:
    """A key MLflow accepts: its characters, no path tricks, at most 250 characters."""
    cleaned = _KEY_BAD.sub("_", str(key)).strip("/") or "_"
    cleaned = "/".join(part if part not in ("", ".", "..") else "_" for part in cleaned.split("/"))
    return cleaned[:KEY_LIMIT]


def params(run: Run) -> dict[str, str]:
    out: dict[str, str] = {}
    for param in run.params:
        out.setdefault(mlflow_key(param.key), _text(param.value, PARAM_LIMIT))
    return out


def metrics(run: Run) -> tuple[MetricPoint, ...]:
    """Every logged value with its step and time (a run's start when no time was kept)."""
    fallback = _ms(run.started)
    return tuple(
        MetricPoint(
            mlflow_key(m.key), float(m.value), _ms(m.time) if m.time else fallback, m.step or 0
        )
        for m in run.metrics
    )


def user_tags(run: Run) -> dict[str, str]:
    """nbtrail's own tags as they are (a bare tag keeps its empty value)."""
    return {mlflow_key(key): _text(value, TAG_LIMIT) for key, value in run.tags.items()}


def system_tags(run: Run) -> dict[str, str]:
    """``nbtrail.*`` facts of the run, plus MLflow's own source and note tags."""
    tags = {
        RUN_ID_TAG: run.id,
        "nbtrail.status": run.status,
        "nbtrail.source_hash": run.source_hash,
        "nbtrail.notebook": run.notebook,
        "nbtrail.cell_id": run.cell_id,
        "nbtrail.execution_count": run.execution_count,
        "nbtrail.env_hash": run.env_hash,
        "nbtrail.session": run.session,
        "nbtrail.batch": run.batch,
        "nbtrail.parent": run.parent,
        "nbtrail.notebook_snapshot": run.extra.get("notebook", {}).get("hash"),
        "nbtrail.lifecycle": run.lifecycle,
        "mlflow.source.name": run.notebook,
        "mlflow.source.type": "NOTEBOOK" if run.notebook else None,
        NOTE_TAG: run.note,
    }
    if run.exception is not None:
        tags["nbtrail.exception"] = f"{run.exception.type}: {run.exception.message}"
    for binding in run.bindings:
        if binding.direction == "out" and binding.hash:
            tags[mlflow_key(f"nbtrail.output.{binding.name}")] = f"{binding.kind} {binding.hash}"
    return {key: _text(value, TAG_LIMIT) for key, value in tags.items() if value not in (None, "")}


def data_inputs(run: Run) -> tuple[DataInput, ...]:
    return tuple(
        _data_input(run, b)
        for b in run.bindings
        if b.direction == "in" and b.kind in DATA_KINDS and b.hash
    )


def _data_input(run: Run, binding: Binding) -> DataInput:
    source: dict[str, Any]
    if binding.kind == "file":
        source_type, source = "local", {"uri": binding.name}
    else:
        source_type = "code"
        where = {
            "mlflow.source.name": run.notebook or "",
            "nbtrail.run_id": run.id,
            "nbtrail.cell_id": run.cell_id or "",
            "nbtrail.variable": binding.name,
        }
        source = {"tags": where}
    profile = {"kind": binding.kind}
    profile.update({k: binding.summary[k] for k in ("shape", "size") if k in binding.summary})
    return DataInput(
        name=binding.name[:500],
        digest=str(binding.hash)[:DIGEST_LIMIT],
        source_type=source_type,
        source=_json(source),
        profile=_json(profile),
    )


def artifacts(run: Run, env: EnvSnapshot | None) -> tuple[ArtifactFile, ...]:
    """The cell's source, its figures and files, the notebook snapshot, the environment."""
    files = [ArtifactFile("source/cell.py", text=run.source)] if run.source else []
    files += [ArtifactFile(f"artifacts/{_artifact_path(a.name)}", object=a.hash)
              for a in run.artifacts]  # fmt: skip
    snapshot = run.extra.get("notebook", {}).get("hash")
    if snapshot:
        name = posixpath.basename(run.notebook or "") or "notebook.ipynb"
        files.append(ArtifactFile(f"notebook/{_artifact_path(name)}", object=snapshot))
    if env is not None:
        from nbtrail.reproduce.envspec import requirements

        files.append(ArtifactFile("environment/requirements.txt", text=requirements(env, run.id)))
        snapshot_json = json.dumps(dataclasses.asdict(env), indent=2, default=str)
        files.append(ArtifactFile("environment/snapshot.json", text=snapshot_json))
    return tuple(files)


def _artifact_path(name: str) -> str:
    """A recorded name (maybe an absolute or ``..`` path) as a path inside the run."""
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    return "/".join(parts) or "artifact"


def _text(value: Any, limit: int) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _digest(value: Any) -> str:
    return hashlib.sha256(_json(value).encode()).hexdigest()[:16]
