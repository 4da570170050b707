"""The environment a run happened in, as an :class:`~nbtrail.records.EnvSnapshot`.

Each fact comes from one small named *gatherer* (as in Sacred's ``host_info``),
so a fact is easy to test, to extend and to leave out: a gatherer that cannot
tell returns :data:`SKIP` and the snapshot keeps that field's default.

A kernel runs many tracked cells, so :class:`EnvironmentCache` computes the
snapshot once and afterwards only re-checks what can change cheaply: the
installed packages (by a ``stat`` fingerprint of the ``sys.path`` folders), the
git state (by a ``stat`` fingerprint of ``.git`` and of the tracked files) and
the selected environment variables. Nothing here writes anything.
"""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import random
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import xxhash

from nbtrail.capture.env_vars import selected_env_vars
from nbtrail.capture.git import GitCache, git_state
from nbtrail.capture.packages import PackageIndex, installed_packages, package_sources
from nbtrail.records import EnvSnapshot

__all__ = [
    "GATHERERS",
    "SKIP",
    "EnvironmentCache",
    "Gatherer",
    "build_snapshot",
    "random_state",
    "snapshot",
]


class _Skip:
    """Type of :data:`SKIP`; a class so the sentinel has a readable repr."""

    def __repr__(self) -> str:
        return "SKIP"


#: Returned by a gatherer that has nothing to say on this machine.
SKIP: Any = _Skip()


@dataclass(frozen=True)
class Gatherer:
    """One environment fact: the ``EnvSnapshot`` field it fills and how.

    ``static`` facts cannot change while a process lives (the Python version,
    the CPU count), so :class:`EnvironmentCache` gathers them only once.
    """

    name: str
    func: Callable[[], Any]
    static: bool = False


# --- host facts -----------------------------------------------------------


def _python_version() -> str:
    return platform.python_version()


def _executable() -> str:
    return sys.executable or SKIP


def _platform() -> str:
    """System, release and machine; not ``platform.platform()``, which reads
    the whole interpreter binary to guess the libc version (milliseconds)."""
    uname = platform.uname()
    return f"{uname.system}-{uname.release}-{uname.machine}"


def _cpu_count() -> int:
    return os.cpu_count() or SKIP


def _memory_bytes() -> int | None:
    """Total physical memory, from ``sysconf`` or else ``/proc/meminfo``."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        pass
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return SKIP


# --- registry, hashing, snapshot ---------------------------------------------

#: The facts of a snapshot, in order. Append a :class:`Gatherer` to add one.
GATHERERS: list[Gatherer] = [
    Gatherer("python", _python_version, static=True),
    Gatherer("executable", _executable, static=True),
    Gatherer("platform", _platform, static=True),
    Gatherer("cpu_count", _cpu_count, static=True),
    Gatherer("memory_bytes", _memory_bytes, static=True),
    Gatherer("packages", installed_packages),
    Gatherer("package_sources", package_sources),
    Gatherer("git", git_state),
    Gatherer("env_vars", selected_env_vars),
]

_DEFAULTS: dict[str, Any] = {
    "python": "",
    "executable": "",
    "platform": "",
    "cpu_count": 0,
    "memory_bytes": None,
}
_FIELDS = frozenset(f.name for f in dataclasses.fields(EnvSnapshot)) - {"hash"}


def _call(gatherer: Gatherer) -> Any:
    """A gatherer that raises is treated as one that opted out."""
    try:
        return gatherer.func()
    except Exception:
        return SKIP


def build_snapshot(facts: Mapping[str, Any]) -> EnvSnapshot:
    """An ``EnvSnapshot`` from gathered facts, hashed over all of them.

    The hash is xxh3_128 of canonical JSON (sorted keys, no whitespace), so the
    same environment gives the same hash in any process. Facts that are not
    ``EnvSnapshot`` fields are ignored.
    """
    values = {**_DEFAULTS, **{k: v for k, v in facts.items() if k in _FIELDS and v is not SKIP}}
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"), default=str)
    return EnvSnapshot(hash=xxhash.xxh3_128_hexdigest(canonical.encode()), **values)


def snapshot(gatherers: Iterable[Gatherer] | None = None) -> EnvSnapshot:
    """A fresh, uncached snapshot (every gatherer runs)."""
    chosen = GATHERERS if gatherers is None else gatherers
    return build_snapshot({g.name: _call(g) for g in chosen})


class EnvironmentCache:
    """The snapshot of this process, recomputed only when something moved.

    Static facts are gathered once; packages and git go through their stat
    fingerprints; environment variables are re-read (microseconds). When every
    fact is unchanged the previous ``EnvSnapshot`` object is returned as is.
    """

    def __init__(self, gatherers: Iterable[Gatherer] | None = None) -> None:
        self._packages = PackageIndex()
        self._git = GitCache()
        cached = {
            "packages": self._packages.get,
            "package_sources": self._packages.sources,
            "git": self._git.get,
        }
        chosen = GATHERERS if gatherers is None else list(gatherers)
        self._dynamic = [
            dataclasses.replace(g, func=cached.get(g.name, g.func)) for g in chosen if not g.static
        ]
        self._static = {g.name: _call(g) for g in chosen if g.static}
        self._last_facts: dict[str, Any] | None = None
        self._last: EnvSnapshot | None = None

    def note_written(self, paths: Iterable[str]) -> None:
        """Files a tracked cell wrote (see ``GitCache.note_written``)."""
        self._git.note_written(paths)

    def get(self) -> EnvSnapshot:
        facts = {g.name: _call(g) for g in self._dynamic}
        if self._last is None or not _same_facts(facts, self._last_facts):
            self._last = build_snapshot({**self._static, **facts})
            self._last_facts = facts
        return self._last


def _same_facts(new: dict[str, Any], old: dict[str, Any] | None) -> bool:
    """Equality with an identity shortcut (cached facts return the same dict)."""
    if old is None or new.keys() != old.keys():
        return False
    return all(value is old[name] or value == old[name] for name, value in new.items())


# --- random state -------------------------------------------------------------


def random_state() -> dict[str, str]:
    """Digests of the global RNG states, taken at cell start.

    Two runs whose cell started from different states without seeding show
    unseeded randomness. numpy is only looked at when its ``random`` module is
    already imported: before that nobody can have drawn from its global RNG.
    """
    state = {"python": xxhash.xxh3_128_hexdigest(repr(random.getstate()).encode())}
    np_random = sys.modules.get("numpy.random")
    if np_random is not None:
        try:
            name, keys, pos, has_gauss, gauss = np_random.get_state()
            digest = xxhash.xxh3_128()
            digest.update(repr((name, int(pos), int(has_gauss), float(gauss))).encode())
            digest.update(memoryview(keys).cast("B"))
            state["numpy"] = digest.hexdigest()
        except Exception:
            pass
    return state
