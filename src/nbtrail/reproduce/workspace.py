"""Where a batch's files go and how notebook paths map to files.

Runs record a notebook relative to the project root (the store folder's
parent; for a database store, the project of the working directory) when it
lies inside the project; these helpers do the inverse so the
re-run engine finds the file and its folder (the kernel's working directory,
where relative data paths resolve).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from nbtrail import config
from nbtrail.store import Store

RERUNS_DIRNAME = "reruns"


def store_folder(store: Store) -> Path | None:
    """The store's folder, or ``None`` for a database URL."""
    return None if "://" in store.location else Path(store.location).resolve()


def project_root(store: Store) -> Path | None:
    """The store folder's parent; for a database store, this checkout's project."""
    return config.project_root(store.location)


def batch_folder(store: Store, batch_id: str) -> Path:
    """``.nbtrail/reruns/<batch>/`` (a temp folder for stores that are not folders)."""
    folder = store_folder(store)
    base = folder / RERUNS_DIRNAME if folder else Path(tempfile.gettempdir()) / "nbtrail-reruns"
    path = base / batch_id
    path.mkdir(parents=True, exist_ok=True)
    return path


def recorded_name(store: Store, notebook: Path) -> str:
    """How the kernel will record ``notebook`` (mirrors ``tracking.notebook_path``)."""
    notebook = notebook.resolve()
    root = project_root(store)
    if root is not None and notebook.is_relative_to(root):
        return notebook.relative_to(root).as_posix()
    return str(notebook)


def notebook_file(store: Store, recorded: str) -> Path:
    """The file a recorded notebook path names (relative to the project root)."""
    path = Path(recorded)
    if path.is_absolute():
        return path
    root = project_root(store)
    return (root / path) if root is not None else path.resolve()


def copy_into(source: Path, folder: Path, name: str) -> Path:
    target = folder / name
    shutil.copyfile(source, target)
    return target
