"""Throughput probe for content hashing (a sanity script, not a test).

Targets: a float64 array hashes at >= 60% of ``arr.sum()`` bandwidth over the
same bytes; a 10M-row mixed DataFrame (8 numeric columns, a categorical, short
strings as object and as pandas ``str``) at >= 3 GB/s of its deep memory size.

Run: ``python benchmarks/hashing_probe.py [--rows N] [--gib G]``
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from nbtrail.capture.hashing import hash_value


def best_of(func: Callable[[], Any], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def mixed_frame(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    columns: dict[str, Any] = {}
    for i in range(4):
        columns[f"f{i}"] = rng.normal(size=rows)
        columns[f"i{i}"] = rng.integers(0, 1_000_000, size=rows)
    columns["cat"] = pd.Categorical.from_codes(rng.integers(0, 8, rows), list("abcdefgh"))
    words = np.array([f"s{i}" for i in range(100_000)], dtype=object)
    text = words[rng.integers(0, len(words), rows)]
    columns["obj"] = pd.Series(text, dtype=object)
    columns["str"] = pd.Series(text, dtype="str")
    return pd.DataFrame(columns)


def probe_array(gib: float) -> None:
    arr = np.random.default_rng(1).random(int(gib * (1 << 30)) // 8)
    gb = arr.nbytes / 1e9
    t_sum = best_of(arr.sum)
    t_hash = best_of(lambda: hash_value(arr))
    print(f"float64 array {gb:.2f} GB: sum {gb / t_sum:.1f} GB/s, hash {gb / t_hash:.1f} GB/s")
    print(f"  hash / sum bandwidth: {t_sum / t_hash:.0%} (target >= 60%)")


def probe_frame(rows: int) -> None:
    df = mixed_frame(rows)
    deep = df.memory_usage(deep=True).sum() / 1e9
    shallow = df.memory_usage(deep=False).sum() / 1e9
    t = best_of(lambda: hash_value(df))
    print(f"mixed frame {rows:,} rows: {deep:.2f} GB deep ({shallow:.2f} GB shallow)")
    print(f"  hash {t:.3f} s: {deep / t:.2f} GB/s deep, {shallow / t:.2f} GB/s shallow")
    for name in df.columns:
        col = df[name]
        size = col.memory_usage(deep=True, index=False) / 1e9
        t_col = best_of(lambda col=col: hash_value(col))
        print(f"    {name:>4} {col.dtype!s:>9}: {t_col:.3f} s, {size / t_col:.2f} GB/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--gib", type=float, default=1.0)
    args = parser.parse_args()
    probe_array(args.gib)
    probe_frame(args.rows)


if __name__ == "__main__":
    main()
