"""Which notebook file a kernel is executing, found without any configuration.

Frontends tell a kernel different things. JupyterLab and Notebook 7 go
through jupyter_server, which names the session (``__session__``); VS Code
sets ``__vsc_ipynb_file__``; nbclient (papermill, ``jupyter nbconvert
--execute``, ``jupyter execute``) says nothing at all. So the sources are
tried in a fixed, documented order, each cheaper and more certain than the
next:

1. ``NBTRAIL_NOTEBOOK`` (the re-run engine, or a person who wants to say it);
2. ``__session__`` when it names a ``.ipynb`` (jupyter_server);
3. ``__vsc_ipynb_file__`` (VS Code);
4. the process that started the kernel, when its command line names
   notebooks (papermill, nbconvert, ``jupyter execute``, a Python script);
5. a content match: the ``.ipynb`` files of the kernel's working directory
   (and of its parent process's), then of the project (the store's parent
   folder), whose code cells hold every cell this kernel has run. A
   papermill output found there leads to its input through
   ``metadata.papermill.input_path``.

Steps 4 and 5 check content, so a stale or unrelated notebook is never
taken: every cell the kernel ran must be in it (papermill's injected
parameters cell aside, which no input notebook holds).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nbtrail.capture.executed import is_injected_cell

#: Notebooks looked at per folder in a content match; a data folder of
#: thousands of notebooks is not worth parsing inside a user's cell.
MAX_CANDIDATES = 200
#: Notebooks larger than this (outputs full of images) are not parsed.
MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024
#: Folders read when the project is searched for a notebook.
MAX_FOLDERS = 2000
_SKIPPED_FOLDERS = frozenset({"node_modules", "site-packages", "venv", "env", "build", "dist"})
#: How far up the process tree a driver (papermill, nbconvert) is looked for.
PARENT_DEPTH = 3

_DRIVERS = {
    "papermill": "papermill",
    "jupyter-nbconvert": "nbconvert",
    "nbconvert": "nbconvert",
    "jupyter-execute": "jupyter execute",
    "nbclient": "jupyter execute",
}


@dataclass(frozen=True)
class Found:
    """A notebook file (absolute path, or the name a frontend gave) and how it was found."""

    path: str
    method: str


def from_frontend(namespace: Mapping[str, Any], environ: Mapping[str, str]) -> Found | None:
    """Steps 1-3: what the re-run engine, jupyter_server or VS Code said."""
    explicit = environ.get("NBTRAIL_NOTEBOOK")
    if explicit:
        return Found(explicit, "NBTRAIL_NOTEBOOK")
    session = namespace.get("__session__") or environ.get("JPY_SESSION_NAME")
    if isinstance(session, str) and session.lower().endswith(".ipynb"):
        return Found(session, "jupyter session")
    vscode = namespace.get("__vsc_ipynb_file__")
    if isinstance(vscode, str) and vscode:
        return Found(vscode, "vscode")
    return None


@dataclass(frozen=True)
class Launcher:
    """The process that started the kernel, as far as discovery cares."""

    method: str  # "papermill", "nbconvert", "jupyter execute", "python"
    notebooks: tuple[Path, ...]  # existing .ipynb files its command line names
    cwd: Path | None


def launcher(depth: int = PARENT_DEPTH) -> Launcher | None:
    """The nearest ancestor process that names notebooks or is a known driver."""
    try:
        import psutil

        process = psutil.Process().parent()
        for _ in range(depth):
            if process is None:
                return None
            found = _launcher_of(process.cmdline(), _cwd_of(process))
            if found is not None:
                return found
            process = process.parent()
    except Exception:  # a vanished or foreign process tells us nothing
        return None
    return None


def _cwd_of(process: Any) -> Path | None:
    try:
        return Path(process.cwd())
    except Exception:
        return None


def _launcher_of(cmdline: Sequence[str], cwd: Path | None) -> Launcher | None:
    method = driver_name(cmdline)
    notebooks = tuple(_named_notebooks(cmdline, cwd))
    if method is None and not notebooks:
        return None
    return Launcher(method or "python", notebooks, cwd)


def driver_name(cmdline: Sequence[str]) -> str | None:
    """``papermill``/``nbconvert``/``jupyter execute`` when the command line runs one."""
    words = [os.path.basename(word).lower().removesuffix(".exe") for word in cmdline[:4]]
    for index, word in enumerate(words):
        if word in _DRIVERS:
            return _DRIVERS[word]
        if word == "-m" and index + 1 < len(words) and words[index + 1] in _DRIVERS:
            return _DRIVERS[words[index + 1]]
        if word == "jupyter" and index + 1 < len(words):
            return _DRIVERS.get(f"jupyter-{words[index + 1]}")
    return None


def _named_notebooks(cmdline: Sequence[str], cwd: Path | None) -> Iterable[Path]:
    for word in cmdline[1:]:
        if not word.lower().endswith(".ipynb") or "://" in word:
            continue
        path = Path(word)
        if not path.is_absolute():
            if cwd is None:
                continue
            path = cwd / path
        if path.is_file():
            yield path.resolve()


def content_match(
    executed: Sequence[str], candidates: Iterable[Path], search: Sequence[Path]
) -> Path | None:
    """The notebook whose code cells hold every executed cell, best first.

    Among several, the one whose cells run in the executed order comes
    first, then the oldest file (an original before its copies and outputs).
    """
    wanted = [s.strip() for s in executed if s.strip() and not is_injected_cell(s)]
    if not wanted:
        return None
    matches: dict[Path, tuple[bool, float]] = {}
    for path in candidates:
        notebook = _as_input(path, search)
        cells = code_sources(notebook)
        if cells is None or not set(wanted) <= set(cells):
            continue
        try:
            mtime = notebook.stat().st_mtime
        except OSError:
            continue
        matches[notebook] = (not _in_order(wanted, cells), mtime)
    if not matches:
        return None
    return min(matches, key=lambda p: (*matches[p], str(p)))


def folder_notebooks(folders: Iterable[Path]) -> list[Path]:
    """The ``.ipynb`` files directly in each folder (checkpoints excluded)."""
    found: dict[Path, None] = {}
    for folder in folders:
        try:
            names = sorted(n for n in os.listdir(folder) if n.lower().endswith(".ipynb"))
        except OSError:
            continue
        for name in names[:MAX_CANDIDATES]:
            found[(folder / name).resolve()] = None
    return list(found)


def project_notebooks(root: Path, limit: int = MAX_CANDIDATES) -> list[Path]:
    """``.ipynb`` files below the project root, breadth first, bounded.

    For kernels started from Python in another folder than the notebook's
    (``papermill.execute_notebook("../nb/x.ipynb", ...)``): the notebook is
    usually somewhere in the project. Hidden folders, virtual environments
    and the store are skipped; at most ``MAX_FOLDERS`` folders are read.
    """
    found: list[Path] = []
    queue, visited = [root], 0
    while queue and visited < MAX_FOLDERS and len(found) < limit:
        folder = queue.pop(0)
        visited += 1
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith((".", "__")) or entry.name in _SKIPPED_FOLDERS:
                continue
            if entry.is_dir(follow_symlinks=False):
                queue.append(Path(entry.path))
            elif entry.name.lower().endswith(".ipynb") and len(found) < limit:
                found.append(Path(entry.path).resolve())
    return found


def _in_order(wanted: Sequence[str], cells: Sequence[str]) -> bool:
    """True when ``wanted`` is a subsequence of ``cells`` (a top-to-bottom run)."""
    remaining = iter(cells)
    return all(any(cell == source for cell in remaining) for source in dict.fromkeys(wanted))


def _as_input(path: Path, search: Sequence[Path]) -> Path:
    """A papermill output's input notebook when it can be found, else ``path``."""
    data = read_notebook(path)
    if data is None:
        return path
    recorded = (data.get("metadata", {}).get("papermill") or {}).get("input_path")
    if not isinstance(recorded, str) or not recorded.lower().endswith(".ipynb"):
        return path
    given = Path(recorded)
    bases = [path.parent, *search] if not given.is_absolute() else [Path("/")]
    for base in bases:
        candidate = base / given
        if candidate.is_file() and candidate.resolve() != path:
            return candidate.resolve()
    return path


_cache: dict[Path, tuple[tuple[int, int], dict[str, Any] | None]] = {}


def read_notebook(path: Path) -> dict[str, Any] | None:
    """The notebook's JSON, cached per file version; None when unreadable."""
    try:
        stat = path.stat()
    except OSError:
        return None
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    data: dict[str, Any] | None = None
    if stat.st_size <= MAX_NOTEBOOK_BYTES:
        try:
            with open(path, encoding="utf-8") as handle:
                loaded = json.load(handle)
            data = loaded if isinstance(loaded, dict) else None
        except (OSError, ValueError):
            data = None
    _cache[path] = (stamp, data)
    return data


def code_sources(path: Path) -> list[str] | None:
    """Stripped sources of the notebook's code cells, in order."""
    data = read_notebook(path)
    if data is None:
        return None
    sources = []
    for cell in data.get("cells", ()):
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            sources.append(("".join(source) if isinstance(source, list) else str(source)).strip())
    return sources
