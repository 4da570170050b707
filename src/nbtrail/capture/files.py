"""Which files a tracked cell reads and writes, from Python's ``open`` audit event.

One audit hook is installed per process (``sys.addaudithook`` hooks can never
be removed). It is called for every audited event in the interpreter, so while
no :class:`FileWatcher` is running it returns after one global lookup.

Seen: every open that goes through CPython's ``open`` audit event -- builtin
``open``/``io.open``, ``os.open``, ``pathlib``, and everything built on them:
pandas ``read_csv``/``to_csv``/``read_parquet`` of a local path (pandas opens
the handle itself), numpy ``load``/``save``/``loadtxt``/``savetxt``, pickle and
json through ``open``. Not seen: files opened natively by C/C++ code that
bypasses CPython (pyarrow given a path by pyarrow itself, e.g.
``pyarrow.parquet.read_table(path)``, HDF5, sqlite3 database files, memory-
mapped loaders in extension modules), files reached through an already-open
descriptor, and directory listings. Opens made by other threads while a
watcher runs are recorded too: the hook cannot tell whose cell they belong to.
"""

from __future__ import annotations

import contextlib
import os
import site
import sys
import sysconfig
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["FileAccess", "FileWatcher", "default_ignore_prefixes"]

#: Watchers currently recording. A tuple, swapped whole, so the hook can read
#: it from any thread without a lock.
_ACTIVE: tuple[FileWatcher, ...] = ()
_INSTALL_LOCK = threading.Lock()
_installed = False

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


@dataclass(frozen=True)
class FileAccess:
    """Files a cell touched, as absolute paths in first-seen order."""

    reads: tuple[str, ...]
    writes: tuple[str, ...]


def _audit_hook(event: str, args: tuple[Any, ...]) -> None:
    """The process-wide hook: a no-op unless a watcher is recording."""
    if not _ACTIVE or event != "open":
        return
    try:
        for watcher in _ACTIVE:
            watcher._record(args)
    except Exception:  # a hook that raises would break the user's open()
        pass


def _install_hook() -> None:
    global _installed
    with _INSTALL_LOCK:
        if not _installed:
            sys.addaudithook(_audit_hook)
            _installed = True


def _is_write(mode: Any, flags: Any) -> bool:
    """``open`` passes a mode string; ``os.open`` passes None and the flags."""
    if isinstance(mode, str):
        return any(c in mode for c in "wax+")
    return isinstance(flags, int) and bool(flags & _WRITE_FLAGS)


#: Kernel file systems and OS data (fonts scanned by matplotlib's font cache,
#: time zones, locales, certificates) that libraries open for themselves.
_SYSTEM_DIRS = (
    "/proc",
    "/dev",
    "/sys",
    "/run",
    "/etc",
    "/usr/share",
    "/usr/lib",
    "/usr/lib64",
    "/lib",
    "/lib64",
    "/System/Library",
    "/Library/Fonts",
)


def _runtime_dirs() -> list[str]:
    """Jupyter/IPython/matplotlib folders, from modules already imported only
    (looking them up must never import anything)."""
    found: list[str] = []
    home = os.path.expanduser("~")
    found += [os.path.join(home, ".ipython"), os.path.join(home, ".jupyter")]
    found += [
        os.path.join(home, ".cache", "matplotlib"),
        os.path.join(home, ".config", "matplotlib"),
    ]
    found += [os.path.join(home, ".fonts"), os.path.join(home, ".local", "share", "fonts")]
    for var in ("IPYTHONDIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR", "MPLCONFIGDIR"):
        if os.environ.get(var):
            found.append(os.environ[var])
    jupyter_paths = sys.modules.get("jupyter_core.paths")
    if jupyter_paths is not None:
        with contextlib.suppress(Exception):
            found += [jupyter_paths.jupyter_runtime_dir(), jupyter_paths.jupyter_data_dir()]
    mpl = sys.modules.get("matplotlib")
    if mpl is not None:
        with contextlib.suppress(Exception):
            found += [mpl.get_cachedir(), mpl.get_configdir()]
    return found


def default_ignore_prefixes() -> list[str]:
    """Folders whose files are never a cell's data: the interpreter and its
    packages, kernel file systems, and Jupyter/IPython/matplotlib state."""
    prefixes = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    prefixes += list(_SYSTEM_DIRS)
    with contextlib.suppress(Exception):
        prefixes += [*site.getsitepackages(), site.getusersitepackages()]
    prefixes += [p for p in (sysconfig.get_paths().get(k) for k in ("purelib", "platlib")) if p]
    prefixes += _runtime_dirs()
    # nbtrail's own modules (an editable install lives outside site-packages): its
    # public names are imported on first use, maybe inside a tracked cell
    prefixes.append(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return prefixes


def _normalise_prefixes(prefixes: Sequence[str]) -> tuple[str, ...]:
    """Absolute, ending with a separator, so ``/data`` never matches ``/database``."""
    result = {os.path.join(os.path.abspath(os.fspath(p)), "") for p in prefixes if p}
    return tuple(sorted(result))


class FileWatcher:
    """Records the files opened between :meth:`start` and :meth:`stop`.

    ``ignore_prefixes`` adds folders to skip (e.g. the nbtrail store) to the
    defaults of :func:`default_ignore_prefixes`.
    """

    def __init__(self, ignore_prefixes: Sequence[str] = ()) -> None:
        self._ignore = _normalise_prefixes([*default_ignore_prefixes(), *ignore_prefixes])
        self._reads: dict[str, None] = {}
        self._writes: dict[str, None] = {}

    def start(self) -> None:
        """Begin recording (again, from empty)."""
        global _ACTIVE
        _install_hook()
        self._reads, self._writes = {}, {}
        if self not in _ACTIVE:
            _ACTIVE = (*_ACTIVE, self)

    def stop(self) -> FileAccess:
        """Stop recording and say what was opened; a file both read and
        written counts as written."""
        global _ACTIVE
        _ACTIVE = tuple(w for w in _ACTIVE if w is not self)
        writes = tuple(self._writes)
        reads = tuple(p for p in self._reads if p not in self._writes)
        return FileAccess(reads=reads, writes=writes)

    def _record(self, args: tuple[Any, ...]) -> None:
        """Called by the hook with the ``open`` event's (path, mode, flags)."""
        path, mode, flags = args
        if isinstance(path, int) or path is None:
            return  # a file descriptor: the file was opened (and seen) before
        path = os.path.abspath(os.fsdecode(path))
        if self._ignored(path):
            return
        target = self._writes if _is_write(mode, flags) else self._reads
        target.setdefault(path, None)

    def _ignored(self, path: str) -> bool:
        if path.endswith((".pyc", ".pyo")) or f"{os.sep}__pycache__{os.sep}" in path:
            return True
        return path.startswith(self._ignore)


FileState = tuple[int, int] | None  # (size, mtime_ns), or None when absent


def path_states(candidates: Sequence[str]) -> dict[str, FileState]:
    """Stat the strings of a cell that look like paths, before it runs.

    Readers that open files in native code (pyarrow's parquet reader, HDF5)
    never pass through the ``open`` audit hook; a path the code names is the
    fallback evidence.
    """
    states: dict[str, FileState] = {}
    for text in candidates:
        if not text or len(text) > 1024 or "\n" in text or "\0" in text:
            continue
        if os.sep not in text and "." not in text:
            continue
        path = os.path.abspath(os.path.expanduser(text))
        try:
            stat = os.stat(path)
        except (OSError, ValueError):
            states[path] = None
            continue
        if os.path.isfile(path):
            states[path] = (stat.st_size, stat.st_mtime_ns)
    return states


def named_file_access(before: dict[str, FileState], seen: FileAccess) -> FileAccess:
    """Add files named in the code that the hook did not see.

    A named file that was created or changed while the cell ran was written;
    one that existed unchanged was (most likely) read.
    """
    reads, writes = list(seen.reads), list(seen.writes)
    known = set(reads) | set(writes)
    for path, state in before.items():
        if path in known:
            continue
        try:
            stat = os.stat(path)
        except (OSError, ValueError):
            continue
        if not os.path.isfile(path):
            continue
        if state is None or state != (stat.st_size, stat.st_mtime_ns):
            writes.append(path)
        else:
            reads.append(path)
    return FileAccess(tuple(reads), tuple(writes))
