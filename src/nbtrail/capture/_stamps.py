"""``stat`` fingerprints: the cheap test for "did anything on disk move?".

Shared by the package scan and the git probe: both record a stamp of the files
they read and trust their cached answer while the stamp is unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

__all__ = ["RACY_NS", "is_racy", "stamp_of", "stat_stamp"]

#: Files modified this recently (ns) before a check are re-checked next time:
#: covers file systems whose mtime ticks in whole seconds (FAT: two).
RACY_NS = 2_000_000_000


def stat_stamp(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def stamp_of(paths: Iterable[str]) -> tuple[Any, ...]:
    return tuple(stat_stamp(path) for path in paths)


def is_racy(stamp: Iterable[tuple[int, ...] | None], started_ns: int) -> bool:
    """Whether a file changed so close to the probe that a further change
    could keep the same mtime (coarse file-system clocks); such a probe is
    not trusted and the next check looks again, as git itself does."""
    return any(s is not None and s[0] >= started_ns - RACY_NS for s in stamp)
