"""Aliases (``production``, ...) as an append-only log of gated moves.

An alias's current version is its latest event, so the history is never lost
and ``history(..., at=DATE)`` answers "what was production on 1 November".
A move is refused unless the version's run has a ``reproduced`` verdict
(``verify=True`` re-runs it now); ``require`` adds metric/param conditions;
``force`` skips the gates and is recorded as forced.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import time
from collections.abc import Callable
from typing import Any

from nbtrail.errors import ModelError, ModelNotFound, PromotionRefused
from nbtrail.models.conditions import check, parse_conditions
from nbtrail.models.uris import check_alias
from nbtrail.records import AliasEvent, GateResult, ModelVersion, Reproduction
from nbtrail.store import Store

REPRODUCED = ("reproduced", "reproduced within tolerance")
#: The version an alias-removal event records: versions count from 1, so 0 names none.
REMOVED = 0

Reproducer = Callable[[str, Store], Any]  # (run id, store) -> report with .verdict


def current_version(store: Store, name: str, alias: str, at: float | None = None) -> int | None:
    events = store.alias_events(name, alias, until=at)
    return events[-1].version if events and events[-1].version != REMOVED else None


def current_aliases(store: Store, name: str, at: float | None = None) -> dict[str, AliasEvent]:
    """Each alias's latest event (at ``at``, or now)."""
    latest: dict[str, AliasEvent] = {}
    for event in store.alias_events(name, until=at):
        latest[event.alias] = event
    return {alias: event for alias, event in latest.items() if event.version != REMOVED}


def history(
    store: Store, name: str, alias: str | None = None, at: float | None = None
) -> list[AliasEvent]:
    """Every move (oldest first); with ``at``, each alias's event in effect then."""
    if not store.list_model_versions(name):
        raise ModelNotFound(f"no registered model {name!r} in {store.shown}")
    if at is None:
        return store.alias_events(name, alias)
    state = current_aliases(store, name, at)
    return [e for a, e in sorted(state.items()) if alias is None or a == alias]


def promote(
    store: Store,
    name: str,
    alias: str,
    version: int,
    *,
    require: str | None = None,
    verify: bool = False,
    force: bool = False,
    who: str | None = None,
    reproducer: Reproducer | None = None,
) -> AliasEvent:
    """Move ``alias`` to ``version`` if its gates pass (or ``force``); the event stored."""
    check_alias(alias)
    target = store.get_model_version(name, version)
    conditions = parse_conditions(require) if require else []  # bad syntax: before any work
    gates: list[GateResult] = []
    if verify and not force:
        gates.append(_verify(store, target, reproducer))
    else:
        gates.append(reproduced_gate(store, target.run))
    lineage = target.lineage
    gates += [check(c, lineage.get("params", {}), lineage.get("metrics", {})) for c in conditions]
    failed = [g for g in gates if not g.passed]
    if failed and not force:
        reasons = "; ".join(f"{g.gate}: {g.detail}" for g in failed)
        raise PromotionRefused(
            f"not moving {name}@{alias} to version {version}: {reasons} "
            "(--verify re-runs it now; --force skips the gates and is recorded)"
        )
    event = AliasEvent(
        name=name,
        alias=alias,
        version=version,
        previous=None,
        time=time.time(),
        who=who or _user(),
        gates=tuple(gates),
        forced=force,
    )
    return store.add_alias_event(event)


def remove_alias(store: Store, name: str, alias: str, *, who: str | None = None) -> AliasEvent:
    """Take ``alias`` off its version: an event too, so history shows when and by whom."""
    check_alias(alias)
    if current_version(store, name, alias) is None:
        known = ", ".join(sorted(current_aliases(store, name))) or "none"
        raise ModelNotFound(f"model {name!r} has no alias {alias!r} (aliases: {known})")
    event = AliasEvent(name=name, alias=alias, version=REMOVED, previous=None, time=time.time(),
                       who=who or _user(), gates=(), forced=False)  # fmt: skip
    return store.add_alias_event(event)


def reproduced_gate(store: Store, run_id: str) -> GateResult:
    """Whether a re-run of ``run_id`` (or of its session, covering its cell) reproduced it."""
    reproductions = [r for r in store.list_reproductions() if _covers(r, run_id)]
    if not reproductions:
        return GateResult("reproduced", False, f"run {run_id[-8:]} was never re-run")
    latest = reproductions[0]
    passed = latest.verdict in REPRODUCED
    detail = f"latest re-run (batch {latest.batch[-8:]}): {latest.verdict}"
    return GateResult("reproduced", passed, detail)


def _covers(reproduction: Reproduction, run_id: str) -> bool:
    if reproduction.run == run_id:
        return True
    cells = reproduction.report.get("cells", ())
    return any(isinstance(c, dict) and c.get("original") == run_id for c in cells)


def _verify(store: Store, target: ModelVersion, reproducer: Reproducer | None) -> GateResult:
    if reproducer is None:
        from nbtrail.reproduce import reproduce

        def reproducer(run_id: str, opened: Store) -> Any:
            return reproduce(run_id, store=opened)

    try:
        report = reproducer(target.run, store)
    except Exception as exc:
        raise ModelError(f"could not re-run {target.run[-8:]} to verify it: {exc}") from exc
    verdict = str(getattr(report, "verdict", "failed"))
    batch = str(getattr(report, "batch", ""))
    detail = f"re-run now (batch {batch[-8:]}): {verdict}"
    return GateResult("verify", verdict in REPRODUCED, detail)


def parse_when(text: str) -> float:
    """``YYYY-MM-DD`` (the end of that day, local time) or an ISO date-time."""
    try:
        if len(text.strip()) == 10:
            day = dt.datetime.fromisoformat(text.strip())
            return (day + dt.timedelta(days=1)).timestamp() - 1e-6
        return dt.datetime.fromisoformat(text.strip()).timestamp()
    except ValueError:
        raise ModelError(f"not a date: {text!r} (use YYYY-MM-DD or YYYY-MM-DDTHH:MM)") from None


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return os.environ.get("USER", "unknown")
