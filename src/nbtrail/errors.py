"""Typed errors every surface maps to its own way of saying no.

The CLI prints them as one line, the server maps them to HTTP codes in one
place, the magic turns them into one warning.
"""


class NbtrailError(Exception):
    """Base class: a problem nbtrail can explain in one line."""


class StoreError(NbtrailError):
    """The store cannot be opened, read or written."""


class StoreNotFound(StoreError):
    """No store exists where one was expected (and none should be created)."""


class StoreTooNew(StoreError):
    """The store was written by a newer nbtrail; we refuse rather than damage it."""


class RunNotFound(NbtrailError):
    """No run matches a run reference (id, displayed id, prefix, name, @last)."""


class BatchNotFound(NbtrailError):
    """No batch (sweep or re-run) matches an id or prefix."""


class AmbiguousRunId(NbtrailError):
    """A run reference (an id prefix or suffix) matches more than one run."""


class NoActiveRun(NbtrailError):
    """An API call that needs a tracked cell was made outside one."""


class ObjectNotFound(NbtrailError):
    """No stored object has this hash (or the hash is malformed)."""


class ModelNotFound(NbtrailError):
    """No registered model, version or alias matches a name or ``models:/`` URI."""


class ModelError(NbtrailError):
    """A model cannot be registered, loaded, converted or packaged as asked."""


class PromotionRefused(NbtrailError):
    """A gate of ``models promote`` failed; nothing was recorded."""


class MissingExtra(NbtrailError):
    """An optional dependency group is not installed (the message names the extra)."""


class RunInUse(NbtrailError):
    """A run that other records depend on (a registered model version) cannot be deleted."""
