"""Reading a CSV or Parquet file given on the command line: one line when it cannot be read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nbtrail.errors import NbtrailError


def read_table(path: str | Path) -> Any:
    import pandas as pd

    file = Path(path)
    suffix = file.suffix.lower()
    if suffix not in (".csv", ".parquet", ".pq"):
        raise NbtrailError(f"{file.name}: give a .csv or .parquet file")
    try:
        frame = pd.read_csv(file) if suffix == ".csv" else pd.read_parquet(file)
    except FileNotFoundError:
        raise NbtrailError(f"no such file: {file}") from None
    except Exception as exc:  # pandas and pyarrow raise many types for a bad file
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise NbtrailError(f"cannot read {file.name}: {first}") from None
    return frame.rename(columns=str)
