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
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import xxhash

from nbtrail.records import EnvSnapshot

__all__ = [
    "GATHERERS",
    "SKIP",
    "EnvironmentCache",
    "Gatherer",
    "GitProbe",
    "PackageIndex",
    "build_snapshot",
    "git_state",
    "installed_packages",
    "is_secret_name",
    "normalize_name",
    "random_state",
    "selected_env_vars",
    "snapshot",
]


class _Skip:
    """Type of :data:`SKIP`; a class so the sentinel has a readable repr."""

    def __repr__(self) -> str:
        return "SKIP"


#: Returned by a gatherer that has nothing to say on this machine.
SKIP: Any = _Skip()

#: Seconds any single ``git`` command may take before it is abandoned.
GIT_TIMEOUT = 2.0

#: Files modified this recently (ns) before a check are re-checked next time:
#: covers file systems whose mtime ticks in whole seconds (FAT: two).
RACY_NS = 2_000_000_000


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


# --- installed packages ---------------------------------------------------

_NAME_RUN = re.compile(r"[-_.]+")


def normalize_name(name: str) -> str:
    """PEP 503 name: lowercase, every run of ``-``, ``_`` and ``.`` -> ``-``."""
    return _NAME_RUN.sub("-", name).lower()


def _metadata_version(path: str) -> str | None:
    """The ``Version:`` header of a METADATA / PKG-INFO file (or of the
    egg-info folder holding one); only needed when a folder name has none."""
    if os.path.isdir(path):
        candidates = [os.path.join(path, "METADATA"), os.path.join(path, "PKG-INFO")]
    else:
        candidates = [path]
    for candidate in candidates:
        try:
            with open(candidate, encoding="utf-8", errors="replace") as meta:
                for line in meta:
                    if not line.strip():
                        break  # end of the headers
                    if line.startswith("Version:"):
                        return line.split(":", 1)[1].strip()
        except OSError:
            continue
    return None


def _parse_dist_folder(folder: str, entry_name: str) -> tuple[str, str] | None:
    """``name-1.0.dist-info`` / ``name-1.0-py3.11.egg-info`` -> (name, version)."""
    for suffix in (".dist-info", ".egg-info"):
        if entry_name.endswith(suffix):
            stem = entry_name[: -len(suffix)]
            break
    else:
        return None
    name, _, rest = stem.partition("-")
    version = rest.split("-", 1)[0] or _metadata_version(os.path.join(folder, entry_name))
    if not name or not version:
        return None
    return normalize_name(name), version


def _scan_folder(folder: str) -> dict[str, str]:
    """Distributions whose metadata folder sits directly in ``folder``."""
    found: dict[str, str] = {}
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                parsed = _parse_dist_folder(folder, entry.name)
                if parsed is not None and parsed[0] not in found:
                    found[parsed[0]] = parsed[1]
    except OSError:
        pass
    return found


def _metadata_fallback() -> dict[str, str]:
    """``importlib.metadata`` view, used only when scanning found nothing
    (zipped or unusual installs)."""
    from importlib import metadata

    found: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name and normalize_name(name) not in found:
            found[normalize_name(name)] = dist.version
    return found


def _path_folders() -> list[str]:
    """Absolute ``sys.path`` folders in import order ('' is the cwd)."""
    return [os.path.abspath(entry or os.curdir) for entry in sys.path if isinstance(entry, str)]


class PackageIndex:
    """Installed distributions, re-scanned only for folders that changed.

    The fingerprint of a folder is its ``stat`` (mtime, link count, inode):
    adding or removing a ``*.dist-info`` folder changes it, and a ``stat`` costs
    about a microsecond where a scan costs milliseconds.
    """

    def __init__(self) -> None:
        self._folders: dict[str, tuple[tuple[int, int, int] | None, dict[str, str]]] = {}
        self._fingerprint: tuple[Any, ...] = ()
        self._packages: dict[str, str] = {}
        self._racy = True

    def get(self) -> dict[str, str]:
        """Name -> version; the same dict object while nothing changed."""
        started = time.time_ns()
        fingerprint = []
        for folder in _path_folders():
            try:
                st = os.stat(folder)
            except OSError:
                continue
            fingerprint.append((folder, st.st_mtime_ns, st.st_nlink, st.st_ino))
        fingerprint_t = tuple(fingerprint)
        if self._racy or fingerprint_t != self._fingerprint:
            self._packages = self._merge(fingerprint_t, started)
            self._fingerprint = fingerprint_t
        return self._packages

    def _merge(self, fingerprint: tuple[Any, ...], started: int) -> dict[str, str]:
        """First folder on ``sys.path`` wins, as it does for imports. A folder
        modified just now is cached without a stamp, so it is scanned again."""
        merged: dict[str, str] = {}
        self._racy = False
        for folder, *rest in fingerprint:
            stamp: tuple[int, int, int] | None = (rest[0], rest[1], rest[2])
            cached = self._folders.get(folder)
            if cached is None or cached[0] != stamp:
                if _is_racy([stamp], started):
                    stamp, self._racy = None, True
                cached = (stamp, _scan_folder(folder))
                self._folders[folder] = cached
            for name, version in cached[1].items():
                merged.setdefault(name, version)
        if not merged:
            merged = _metadata_fallback()
        return dict(sorted(merged.items()))


def installed_packages() -> dict[str, str]:
    """Installed distributions (normalised name -> version), uncached."""
    return PackageIndex().get()


# --- git --------------------------------------------------------------------


def _git(args: list[str], cwd: str) -> bytes | None:
    """Output of one ``git`` command, or None on any failure (no git binary,
    not a repository, timeout). Optional locks are off so that reading the
    state never contends with the user's own git commands."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _find_worktree(start: str) -> str | None:
    """Nearest folder at or above ``start`` holding a ``.git`` (dir or file)."""
    folder = os.path.abspath(start)
    while True:
        if os.path.exists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _stat_stamp(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


@dataclass(frozen=True)
class GitProbe:
    """One full reading of a repository, with what is needed to tell cheaply
    whether it is still current: the git metadata files that move on commit,
    checkout or staging, and every tracked file (whose edits make it dirty)."""

    facts: dict[str, Any]
    meta_files: tuple[str, ...]
    tracked: tuple[str, ...]
    stamp: tuple[Any, ...]
    racy: bool = False

    @classmethod
    def read(cls, worktree: str) -> GitProbe | None:
        """Stamp first, facts second: a write racing the probe then shows up
        as a stamp change at the next check instead of being lost."""
        started = time.time_ns()
        dirs = _git(
            ["rev-parse", "--show-toplevel", "--absolute-git-dir", "--git-common-dir"], worktree
        )
        if dirs is None:
            return None
        top, git_dir, common = (os.fsdecode(line) for line in dirs.splitlines()[:3])
        common = os.path.join(top, common)  # no-op when already absolute
        branch = _git_text(["symbolic-ref", "-q", "--short", "HEAD"], top)
        meta = (
            os.path.join(git_dir, "HEAD"),
            os.path.join(git_dir, "index"),
            os.path.join(common, "packed-refs"),
            os.path.join(common, "refs", "heads", *(branch or "").split("/")),
        )
        listed = _git(["ls-files", "-z"], top) or b""
        tracked = tuple(os.path.join(top, os.fsdecode(p)) for p in listed.split(b"\0") if p)
        stamp = _stamp_of(meta + tracked)
        facts = _git_facts(top, branch)
        return cls(facts, meta, tracked, stamp, racy=_is_racy(stamp, started))

    def is_current(self) -> bool:
        return not self.racy and _stamp_of(self.meta_files + self.tracked) == self.stamp


def _stamp_of(paths: Iterable[str]) -> tuple[Any, ...]:
    return tuple(_stat_stamp(path) for path in paths)


def _is_racy(stamp: Iterable[tuple[int, ...] | None], started_ns: int) -> bool:
    """Whether a file changed so close to the probe that a further change
    could keep the same mtime (coarse file-system clocks); such a probe is
    not trusted and the next check re-runs git, as git itself does."""
    return any(s is not None and s[0] >= started_ns - RACY_NS for s in stamp)


def _git_text(args: list[str], cwd: str) -> str | None:
    out = _git(args, cwd)
    return out.decode(errors="replace").strip() if out else None


def _git_facts(top: str, branch: str | None) -> dict[str, Any]:
    """Commit, branch, dirty flag and the hash of ``git diff HEAD``.

    ``dirty`` means uncommitted changes to tracked files (staged or not), i.e.
    exactly what the diff hash covers; untracked files do not count.
    """
    head = _git_text(["rev-parse", "--verify", "-q", "HEAD"], top)
    facts: dict[str, Any] = {"commit": head, "branch": branch}
    if head:
        diff = _git(["diff", "HEAD", "--no-color", "--no-ext-diff", "--binary"], top)
        if diff is not None:
            facts["dirty"] = bool(diff)
            facts["diff_hash"] = xxhash.xxh3_128_hexdigest(diff)
    return facts


def git_state(cwd: str | None = None) -> dict[str, Any]:
    """Git facts of the repository holding ``cwd``; ``{}`` outside one."""
    worktree = _find_worktree(cwd or os.getcwd())
    probe = GitProbe.read(worktree) if worktree else None
    return dict(probe.facts) if probe else {}


class _GitCache:
    """Re-runs ``git`` only when the stat fingerprint of the repo moved."""

    def __init__(self) -> None:
        self._worktree: str | None = None
        self._probe: GitProbe | None = None
        self._empty: dict[str, Any] = {}

    def get(self) -> dict[str, Any]:
        worktree = _find_worktree(os.getcwd())
        if worktree is None:
            return self._empty
        if worktree != self._worktree or self._probe is None or not self._probe.is_current():
            self._probe = GitProbe.read(worktree)
            self._worktree = worktree
        return self._probe.facts if self._probe else self._empty


# --- environment variables --------------------------------------------------

#: Variables that change numeric results or what hardware a run used.
ENV_ALLOW = frozenset(
    {
        "PYTHONHASHSEED",
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "VECLIB_MAXIMUM_THREADS",
        "BLIS_NUM_THREADS",
        "CUDA_VISIBLE_DEVICES",
        "CUDA_DEVICE_ORDER",
        "HIP_VISIBLE_DEVICES",
        "ROCR_VISIBLE_DEVICES",
        "CUBLAS_WORKSPACE_CONFIG",
        "TF_DETERMINISTIC_OPS",
        "TF_CUDNN_DETERMINISTIC",
        "MKL_CBWR",
        "KMP_AFFINITY",
    }
)
ENV_ALLOW_PREFIXES = ("NUMEXPR_", "NBTRAIL_", "OMP_", "MKL_", "OPENBLAS_")

_SECRET_PARTS = (
    "TOKEN",
    "KEY",
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "CREDENTIAL",
    "AUTH",
    "PRIVATE",
    "SESSION",
    "COOKIE",
    "SIGNATURE",
    "CERT",
    "SALT",
)
_SECRET_WORDS = frozenset({"PWD", "PASS", "PAT", "SAS", "DSN", "JWT", "CRED", "CREDS", "OTP"})


def is_secret_name(name: str) -> bool:
    """Whether a variable name suggests a secret; such a value is never read.

    Deliberately over-eager: ``MONKEY_COUNT`` is lost, but no ``*_API_KEY``,
    ``*TOKEN*``, ``DB_PWD`` or ``DATABASE_DSN`` ever reaches the store.
    """
    upper = name.upper()
    if any(part in upper for part in _SECRET_PARTS):
        return True
    return any(word in _SECRET_WORDS for word in re.split(r"[^A-Z0-9]+", upper))


def _is_selected(name: str) -> bool:
    upper = name.upper()
    return upper in ENV_ALLOW or upper.startswith(ENV_ALLOW_PREFIXES)


def selected_env_vars(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Seeds, thread counts and device visibility; never secret-named ones."""
    source = os.environ if environ is None else environ
    return {
        name: source[name]
        for name in sorted(source)
        if _is_selected(name) and not is_secret_name(name)
    }


# --- registry, hashing, snapshot ---------------------------------------------

#: The facts of a snapshot, in order. Append a :class:`Gatherer` to add one.
GATHERERS: list[Gatherer] = [
    Gatherer("python", _python_version, static=True),
    Gatherer("executable", _executable, static=True),
    Gatherer("platform", _platform, static=True),
    Gatherer("cpu_count", _cpu_count, static=True),
    Gatherer("memory_bytes", _memory_bytes, static=True),
    Gatherer("packages", installed_packages),
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
        self._git = _GitCache()
        cached = {"packages": self._packages.get, "git": self._git.get}
        chosen = GATHERERS if gatherers is None else list(gatherers)
        self._dynamic = [
            dataclasses.replace(g, func=cached.get(g.name, g.func)) for g in chosen if not g.static
        ]
        self._static = {g.name: _call(g) for g in chosen if g.static}
        self._last_facts: dict[str, Any] | None = None
        self._last: EnvSnapshot | None = None

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
