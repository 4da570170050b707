"""Typed records shared by every layer.

These frozen dataclasses are what capture produces, what the store persists and
returns, and (through ``to_dict``) the JSON wire format of the CLI and the REST
API. Keeping one definition means the sidebar, the CLI and ``nbtrail.runs()``
can never disagree about what a run is.
"""

from __future__ import annotations

import dataclasses
import os
import time
from dataclasses import dataclass, field
from typing import Any, Literal

RunStatus = Literal["running", "finished", "failed", "interrupted"]
Direction = Literal["in", "out"]

#: Kinds a binding can have. ``opaque`` means hashed best-effort (e.g. a pickle
#: of an object without a value-defined hash); ``unhashable`` means no hash at
#: all, with the reason in the summary.
BINDING_KINDS = (
    "dataframe",
    "series",
    "index",
    "ndarray",
    "scalar",
    "collection",
    "file",
    "model",
    "figure",
    "module",
    "function",
    "opaque",
    "unhashable",
)


def new_run_id() -> str:
    """A time-sortable id: 12 hex digits of milliseconds, then 10 random ones.

    Sorting ids sorts runs by start time, so the store can page by id alone.
    """
    millis = time.time_ns() // 1_000_000
    return f"{millis:012x}{os.urandom(5).hex()}"


@dataclass(frozen=True)
class Param:
    key: str
    value: Any  # JSON-serialisable
    origin: str = "api"  # papermill, magic, estimator, api, parameters-cell


@dataclass(frozen=True)
class Metric:
    key: str
    value: float
    step: int | None = None
    time: float = 0.0


@dataclass(frozen=True)
class Binding:
    """A value a cell read (``in``) or wrote (``out``)."""

    name: str
    direction: Direction
    kind: str
    hash: str | None
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Artifact:
    name: str
    hash: str
    media_type: str
    size: int


@dataclass(frozen=True)
class ExceptionInfo:
    type: str
    message: str
    traceback: str


@dataclass(frozen=True)
class EnvSnapshot:
    """Where a run happened. Stored once by ``hash`` and referenced by runs."""

    hash: str
    python: str
    executable: str
    platform: str
    cpu_count: int
    memory_bytes: int | None
    packages: dict[str, str] = field(default_factory=dict)
    git: dict[str, Any] = field(default_factory=dict)
    env_vars: dict[str, str] = field(default_factory=dict)
    # Packages installed from a path, URL or VCS (PEP 610) -> where from.
    package_sources: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Run:
    id: str
    name: str
    status: RunStatus
    started: float
    ended: float | None = None
    notebook: str | None = None
    cell_id: str | None = None
    execution_count: int | None = None
    source: str = ""
    source_hash: str = ""
    exception: ExceptionInfo | None = None
    env_hash: str | None = None
    session: str | None = None
    parent: str | None = None
    batch: str | None = None
    #: key -> value, as MLflow's tags; a bare tag (``%%track -t baseline``) has value "".
    tags: dict[str, str] = field(default_factory=dict)
    params: tuple[Param, ...] = ()
    metrics: tuple[Metric, ...] = ()
    bindings: tuple[Binding, ...] = ()
    artifacts: tuple[Artifact, ...] = ()
    #: Facts about the execution that are not data: the kernel's execution
    #: history before this run, stdout size, hidden-state warnings, ...
    extra: dict[str, Any] = field(default_factory=dict)
    note: str | None = None  # the user's words about the run (``nbtrail note``)
    lifecycle: Lifecycle = "active"  # archived: hidden from lists; deleted: gone at ``gc``

    def __post_init__(self) -> None:
        if not isinstance(self.tags, dict):  # ("baseline", "stage=x"), as before schema 7
            object.__setattr__(self, "tags", tag_dict(self.tags))

    @property
    def duration(self) -> float | None:
        return None if self.ended is None else self.ended - self.started

    def latest_metrics(self) -> dict[str, float]:
        """Last logged value of each metric key (what tables show)."""
        latest: dict[str, Metric] = {}
        for m in self.metrics:
            prev = latest.get(m.key)
            if prev is None or (m.step or 0, m.time) >= (prev.step or 0, prev.time):
                latest[m.key] = m
        return {k: m.value for k, m in latest.items()}

    def param_dict(self) -> dict[str, Any]:
        return {p.key: p.value for p in self.params}

    def _repr_html_(self) -> str:
        """A readable card when a run is a cell's result; rendered by ``nbtrail.widgets.html``."""
        from nbtrail.widgets.html import run_html

        return run_html(self)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["duration"] = self.duration
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Run:
        exc = data.get("exception")
        return cls(
            id=data["id"],
            name=data["name"],
            status=data["status"],
            started=data["started"],
            ended=data.get("ended"),
            notebook=data.get("notebook"),
            cell_id=data.get("cell_id"),
            execution_count=data.get("execution_count"),
            source=data.get("source", ""),
            source_hash=data.get("source_hash", ""),
            exception=ExceptionInfo(**exc) if exc else None,
            env_hash=data.get("env_hash"),
            session=data.get("session"),
            parent=data.get("parent"),
            batch=data.get("batch"),
            tags=tag_dict(data.get("tags")),
            params=tuple(Param(**p) for p in data.get("params", ())),
            metrics=tuple(Metric(**m) for m in data.get("metrics", ())),
            bindings=tuple(Binding(**b) for b in data.get("bindings", ())),
            artifacts=tuple(Artifact(**a) for a in data.get("artifacts", ())),
            extra=dict(data.get("extra", {})),
            note=data.get("note"),
            lifecycle=data.get("lifecycle", "active"),
        )


Lifecycle = Literal["active", "archived", "deleted"]
LIFECYCLES: tuple[str, ...] = ("active", "archived", "deleted")


def parse_tag(text: str) -> tuple[str, str]:
    """``"stage=candidate"`` -> ("stage", "candidate"); ``"baseline"`` -> ("baseline", "")."""
    key, _, value = text.partition("=")
    return key.strip(), value.strip()


def tag_dict(tags: Any) -> dict[str, str]:
    """Tags as stored now (a mapping) or before schema 7 (a list of ``key=value`` strings)."""
    if not tags:
        return {}
    if isinstance(tags, dict):
        return {str(k): str(v) for k, v in tags.items()}
    return dict(parse_tag(str(tag)) for tag in tags)


@dataclass(frozen=True)
class RunQuery:
    """Filters shared by ``nbtrail.runs()``, the CLI and the REST API."""

    notebook: str | None = None
    status: str | None = None
    name: str | None = None
    text: str | None = None  # substring of name, tags or params
    batch: str | None = None
    session: str | None = None  # runs of one kernel session
    since: float | None = None
    until: float | None = None
    before_id: str | None = None  # cursor: runs older than this id (time order)
    limit: int | None = None
    offset: int | None = None  # runs to skip: paging a metric-sorted list
    sort_metric: str | None = None  # order by the latest value of this metric, not by time
    descending: bool = True  # with sort_metric / order_by: largest first (missing always last)
    #: the filter language (store/filter_syntax.py), e.g. "metrics.accuracy > 0.9"
    filter: str | None = None
    #: ORDER BY as in MLflow: "metrics.accuracy DESC", "params.lr", "name" (ascending
    #: unless DESC); overrides sort_metric and descending
    order_by: str | None = None
    #: which runs: "active" (default), "archived", "deleted" or "all"; a filter that
    #: names attributes.lifecycle chooses for itself
    lifecycle: str = "active"


@dataclass(frozen=True)
class RunGroup:
    """Runs sharing a batch, notebook or name: the workspace's grouped table."""

    key: str | None
    count: int
    latest: float  # the newest run's start
    kind: str | None = None  # a batch's kind (sweep, rerun, rerun-set)
    verdict: str | None = None  # a re-run batch's verdict


@dataclass(frozen=True)
class RunsTable:
    """Runs as plain rows, for building a DataFrame without a record per run.

    ``runs`` rows follow ``RUN_TABLE_COLUMNS`` (tags as a mapping); ``params`` and
    ``metrics`` hold one mapping per run row, in the same order: its params'
    values, and its latest value of each metric (``Run.latest_metrics``; NaN as
    None, infinities as the strings ``"Infinity"``/``"-Infinity"``: float64 reads them).
    """

    runs: list[tuple[Any, ...]]
    params: list[dict[str, Any]]
    metrics: list[dict[str, Any]]


RUN_TABLE_COLUMNS = (
    "run_id", "name", "status", "notebook", "cell_id", "execution_count", "start_time",
    "end_time", "tags", "parent", "batch",
)  # fmt: skip


BatchKind = Literal["sweep", "rerun", "rerun-set"]  # rerun-set: many re-runs, one per notebook
BatchStatus = Literal["running", "finished", "failed"]
ItemStatus = Literal["pending", "running", "finished", "failed"]


@dataclass(frozen=True)
class BatchItem:
    """One notebook execution of a batch: its parameters and how it ended.

    Items are fixed when the batch is created (a random sample is drawn once),
    so ``--resume`` knows exactly which executions are still missing.
    """

    index: int
    params: dict[str, Any]
    status: ItemStatus = "pending"
    output: str | None = None  # the executed notebook
    error: str | None = None
    started: float | None = None
    ended: float | None = None


@dataclass(frozen=True)
class Batch:
    """A sweep or a re-run: the executions that belong together."""

    id: str
    kind: BatchKind
    notebook: str  # as recorded for runs (relative to the project root when inside it)
    created: float
    status: BatchStatus = "running"
    executor: str = "local"
    #: How the batch was asked for (grid, random sample, kernel, timeout, metric, ...).
    spec: dict[str, Any] = field(default_factory=dict)
    items: tuple[BatchItem, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["items"] = [dataclasses.asdict(item) for item in self.items]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Batch:
        return cls(
            id=data["id"],
            kind=data["kind"],
            notebook=data["notebook"],
            created=data["created"],
            status=data.get("status", "running"),
            executor=data.get("executor", "local"),
            spec=dict(data.get("spec", {})),
            items=tuple(BatchItem(**item) for item in data.get("items", ())),
        )


Verdict = Literal["reproduced", "reproduced within tolerance", "diverged", "failed"]


@dataclass(frozen=True)
class Reproduction:
    """The outcome of re-running a run: verdict plus the per-cell report (a dict).

    ``report`` is ``ReproductionReport.to_dict()`` from ``nbtrail.reproduce``;
    it is kept as plain JSON so every surface can show it without the engine.
    """

    batch: str  # the re-run batch; one reproduction per batch
    run: str  # the run that was asked to be re-run
    verdict: Verdict
    created: float
    report: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class ModelVersion:
    """One registered version of a named model (``models:/NAME/VERSION``).

    ``object`` is the skops file of the fitted model in the object folder;
    ``model_hash`` the value hash the run recorded for it. ``lineage`` copies
    what made it (params, metrics, training data bindings, environment hash,
    notebook snapshot hash), so the version keeps its story even if the run is
    later archived.
    """

    name: str
    version: int
    run: str
    binding: str  # the variable (or logged name) in that run's outputs
    model_hash: str | None
    object: str  # skops bytes in the object folder
    class_name: str = ""
    input_example: str | None = None  # JSON object in the object folder
    created: float = 0.0
    description: str = ""
    tags: tuple[str, ...] = ()
    lineage: dict[str, Any] = field(default_factory=dict)

    @property
    def uri(self) -> str:
        return f"models:/{self.name}/{self.version}"

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["tags"] = list(self.tags)
        data["uri"] = self.uri
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelVersion:
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["tags"] = tuple(values.get("tags", ()))
        values["lineage"] = dict(values.get("lineage", {}))
        return cls(**values)


@dataclass(frozen=True)
class GateResult:
    """One promotion condition and whether the version met it."""

    gate: str  # "reproduced", "verify", or a --require condition
    passed: bool
    detail: str = ""


@dataclass(frozen=True)
class AliasEvent:
    """One move of an alias; the alias's current version is its latest event.

    Events are only ever appended, so "what was production on 1 November" is
    the last event before that date.
    """

    name: str
    alias: str
    version: int
    previous: int | None  # the version the alias pointed at before, if any
    time: float
    who: str
    gates: tuple[GateResult, ...] = ()
    forced: bool = False
    seq: int = 0  # the store's order of events (ties in time)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["gates"] = [dataclasses.asdict(g) for g in self.gates]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AliasEvent:
        return cls(
            name=data["name"],
            alias=data["alias"],
            version=int(data["version"]),
            previous=data.get("previous"),
            time=float(data["time"]),
            who=data.get("who", ""),
            gates=tuple(GateResult(**g) for g in data.get("gates", ())),
            forced=bool(data.get("forced", False)),
            seq=int(data.get("seq", 0)),
        )
