"""Where the inference log lives and how its files are named.

``ROOT/NAME/version=V/day=YYYY-MM-DD/part-*.parquet`` (hive-style partitions,
so pyarrow, DuckDB and Spark read it as is) and ``ROOT/labels/part-*.parquet``.
ROOT is ``$NBTRAIL_INFERENCE_LOG``, else ``inference/`` in the store's object
folder. Every file is written under a hidden temporary name and renamed into
place, so a reader (or a server killed mid-write) never leaves a torn file in
the log.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

from nbtrail.errors import NbtrailError
from nbtrail.store import Store

LOG_ENV = "NBTRAIL_INFERENCE_LOG"
LABELS = "labels"
_VERSION = re.compile(r"^version=(\d+)$")
_DAY = re.compile(r"^day=(\d{4}-\d{2}-\d{2})$")


def log_root(store: Store | None, configured: str | os.PathLike[str] | None = None) -> Path:
    """The log folder: the one given, else ``$NBTRAIL_INFERENCE_LOG``, else in the store."""
    chosen = configured or os.environ.get(LOG_ENV)
    if chosen:
        return Path(chosen)
    folder = getattr(store, "folder", None)
    if folder is None:
        raise NbtrailError(
            "this store has no local folder for the inference log: "
            f"set {LOG_ENV} (or --log-dir) to a folder"
        )
    return Path(folder) / "objects" / "inference"


def day_of(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).strftime("%Y-%m-%d")


def partition(root: Path, name: str, version: int, day: str) -> Path:
    return root / name / f"version={version}" / f"day={day}"


def new_part_name() -> str:
    """Time-sortable and unique across worker processes."""
    millis = int(dt.datetime.now().timestamp() * 1000)
    return f"part-{millis:013d}-{os.getpid()}-{secrets.token_hex(4)}.parquet"


def log_files(
    root: Path, name: str, versions: set[int] | None = None, since_day: str | None = None
) -> Iterator[tuple[int, str, Path]]:
    """``(version, day, file)`` of the complete files of a model's log, oldest day first."""
    base = root / name
    if not base.is_dir():
        return
    for vdir in sorted(base.iterdir()):
        vmatch = _VERSION.match(vdir.name)
        if vmatch is None or (versions is not None and int(vmatch[1]) not in versions):
            continue
        for ddir in sorted(vdir.iterdir()):
            dmatch = _DAY.match(ddir.name)
            if dmatch is None or (since_day is not None and dmatch[1] < since_day):
                continue
            for file in sorted(ddir.glob("part-*.parquet")):
                yield int(vmatch[1]), dmatch[1], file
