"""Errors of the re-run and sweep engine.

``ReproduceUsageError`` is a mistake in what was asked (unknown parameter, bad
``-p``, a run without a notebook): the CLI exits 2 for it, so CI can tell "the
check could not run" from "the check ran and the results diverged" (exit 1).
"""

from __future__ import annotations

from nbtrail.errors import NbtrailError


class ReproduceUsageError(NbtrailError):
    """The request cannot be carried out as asked."""


class ParameterError(ReproduceUsageError):
    """A ``-p`` assignment is malformed or names no parameter of the notebook."""
