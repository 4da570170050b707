"""What the handlers stand on: the store of the server's project, and queries.

Everything here is plain Python (no tornado), so it can be tested and reused
without a server. The store is opened lazily and never created: a server
started in a folder where nobody has tracked a cell yet must not leave a
``.nbtrail/`` behind, and answers with an empty list until a kernel writes one.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Mapping
from dataclasses import asdict, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, get_args

from nbtrail.config import project_root, store_location
from nbtrail.diff import diff_runs
from nbtrail.errors import ObjectNotFound, RunNotFound, StoreNotFound
from nbtrail.records import LIFECYCLES, Run, RunQuery, RunStatus
from nbtrail.server.errors import BadRequest
from nbtrail.store import Store, open_store
from nbtrail.store.objects import check_digest

if TYPE_CHECKING:
    from nbtrail.reproduce.jobs import JobManager

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
#: Every number a client sends is bounded before it reaches SQLite (whose integers
#: are 64-bit) or a timestamp conversion.
MAX_OFFSET = 1_000_000_000
MAX_EPOCH = 32_503_680_000.0  # the year 3000
MAX_NUMBER_TEXT = 40
RUN_STATUSES: tuple[str, ...] = get_args(RunStatus)
# "time": newest first, paged by the id cursor (ids sort by start time);
# "metric:NAME": by each run's latest NAME, paged by offset.
METRIC_SORT = "metric:"
MAX_METRIC_NAME = 256
ORDERS = ("desc", "asc")
GROUPS = ("batch", "notebook", "name")
MAX_TEXT = 10_000  # a filter, a note, a tag value


class StoreAccess:
    """The server's store, opened on first need, plus the queries handlers make."""

    def __init__(self, root_dir: str, location: str | None = None) -> None:
        self.root_dir = os.path.realpath(root_dir)
        self._location = location
        self._store: Store | None = None
        self._jobs: JobManager | None = None
        self._lock = threading.Lock()

    @property
    def location(self) -> str:
        """``$NBTRAIL_STORE`` when set, else the project store found from the root dir."""
        return self._location or store_location(cwd=self.root_dir)

    def store(self) -> Store:
        """The open store; raises StoreNotFound while none has been written."""
        with self._lock:
            if self._store is None:
                self._store = open_store(self.location, create=False)
            return self._store

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None
            if self._jobs is not None:
                self._jobs.shutdown(wait=False)
                self._jobs = None

    # -- re-runs ------------------------------------------------------------
    def start_rerun(self, run_id: str, params: dict[str, Any]) -> dict[str, Any]:
        """Plan a papermill re-run now (bad requests raise here); it executes in the background."""
        self._store_for_run(run_id)
        jobs = self._job_manager()
        return jsonable(jobs.status(jobs.start_rerun(run_id, params)).to_dict())

    def job(self, job_id: str) -> dict[str, Any]:
        return jsonable(self._job_manager().status(job_id).to_dict())

    def _job_manager(self) -> JobManager:
        # Imported on first use: papermill and nbclient stay out of server start-up.
        from nbtrail.reproduce.jobs import JobManager

        with self._lock:
            if self._jobs is None:
                self._jobs = JobManager(self.location)
            return self._jobs

    # -- queries ------------------------------------------------------------
    def revision(self) -> int:
        try:
            return self.store().revision()
        except StoreNotFound:
            return 0

    def list_runs(self, args: Mapping[str, str]) -> dict[str, Any]:
        """One page of runs in the query's order, with what asks for the next page.

        ``next`` is the ``before`` cursor (a run id) in time order, the next
        ``offset`` (a number) in metric order, None on the last page.
        """
        query = self.parse_query(args)
        try:
            store = self.store()
        except StoreNotFound:
            return {"runs": [], "next": None, "revision": 0, "total": 0}
        revision = store.revision()  # before listing: a write in between shows next poll
        limit = query.limit or DEFAULT_LIMIT
        runs = store.list_runs(_replace_limit(query, limit + 1))
        more = len(runs) > limit
        runs = runs[:limit]
        following: str | int | None = None
        if more:
            by_offset = query.sort_metric or query.order_by or query.offset
            following = (query.offset or 0) + limit if by_offset else runs[-1].id
        return {
            "runs": [jsonable(run.to_dict()) for run in runs],
            "next": following,
            "revision": revision,
            "total": store.count_runs(query),
        }

    # -- the runs workspace ---------------------------------------------------
    def run_columns(self, args: Mapping[str, str]) -> dict[str, list[str]]:
        query = self.parse_query(args)
        try:
            return self.store().run_columns(query)
        except StoreNotFound:
            return {"params": [], "metrics": [], "tags": []}

    def run_groups(self, args: Mapping[str, str]) -> dict[str, Any]:
        by = args.get("by") or "batch"
        if by not in GROUPS:
            raise BadRequest(f"by must be one of {', '.join(GROUPS)} (got {by[:40]!r})")
        query = self.parse_query(args)
        try:
            groups = self.store().run_groups(by, query)
        except StoreNotFound:
            groups = []
        return {"by": by, "groups": [jsonable(asdict(group)) for group in groups]}

    def running_runs(self) -> dict[str, Any]:
        try:
            runs = self.store().running_runs()
        except StoreNotFound:
            runs = []
        return {"runs": [jsonable(run.to_dict()) for run in runs]}

    def update_run(self, run_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """``PATCH runs/{ref}``: ``{"name"?, "note"?, "lifecycle"?}``, one transaction."""
        unknown = set(body) - {"name", "note", "lifecycle"}
        if unknown or not body:
            raise BadRequest('the body must be {"name"?, "note"?, "lifecycle"?}')
        name, note, lifecycle = body.get("name"), body.get("note"), body.get("lifecycle")
        for key, value in (("name", name), ("note", note)):
            if value is not None and (not isinstance(value, str) or len(value) > MAX_TEXT):
                raise BadRequest(f"{key} must be text of at most {MAX_TEXT} characters")
        if name is not None and not name.strip():
            raise BadRequest("name cannot be empty")
        if lifecycle is not None and lifecycle not in LIFECYCLES:
            raise BadRequest(f"lifecycle must be one of {', '.join(LIFECYCLES)}")
        store = self._store_for_run(run_id)
        run = store.update_run(run_id, name=name, note=note, lifecycle=lifecycle)
        return {"run": jsonable(run.to_dict())}

    def set_tag(self, run_id: str, key: str, body: Mapping[str, Any]) -> dict[str, Any]:
        value = body.get("value", "")
        if not isinstance(value, str) or len(value) > MAX_TEXT or not 0 < len(key) <= 250:
            raise BadRequest('the body must be {"value": "<text>"} and the key 1-250 characters')
        run = self._store_for_run(run_id).set_tags(run_id, {key: value})
        return {"run": jsonable(run.to_dict())}

    def remove_tag(self, run_id: str, key: str) -> dict[str, Any]:
        run = self._store_for_run(run_id).remove_tags(run_id, [key])
        return {"run": jsonable(run.to_dict())}

    def run_detail(self, run_id: str) -> dict[str, Any]:
        """Everything recorded about a run, its environment and its notebook's API path."""
        store = self._store_for_run(run_id)
        run = store.get_run(run_id)
        env = store.get_environment(run.env_hash) if run.env_hash else None
        return {
            "run": jsonable(run.to_dict()),
            "environment": jsonable(asdict(env)) if env else None,
            "notebook_path": self.api_path(run.notebook),
        }

    def diff(self, a: str, b: str) -> dict[str, Any]:
        store = self._store_for_run(a)
        return jsonable(diff_runs(store, a, b).to_dict())

    def require_run(self, run_id: str) -> Run:
        return self._store_for_run(run_id).get_run(run_id)

    def object_file(self, digest: str, run_id: str | None) -> tuple[str, str, str | None]:
        """(path, media type, name) of a stored object; nothing outside the store.

        With ``run_id`` the media type and name come from that run's artifact
        record, and an object the run does not hold is refused, so a page can
        only show what a run produced.
        """
        try:
            check_digest(digest)
        except ObjectNotFound as exc:
            raise BadRequest(str(exc)) from None
        media_type, name = "application/octet-stream", None
        if run_id:
            run = self.require_run(run_id)
            match = next((a for a in run.artifacts if a.hash == digest), None)
            if match is None:
                raise ObjectNotFound(f"run {run.id} has no artifact {digest}")
            media_type, name = match.media_type, match.name
        try:
            path = self.store().object_path(digest)
        except StoreNotFound:
            raise ObjectNotFound(f"no object {digest}") from None
        return str(path), media_type, name

    def _store_for_run(self, run_id: str) -> Store:
        try:
            return self.store()
        except StoreNotFound:
            raise RunNotFound(f"no run {run_id!r} (no runs recorded yet)") from None

    # -- paths --------------------------------------------------------------
    # JupyterLab names a notebook by its path under the server's root dir; the
    # tracker records it relative to the project root (the store's parent
    # folder) when it is inside it, else as an absolute path.
    def project_root(self) -> str | None:
        """The store folder's parent; for a database store, the project of the root dir."""
        return os.path.realpath(project_root(self.location, cwd=self.root_dir))

    def recorded_notebook(self, api_path: str) -> str:
        """The ``notebook`` value runs of this server's notebook at ``api_path`` carry."""
        absolute = os.path.realpath(os.path.join(self.root_dir, api_path.lstrip("/")))
        project = self.project_root()
        relative = _inside(absolute, project) if project else None
        return relative if relative is not None else absolute

    def api_path(self, recorded: str | None) -> str | None:
        """The server-relative path of a recorded notebook, if it is under the root."""
        if not recorded:
            return None
        absolute = recorded
        if not os.path.isabs(recorded):
            absolute = os.path.join(self.project_root() or self.root_dir, recorded)
        return _inside(os.path.realpath(absolute), self.root_dir)

    def parse_query(self, args: Mapping[str, str]) -> RunQuery:
        """``GET runs`` parameters -> a RunQuery; BadRequest for nonsense.

        ``sort``: ``time`` (default), ``metric:NAME``, or any column the filter
        language names (``metrics.acc``, ``params.lr``, ``name``, ``duration``);
        ``filter``: the filter language; ``lifecycle``: active (default),
        archived, deleted or all.
        """
        order = args.get("order") or "desc"
        if order not in ORDERS:
            raise BadRequest(f"order must be asc or desc (got {order!r})")
        sort = args.get("sort") or "time"
        order_by = None
        if sort != "time" and not sort.startswith(METRIC_SORT):
            if len(sort) > MAX_METRIC_NAME:
                raise BadRequest("sort is too long")
            order_by = f"{sort} {order.upper()}"
            sort = "time"
        sort_metric = _sort_metric(sort)
        lifecycle = args.get("lifecycle") or "active"
        if lifecycle not in (*LIFECYCLES, "all"):
            raise BadRequest(f"lifecycle must be one of {', '.join(LIFECYCLES)} or all")
        expression = args.get("filter") or None
        if expression is not None and len(expression) > MAX_TEXT:
            raise BadRequest(f"filter is longer than {MAX_TEXT} characters")
        status = args.get("status") or None
        if status is not None and status not in RUN_STATUSES:
            raise BadRequest(f"status must be one of {', '.join(RUN_STATUSES)}")
        before = args.get("before") or None
        if before is not None and not _is_hex(before):
            raise BadRequest("before must be a run id")
        if before is not None and (sort_metric is not None or order_by is not None):
            raise BadRequest("a sorted list pages with offset, not before")
        notebook = args.get("notebook") or None
        return RunQuery(
            notebook=self.recorded_notebook(notebook) if notebook else None,
            status=status,
            text=args.get("q") or None,
            since=_time(args.get("since"), "since"),
            until=_time(args.get("until"), "until"),
            before_id=before,
            limit=_limit(args.get("limit")),
            offset=_offset(args.get("offset")),
            sort_metric=sort_metric,
            descending=order == "desc",
            filter=expression,
            order_by=order_by,
            lifecycle=lifecycle,
        )


def _inside(path: str, folder: str) -> str | None:
    """``path`` relative to ``folder`` (POSIX separators), or None when outside it."""
    relative = os.path.relpath(path, folder)
    if relative == ".." or relative.startswith(".." + os.sep) or os.path.isabs(relative):
        return None
    return relative.replace(os.sep, "/")


def _replace_limit(query: RunQuery, limit: int) -> RunQuery:
    return replace(query, limit=limit)


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text) and len(text) <= 64


def _sort_metric(sort: str) -> str | None:
    """``time`` -> None; ``metric:NAME`` -> NAME; anything else is a bad request."""
    if sort == "time":
        return None
    name = sort.removeprefix(METRIC_SORT) if sort.startswith(METRIC_SORT) else ""
    if not name or len(name) > MAX_METRIC_NAME:
        raise BadRequest(f"sort must be time or metric:NAME (got {sort[:80]!r})")
    return name


def bounded_int(text: str, name: str, low: int, high: int) -> int:
    """A query parameter as an integer in ``[low, high]``, else BadRequest (never a 500)."""
    try:
        if len(text) > MAX_NUMBER_TEXT:
            raise ValueError
        value = int(text)
    except ValueError:
        raise BadRequest(f"{name} must be an integer (got {text[:40]!r})") from None
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low} and {high}")
    return value


def _offset(text: str | None) -> int | None:
    if not text:
        return None
    return bounded_int(text, "offset", 0, MAX_OFFSET)


def _limit(text: str | None) -> int:
    if not text:
        return DEFAULT_LIMIT
    return bounded_int(text, "limit", 1, MAX_LIMIT)


def _time(text: str | None, name: str) -> float | None:
    """Seconds since the epoch, or an ISO 8601 date/time (UTC when no zone)."""
    if not text:
        return None
    problem = f"{name} must be epoch seconds (0 to {MAX_EPOCH:.0f}) or an ISO 8601 date"
    if len(text) > MAX_NUMBER_TEXT:
        raise BadRequest(problem)
    try:
        value = float(text)
    except ValueError:
        try:
            when = datetime.fromisoformat(text)
            if when.tzinfo is None:
                when = when.replace(tzinfo=timezone.utc)
            value = when.timestamp()
        except (ValueError, OverflowError):
            raise BadRequest(problem) from None
    if not 0 <= value <= MAX_EPOCH:  # also NaN and infinities
        raise BadRequest(problem)
    return value


def jsonable(value: Any) -> Any:
    """Strict JSON: browsers' JSON.parse rejects NaN/Infinity, so they become strings."""
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value
