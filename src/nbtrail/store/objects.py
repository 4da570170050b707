"""The content-addressed object folder: ``objects/ab/cdef...``, local or on fsspec.

Objects are written to a temporary name and renamed into place, so a reader
never sees a half-written object and two writers of the same content agree.
A SQLite store keeps its folder beside the database; a PostgreSQL store's
folder is configured (``NBTRAIL_OBJECTS``: a path or any fsspec URL).
"""

from __future__ import annotations

import contextlib
import datetime
import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from nbtrail.errors import MissingExtra, ObjectNotFound

_DIGEST = re.compile(r"^[0-9a-f]{32}$")


def check_digest(digest: str) -> str:
    """Refuse anything that is not a 128-bit hex digest (no path tricks)."""
    if not isinstance(digest, str) or not _DIGEST.match(digest):
        raise ObjectNotFound(f"not an object hash: {digest!r}")
    return digest


class ObjectFolder:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, digest: str) -> Path:
        check_digest(digest)
        return self.root / digest[:2] / digest[2:]

    def has(self, digest: str) -> bool:
        return self.path(digest).is_file()

    def existing_path(self, digest: str) -> Path:
        path = self.path(digest)
        if not path.is_file():
            raise ObjectNotFound(f"no object {digest}")
        return path

    def put_bytes(self, data: bytes, digest: str) -> None:
        target = self.path(digest)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def listing(self) -> Iterator[tuple[str, float, int]]:
        """Every object: (digest, modification time, size)."""
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if not (folder.is_dir() and len(folder.name) == 2):
                continue
            for path in folder.iterdir():
                digest = folder.name + path.name
                if _DIGEST.match(digest) and path.is_file():
                    stat = path.stat()
                    yield digest, stat.st_mtime, stat.st_size

    def remove(self, digest: str) -> None:
        self.path(digest).unlink(missing_ok=True)

    def put_file(self, source: Path, digest: str) -> None:
        target = self.path(digest)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        os.close(fd)
        try:
            shutil.copyfile(source, tmp)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def open_objects(location: str) -> ObjectFolder | RemoteObjects:
    """The object folder at a path, or on any fsspec URL (``file://``, ``s3://``, ...)."""
    if "://" in location:
        return RemoteObjects(location)
    return ObjectFolder(Path(location))


def cache_dir() -> Path:
    """Where objects read from a remote folder are kept (``$NBTRAIL_CACHE``, else ~/.cache)."""
    base = os.environ.get("NBTRAIL_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "nbtrail"
    )
    return Path(base) / "objects"


class RemoteObjects:
    """The same layout on an fsspec filesystem (``fsspec``, the ``remote`` extra).

    Writes are atomic: on a filesystem with renames (a local or shared path)
    the bytes go to a temporary name that is then renamed into place; an
    object store's single PUT is atomic by itself. Two writers of one hash
    write the same bytes, so whichever lands is right. Readers that need a
    file (papermill, the REST API) get a local copy, kept in :func:`cache_dir`:
    content-addressed bytes never change, so a cached copy never goes stale.
    """

    def __init__(self, url: str) -> None:
        try:
            from fsspec.core import url_to_fs
        except ImportError as exc:  # pragma: no cover - the extra is installed in tests
            raise MissingExtra(
                f"objects at {url} need fsspec: pip install 'nbtrail[remote]'"
            ) from exc
        try:
            self.fs, root = url_to_fs(url)
        except (ImportError, ValueError) as exc:
            raise MissingExtra(f"cannot use objects at {url}: {exc}") from exc
        self.root = root.rstrip("/")
        self.url = url
        self._renames = "file" in _protocols(self.fs)

    def _key(self, digest: str) -> str:
        check_digest(digest)
        return f"{self.root}/{digest[:2]}/{digest[2:]}"

    def has(self, digest: str) -> bool:
        return bool(self.fs.isfile(self._key(digest)))

    def put_bytes(self, data: bytes, digest: str) -> None:
        target = self._key(digest)
        if self.fs.exists(target):
            return
        if not self._renames:
            self.fs.pipe_file(target, data)
            return
        self.fs.makedirs(target.rsplit("/", 1)[0], exist_ok=True)
        tmp = f"{target.rsplit('/', 1)[0]}/.tmp-{secrets.token_hex(8)}"
        try:
            self.fs.pipe_file(tmp, data)
            self.fs.mv(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                self.fs.rm_file(tmp)
            raise

    def put_file(self, source: Path, digest: str) -> None:
        self.put_bytes(source.read_bytes(), digest)

    def listing(self) -> Iterator[tuple[str, float, int]]:
        """Every object: (digest, modification time, size); no time known counts as now."""
        try:
            entries = self.fs.find(self.root, detail=True)
        except FileNotFoundError:
            return
        for path, info in sorted(entries.items()):
            parts = path.rstrip("/").split("/")
            digest = "".join(parts[-2:])
            if len(parts[-2]) != 2 or not _DIGEST.match(digest):
                continue
            yield digest, _mtime(info), int(info.get("size") or 0)

    def remove(self, digest: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm_file(self._key(digest))

    def existing_path(self, digest: str) -> Path:
        key = self._key(digest)
        if self._renames:  # a path this machine can read as it is
            path = Path(self.fs._strip_protocol(key))
            if not path.is_file():
                raise ObjectNotFound(f"no object {digest}")
            return path
        local = cache_dir() / digest[:2] / digest[2:]
        if local.is_file():
            return local
        try:
            data = self.fs.cat_file(key)
        except FileNotFoundError as exc:
            raise ObjectNotFound(f"no object {digest}") from exc
        ObjectFolder(cache_dir()).put_bytes(data, digest)
        return local


def _mtime(info: dict[str, Any]) -> float:
    """A listing entry's modification time in seconds, whatever the backend calls it."""
    for key in ("mtime", "LastModified", "updated", "last_modified", "created"):
        value = info.get(key)
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, datetime.datetime):
            return value.timestamp()
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                return datetime.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    return time.time()  # unknown: as if just written, so gc keeps it


def _protocols(fs: object) -> tuple[str, ...]:
    protocol = getattr(fs, "protocol", ())
    return (protocol,) if isinstance(protocol, str) else tuple(protocol)
