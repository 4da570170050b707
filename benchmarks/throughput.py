"""Figure group 2: content hashing throughput, every byte, against read bandwidth.

nbtrail promises full hashes at close to memory speed. The honest yardstick is
``arr.sum()`` over the same bytes: it reads each byte once, which is the least
any full hash must do. The mixed frame is compared with MLflow's dataset
digest, which reads only the first 10,000 rows yet still walks the whole frame
to check its types.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from benchmarks import peers
from benchmarks.context import Context, size_label
from benchmarks.timing import Figure, at_least, median_seconds, ratio_at_least


def float_array(nbytes: int) -> np.ndarray:
    """A float64 array of ``nbytes``, every page touched (arange writes them all)."""
    return np.arange(nbytes // 8, dtype=np.float64)


def mixed_frame(rows: int) -> pd.DataFrame:
    """4 float and 4 int columns, a categorical, short strings as object and as ``str``."""
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


def array_figure(ctx: Context) -> Figure:
    from nbtrail.capture.hashing import hash_value

    arr = float_array(ctx.sizes.array_bytes)
    gb = arr.nbytes / 1e9
    repeat = ctx.sizes.hash_repeat
    t_sum = median_seconds(arr.sum, repeat=repeat)
    t_hash = median_seconds(lambda: hash_value(arr), repeat=repeat)
    return Figure(
        key="hash.ndarray",
        title=f"hash a float64 array ({size_label(arr.nbytes)}), GB/s",
        value=gb / t_hash,
        unit="GB/s",
        baseline=gb / t_sum,
        baseline_title="arr.sum() over the same bytes (read bandwidth)",
        better="higher",
        checks=(ratio_at_least(0.6, ">= 60% of read bandwidth"),),
        details={"bytes": arr.nbytes, "hash_s": t_hash, "sum_s": t_sum},
    )


def frame_figures(ctx: Context, read_bandwidth: float) -> list[Figure]:
    from nbtrail.capture.hashing import hash_value

    rows = ctx.sizes.frame_rows
    df = mixed_frame(rows)
    deep = int(df.memory_usage(deep=True).sum())
    t_hash = median_seconds(lambda: hash_value(df), repeat=ctx.sizes.hash_repeat)
    columns = {
        name: median_seconds(lambda col=df[name]: hash_value(col), repeat=1, warmup=0)
        for name in df.columns
    }
    details: dict[str, Any] = {
        "rows": rows,
        "deep_bytes": deep,
        "shallow_bytes": int(df.memory_usage(deep=False).sum()),
        "hash_s": t_hash,
        "column_hash_s": columns,
    }
    baseline, skipped = None, peers.SKIP_REASON
    if peers.available():
        t_mlflow = median_seconds(lambda: peers.dataset_digest(df), repeat=1, warmup=0)
        baseline, skipped = deep / 1e9 / t_mlflow, ""
        details["mlflow_digest_s"] = t_mlflow
    value = deep / 1e9 / t_hash
    against_mlflow = Figure(
        key="hash.mixed_frame",
        title=f"hash a mixed {rows:,}-row DataFrame (all rows), GB/s",
        value=value,
        unit="GB/s",
        baseline=baseline,
        baseline_title="MLflow from_pandas(df).digest (first 10,000 rows only)",
        better="higher",
        checks=(at_least(3.0, ">= 3 GB/s"),),
        note=f"{size_label(deep)} deep (strings counted); hashed in {t_hash:.3f} s",
        skipped=skipped,
        details=details,
    )
    against_bandwidth = Figure(
        key="hash.mixed_frame_bandwidth",
        title=f"hash a mixed {rows:,}-row DataFrame (all rows) vs read bandwidth, GB/s",
        value=value,
        unit="GB/s",
        baseline=read_bandwidth,
        baseline_title="arr.sum() over a float64 array in the same run (read bandwidth)",
        better="higher",
        note="the same measurement as hash.mixed_frame, against the machine's read bandwidth",
    )
    return [against_mlflow, against_bandwidth]


def collect(ctx: Context) -> list[Figure]:
    array = array_figure(ctx)
    assert array.baseline is not None
    return [array, *frame_figures(ctx, array.baseline)]
