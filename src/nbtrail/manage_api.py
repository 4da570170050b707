"""Run management from Python, named as MLflow's client names it.

``run`` is any run reference (an id as displayed, a name, ``NAME~1``,
``@last``); each call is one store transaction and returns the run as stored.
"""

from __future__ import annotations

from collections.abc import Mapping

from nbtrail.api import _store
from nbtrail.records import Run
from nbtrail.store.base import GarbageReport


def set_tag(run: str, key: str, value: str = "") -> Run:
    """Tag a run: ``set_tag("@last", "stage", "candidate")``; a bare tag has value ""."""
    return _store().set_tags(run, {key: str(value)})


def set_tags(run: str, tags: Mapping[str, str]) -> Run:
    return _store().set_tags(run, {k: str(v) for k, v in tags.items()})


def delete_tag(run: str, key: str) -> Run:
    return _store().remove_tags(run, [key])


def set_note(run: str, text: str) -> Run:
    """The run's note ("" clears it): the free text a workspace shows beside it."""
    return _store().update_run(run, note=text)


def rename_run(run: str, name: str) -> Run:
    if not name.strip():
        raise ValueError("a run's name cannot be empty")
    return _store().update_run(run, name=name)


def archive_run(run: str) -> Run:
    """Hide a run from lists; ``runs(lifecycle="archived")`` still finds it."""
    return _store().update_run(run, lifecycle="archived")


def restore_run(run: str) -> Run:
    """Bring an archived or deleted run back."""
    return _store().update_run(run, lifecycle="active")


def delete_run(run: str) -> Run:
    """Delete a run: hidden now, removed for good by :func:`gc`."""
    return _store().update_run(run, lifecycle="deleted")


def gc(*, dry_run: bool = False, grace: float = 3600.0) -> GarbageReport:
    """Remove deleted runs and the objects no record refers to (older than ``grace`` s)."""
    return _store().collect_garbage(older_than=grace, dry_run=dry_run)
