"""Which notebook this kernel runs, found once and remembered.

:mod:`nbtrail.capture.discovery` knows the ways a notebook can be found;
this module decides when to pay for each. What frontends say is read on
every call (dictionary lookups), so a session renamed or a re-run variable
set later is honoured. Looking at the launching process and matching
content cost milliseconds, so they run at a tracked cell only, and their
answer is kept for the kernel's life; a miss is kept too, until one of the
folders searched changes (no notebook holds the cells run so far, and more
cells cannot make one hold them).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nbtrail.capture import discovery
from nbtrail.capture.discovery import Found
from nbtrail.capture.executed import is_injected_cell


@dataclass(frozen=True)
class NotebookLocation:
    """The notebook as recorded on runs, as a file to read, and how it was found."""

    recorded: str | None = None  # relative to the project root when inside it
    file: str | None = None
    found_by: str | None = None


NOWHERE = NotebookLocation()


class NotebookLocator:
    """One per kernel: discovery in the documented order, each step paid once."""

    def __init__(self) -> None:
        self._searched: Found | None = None
        self._miss_stamp: tuple[tuple[str, int], ...] | None = None
        self._launcher: discovery.Launcher | None = None
        self._launcher_known = False
        self._locations: dict[tuple[Found, Path | None], NotebookLocation] = {}

    def locate(
        self,
        shell: Any,
        project_root: Path | None,
        history: Sequence[str] | None = None,
        current: str | None = None,
    ) -> NotebookLocation:
        """Where the notebook is; the cells run so far and the ``current`` one allow a search.

        ``history`` is IPython's raw input history (entry 0 a placeholder).
        """
        found = discovery.from_frontend(shell.user_ns, os.environ)
        if found is None and current is not None and self._searched is not None:
            found = self._searched if self._still_holds(current) else None
        elif found is None:
            found = self._searched
        if found is None and current is not None:
            found = self._search(history or [""], current, project_root)
        if found is None:
            return NOWHERE
        key = (found, project_root)
        if key not in self._locations:
            self._locations[key] = _location(found, project_root)
        return self._locations[key]

    def _still_holds(self, source: str) -> bool:
        """Whether the notebook found by a search holds this cell (one stat, cached parse).

        A search decides on the cells run so far; a copy of the notebook
        edited further down holds them too until the first edited cell runs.
        """
        assert self._searched is not None
        cells = discovery.code_sources(Path(self._searched.path))
        if cells is not None and (source.strip() in cells or is_injected_cell(source)):
            return True
        self._searched = None
        return False

    def _search(
        self, history: Sequence[str], current: str, project_root: Path | None
    ) -> Found | None:
        """Steps 4 and 5 of the discovery order (see capture.discovery)."""
        launcher = self._launcher_process()
        folders = [Path.cwd()]
        if launcher is not None and launcher.cwd is not None:
            folders.append(launcher.cwd)
        stamp = _stamp([*folders, *([project_root] if project_root else [])])
        if self._miss_stamp == stamp:
            return None
        executed = [*history[1:], current]
        if launcher is not None and launcher.notebooks:
            path = discovery.content_match(executed, launcher.notebooks, folders)
            if path is not None:
                self._searched = Found(str(path), launcher.method)
                return self._searched
        path = discovery.content_match(executed, discovery.folder_notebooks(folders), folders)
        if path is None and project_root is not None and project_root.is_dir():
            candidates = discovery.project_notebooks(project_root)
            path = discovery.content_match(executed, candidates, folders)
        if path is None:
            self._miss_stamp = stamp
            return None
        self._searched = Found(str(path), "content match")
        return self._searched

    def _launcher_process(self) -> discovery.Launcher | None:
        if not self._launcher_known:
            self._launcher = discovery.launcher()
            self._launcher_known = True
        return self._launcher


def _stamp(folders: Sequence[Path]) -> tuple[tuple[str, int], ...]:
    stamps = []
    for folder in folders:
        try:
            stamps.append((str(folder), folder.stat().st_mtime_ns))
        except OSError:
            stamps.append((str(folder), -1))
    return tuple(stamps)


def _location(found: Found, project_root: Path | None) -> NotebookLocation:
    """Record a path inside the project relative to its root, as JupyterLab names it."""
    if found.method == "NBTRAIL_NOTEBOOK" and os.environ.get("NBTRAIL_NOTEBOOK_NAME"):
        # A re-run executes a snapshot copy but records the original's path.
        return NotebookLocation(os.environ["NBTRAIL_NOTEBOOK_NAME"], found.path, "re-run")
    method = "re-run" if found.method == "NBTRAIL_NOTEBOOK" and _rerun() else found.method
    path = Path(found.path)
    if not path.is_absolute():
        return NotebookLocation(found.path, str(path) if path.is_file() else None, method)
    if project_root is not None and path.is_relative_to(project_root):
        return NotebookLocation(path.relative_to(project_root).as_posix(), str(path), method)
    return NotebookLocation(found.path, str(path), method)


def _rerun() -> bool:
    return bool(os.environ.get("NBTRAIL_BATCH"))


def notebook_path(shell: Any, project_root: Path | None = None) -> str | None:
    """The notebook as runs record it, from what the frontend says (no search).

    For views that ask the store for "this notebook's runs" outside a
    tracked cell; the tracker's own locator knows more once a cell ran.
    """
    found = discovery.from_frontend(shell.user_ns, os.environ)
    return _location(found, project_root).recorded if found else None
