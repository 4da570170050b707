"""Atomic Parquet writes and tolerant reads of many small files."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nbtrail.serving.layout import new_part_name


def write_atomic(table: Any, folder: Path) -> Path:
    """``table`` as a new part file in ``folder``: a hidden temp file renamed when complete."""
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    final = folder / new_part_name()
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".parquet")
    os.close(fd)
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, final)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return final


def read_many(files: Iterable[Path], columns: list[str] | None = None) -> Any:
    """One Arrow table from many part files whose columns may differ (missing ones null).

    Integer and float versions of a column are unified (``permissive``); a file
    that cannot be read (a foreign file in the folder) is skipped, not fatal.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    tables = []
    for file in files:
        try:
            table = pq.read_table(file)
        except (OSError, pa.ArrowInvalid):
            continue
        if columns is not None:
            table = table.select([c for c in columns if c in table.column_names])
        tables.append(table)
    if not tables:
        return None
    if len(tables) == 1:
        return tables[0]
    return pa.concat_tables(tables, promote_options="permissive")
