"""A run as it may be stored: secrets redacted (see :mod:`nbtrail.capture.secrets`).

Applied to every record the tracker writes (the start record and the finished
run), so no surface ever sees a secret the store does not hold. The kernel's
:class:`Redactor` remembers the values it saw bound to secret names, so the same
value is redacted wherever else it shows up (in a tuple, a printed line, a
later cell's outputs).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from nbtrail.capture.hashing import hash_text
from nbtrail.capture.secrets import (
    REDACTED,
    may_hold_secret,
    name_test,
    redact,
    redact_text,
    secret_name,
    secret_values,
)
from nbtrail.records import Binding, ExceptionInfo, Param, Run

#: Secret values remembered per kernel; the oldest are forgotten past this.
MAX_KNOWN = 1000


class Redactor:
    """Redacts runs of one kernel; ``learn`` tells it values bound to secret names."""

    def __init__(self) -> None:
        self._known: dict[str, None] = {}  # insertion-ordered set

    def learn(self, names: Iterable[str], namespace: Mapping[str, Any]) -> None:
        for name in names:
            if name in namespace:
                try:
                    found = secret_values(name, namespace[name])
                except Exception:  # a dict-like that misbehaves must not break tracking
                    continue
                for value in found:
                    self._known[value] = None
        while len(self._known) > MAX_KNOWN:
            del self._known[next(iter(self._known))]

    def run(self, run: Run) -> Run:
        """``run`` with secret-named values, known secrets and credential shapes redacted."""
        known = tuple(self._known)
        if not may_hold_secret(_as_text(run), known):
            return run  # the usual case: one C-speed dump and one regex search
        test = name_test()
        exception = run.exception
        if exception is not None:
            exception = ExceptionInfo(
                exception.type,
                redact_text(exception.message, known),
                redact_text(exception.traceback, known),
            )
        return replace(
            run,
            name=redact_text(run.name, known),
            tags={redact_text(k, known): redact_text(v, known) for k, v in run.tags.items()},
            params=tuple(redact_param(p, known, test) for p in run.params),
            bindings=tuple(redact_binding(b, known, test) for b in run.bindings),
            exception=exception,
            extra=redact(run.extra, known, test),
        )


def redact_param(
    param: Param, known: tuple[str, ...] = (), test: Callable[[Any], bool] = secret_name
) -> Param:
    """A secret param keeps a hash of its value, so equal secrets still compare equal."""
    if test(param.key) or redact(param.value, known, test) != param.value:
        return replace(param, value=f"{REDACTED} {_value_hash(param.value)}")
    return param


def redact_binding(
    binding: Binding, known: tuple[str, ...] = (), test: Callable[[Any], bool] = secret_name
) -> Binding:
    """A secret-named value keeps its kind and content hash; its summary goes."""
    if test(binding.name) and binding.kind != "file":
        summary = {"type": binding.summary.get("type"), "value": REDACTED, "redacted": True}
        return replace(binding, summary=summary)
    summary = redact(binding.summary, known, test)
    if summary != binding.summary:
        summary["redacted"] = True
        return replace(binding, summary=summary)
    return binding


def _as_text(run: Run) -> str:
    """Every text of ``run`` that redaction looks at, as one string."""
    parts = [
        run.name,
        run.tags,
        [(p.key, p.value) for p in run.params],
        [(b.name, b.summary) for b in run.bindings],
        run.extra,
        run.exception.message if run.exception else "",
        run.exception.traceback if run.exception else "",
    ]
    return json.dumps(parts, default=str)


def _value_hash(value: Any) -> str:
    try:
        text = json.dumps(value, sort_keys=True, default=repr)
    except (TypeError, ValueError):
        text = repr(value)
    return hash_text(text)
