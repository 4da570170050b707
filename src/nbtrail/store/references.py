"""Run references: every way a person can name a run, resolved in one place.

The summary line, ``nbtrail runs``, the sidebar and the widgets show a run as
the last 8 hex digits of its id, or by its name; whatever a person copies from
any of them must be accepted back by the CLI, the Python API, the REST API and
the widgets alike. So every surface goes through :func:`resolve` (as
``Store.resolve_run_id`` / ``Store.get_run``), and a backend only answers the
index lookups of :meth:`Store.find_run_refs`.

A reference is tried in this order; the first form that matches decides:

1. the **full id** (hex digits, any case);
2. ``@last`` (the newest run), ``@last~N`` (N runs before it);
3. a **name**: the newest run of that name, ``NAME~N`` the N-th one before it
   (a name that itself ends in ``~N`` is looked up whole first);
4. a **suffix** of at least 4 hex digits (the displayed form);
5. a **prefix** (any length).

Why names before hex abbreviations: a name is chosen by a person and shown
verbatim, while 4 to 8 hex digits are an abbreviation that is bound to also
end some other run's id in a large store; a person typing ``cafe`` after
naming a run ``cafe`` means that run. Why suffixes before prefixes: ids start
with their creation time, so every run of the same weeks shares a prefix and
short prefixes are almost always ambiguous, while the last digits are random.
A suffix matching several runs is reported as ambiguous rather than retried as
a prefix, so an abbreviation never silently means a different run than it
would in a smaller store. :func:`short_form` gives the shortest suffix (8
digits or more) that resolves back to a run, through this very order.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Literal, NamedTuple

from nbtrail.errors import AmbiguousRunId, RunNotFound
from nbtrail.records import RunQuery

if TYPE_CHECKING:
    from nbtrail.store.base import Store

RefKind = Literal["id", "name", "any", "suffix", "prefix"]

HEX_DIGITS = frozenset("0123456789abcdef")
LAST = "@last"
MIN_SUFFIX = 4
DISPLAYED = 8  # digits every surface shows: run.id[-8:]
SHOWN_CANDIDATES = 5
_BACK = re.compile(r"^(?P<base>.+)~(?P<back>\d+)$")


class RunRef(NamedTuple):
    """What a message needs to tell runs apart: id, name and start time."""

    id: str
    name: str
    started: float


def resolve(store: Store, reference: str) -> RunRef:
    """The one run ``reference`` means; RunNotFound or AmbiguousRunId otherwise."""
    text = reference.strip()
    if not text:
        raise RunNotFound("no run reference given (a run id, name, NAME~N or @last)")
    found = matches(store, text)
    if len(found) == 1:
        return found[0]
    if found:
        raise AmbiguousRunId(ambiguous_message(store, text, found))
    raise RunNotFound(not_found_message(store, text))


def matches(store: Store, text: str) -> list[RunRef]:
    """The runs ``text`` can mean under the first form that matches (see the module).

    Exactly one run when it resolves; several (at most ``SHOWN_CANDIDATES`` + 1)
    when the deciding form is ambiguous; none when nothing matches.
    """
    digits = text.lower()
    is_hex = all(c in HEX_DIGITS for c in digits)
    if is_hex and (exact := store.find_run_refs("id", digits)):
        return exact
    base, back = split_back(text)
    if base.lower() == LAST:
        return store.find_run_refs("any", skip=back)
    named = _named(store, text, base, back)
    if named or not is_hex:
        return named
    return _abbreviated(store, digits)


def split_back(text: str) -> tuple[str, int]:
    """``train~2`` -> ``("train", 2)``; text without ``~N`` -> ``(text, 0)``."""
    found = _BACK.match(text)
    if found is None:
        return text, 0
    return found["base"], int(found["back"])


def _named(store: Store, text: str, base: str, back: int) -> list[RunRef]:
    """The newest run named ``text``, else the ``back``-th before the newest ``base``."""
    whole = store.find_run_refs("name", text)
    if whole or base == text:
        return whole
    return store.find_run_refs("name", base, skip=back)


def _abbreviated(store: Store, digits: str) -> list[RunRef]:
    """A unique suffix wins; with no suffix match at all, the prefix matches."""
    limit = SHOWN_CANDIDATES + 1
    if len(digits) >= MIN_SUFFIX:
        suffixed = store.find_run_refs("suffix", digits, limit=limit)
        if suffixed:
            return suffixed
    return store.find_run_refs("prefix", digits, limit=limit)


def short_form(store: Store, run_id: str) -> str:
    """The shortest suffix (at least 8 digits) of ``run_id`` that resolves back to it.

    Two runs of a large store can share their last 8 digits (likely past
    ~80,000 runs), and a run may be *named* like another's digits; a form
    checked through :func:`matches` is one a person can always type back.
    """
    for length in range(DISPLAYED, len(run_id)):
        suffix = run_id[-length:]
        if [ref.id for ref in matches(store, suffix)] == [run_id]:
            return suffix
    return run_id


def ambiguous_message(store: Store, text: str, found: list[RunRef]) -> str:
    """One line naming the candidates the way they can be typed back."""
    shown = [
        f"{short_form(store, ref.id)} ({ref.name}, {_when(ref.started)})"
        for ref in found[:SHOWN_CANDIDATES]
    ]
    more = ", ..." if len(found) > SHOWN_CANDIDATES else ""
    return f"run reference {text!r} is ambiguous: {', '.join(shown)}{more}"


def not_found_message(store: Store, text: str) -> str:
    """One line saying what ``text`` was taken for and why nothing matched."""
    where = f"no run {text!r} in {store.shown}"
    base, back = split_back(text)
    if base.lower() == LAST:
        total = store.count_runs()
        return f"{where} (the store holds {total} run{'s' * (total != 1)})"
    named = store.count_runs(RunQuery(name=base)) if back else 0
    if named:
        return f"{where} (only {named} run{'s' * (named != 1)} named {base!r})"
    if all(c in HEX_DIGITS for c in text.lower()):
        return f"{where} (no run has that name, id prefix or id suffix)"
    return f"{where} (no run has that name, and run ids are hexadecimal)"


def _when(started: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(started))
