"""Pair each tracked run of the original session with its counterpart in a re-run.

Cell ids are the strongest identity (JupyterLab sends them; for papermill runs
the tracker finds them by source). A renamed or edited cell loses its id
match, so runs then pair by name (``%%track NAME`` or the first comment), and
what is left pairs by order. A cell executed several times in the original
session is represented by its last execution, which is the state the session
ended with.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from nbtrail.records import Run

MatchedBy = Literal["cell id", "name", "order", "unmatched"]


@dataclass(frozen=True)
class Pair:
    original: Run | None
    rerun: Run | None
    matched_by: MatchedBy


def latest_per_cell(runs: Sequence[Run]) -> list[Run]:
    """One run per cell (by id, else name), the last executed, in execution order."""
    latest: dict[str, Run] = {}
    for run in sorted(runs, key=lambda r: r.id):
        key = f"id:{run.cell_id}" if run.cell_id else f"name:{run.name}"
        latest.pop(key, None)
        latest[key] = run
    return list(latest.values())


def match_runs(originals: Sequence[Run], reruns: Sequence[Run]) -> list[Pair]:
    """Pairs in re-run order, then originals without a counterpart."""
    left = list(originals)
    right = sorted(reruns, key=lambda r: r.id)
    partner: dict[str, tuple[Run, MatchedBy]] = {}  # rerun id -> original

    def pair_by(key: Callable[[Run], str | None], how: MatchedBy) -> None:
        for original in [o for o in left if key(o) is not None]:
            for candidate in right:
                if candidate.id not in partner and key(candidate) == key(original):
                    partner[candidate.id] = (original, how)
                    left.remove(original)
                    break

    pair_by(lambda r: r.cell_id, "cell id")
    pair_by(lambda r: r.name, "name")
    unpaired = [r for r in right if r.id not in partner]
    for original, candidate in zip(left[:], unpaired, strict=False):
        partner[candidate.id] = (original, "order")
        left.remove(original)

    pairs = []
    for run in right:
        if run.id in partner:
            original, how = partner[run.id]
            pairs.append(Pair(original, run, how))
        else:
            pairs.append(Pair(None, run, "unmatched"))
    return pairs + [Pair(original, None, "unmatched") for original in left]
