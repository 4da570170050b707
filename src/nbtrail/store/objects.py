"""The content-addressed object folder: ``objects/ab/cdef...``.

Objects are written to a temporary name and renamed into place, so a reader
never sees a half-written object and two writers of the same content agree.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from nbtrail.errors import ObjectNotFound

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
