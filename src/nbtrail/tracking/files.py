"""Files, figures and the notebook itself, hashed and kept in the object folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from nbtrail.capture.files import FileAccess
from nbtrail.capture.hashing import file_key, hash_bytes, hash_file
from nbtrail.capture.notebook import patched_notebook
from nbtrail.capture.outputs import CapturedOutput
from nbtrail.records import Artifact, Binding
from nbtrail.store import FileKey, Store

#: Files a cell writes below this size are also kept as artifacts.
ARTIFACT_FILE_LIMIT = 10 * 1024 * 1024

_MEDIA_TYPES = {
    ".csv": "text/csv",
    ".json": "application/json",
    ".txt": "text/plain",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".parquet": "application/vnd.apache.parquet",
    ".pkl": "application/octet-stream",
}


class RunFiles:
    """Hashes files for one run through the store's cache; new hashes wait for its write."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.new_hashes: list[tuple[FileKey, str]] = []  # saved with the run

    def hash(self, path: str) -> tuple[str, int]:
        path_key, size, mtime_ns, inode = file_key(path)
        key = (storable_path(path_key), size, mtime_ns, inode)
        digest = self.store.cached_file_hash(key)
        if digest is None:
            digest = hash_file(path)
            self.new_hashes.append((key, digest))
        return digest, key[1]

    def bindings(self, files: FileAccess, artifacts: list[Artifact]) -> list[Binding]:
        """Files read (in) and written (out); written files below the limit are kept."""
        bindings = []
        for direction, paths in (("in", files.reads), ("out", files.writes)):
            for path in paths:
                if not os.path.isfile(path):
                    continue
                digest, size = self.hash(path)
                shown = _display_path(path)
                summary = {"path": shown, "size": size}
                bindings.append(Binding(shown, direction, "file", digest, summary))  # type: ignore[arg-type]
                if direction == "out" and size <= ARTIFACT_FILE_LIMIT:
                    self.store.put_file(Path(path), digest)
                    artifacts.append(Artifact(shown, digest, _media_type(path), size))
        return bindings

    def figures(self, outputs: CapturedOutput) -> list[Artifact]:
        artifacts = []
        for number, figure in enumerate(outputs.figures, start=1):
            digest = hash_bytes(figure.png)
            self.store.put_object(figure.png, digest)
            artifacts.append(Artifact(f"figure-{number}.png", digest, "image/png", len(figure.png)))
        return artifacts

    def notebook(
        self, path: str, ran: dict[str, str], after: dict[str, str | None]
    ) -> dict[str, Any]:
        """Keep the notebook as this kernel ran it (content-addressed).

        Usually that is the file as saved; when the session ran cells the file
        does not hold (unsaved edits in JupyterLab), their code is patched in.
        """
        patched = patched_notebook(path, ran, after)
        if patched is None:
            digest, size = self.hash(path)
            self.store.put_file(Path(path), digest)
            return {"hash": digest, "size": size}
        data, cells = patched
        return {**self.keep(data), "unsaved_cells": cells}

    def keep(self, data: bytes) -> dict[str, Any]:
        """Store bytes (a notebook made here) content-addressed."""
        digest = hash_bytes(data)
        self.store.put_object(data, digest)
        return {"hash": digest, "size": len(data)}


def _display_path(path: str) -> str:
    try:
        return storable_path(os.path.relpath(path))
    except ValueError:
        return storable_path(path)


def storable_path(path: str) -> str:
    """A file name as text the store can hold: bytes that are not UTF-8 escaped (``\\xff``).

    Python gives such names lone surrogates, which SQLite (UTF-8) refuses.
    """
    if path.isascii():
        return path
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _media_type(path: str) -> str:
    return _MEDIA_TYPES.get(Path(path).suffix.lower(), "application/octet-stream")
