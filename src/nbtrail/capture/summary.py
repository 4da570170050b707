"""Small, JSON-serialisable summaries of values, for run tables and diffs.

A summary is what a person looks at to see *how* two runs' data differ once the
hashes say *that* they differ: shapes, dtypes, per-column min/max/mean/nulls,
small values themselves. Summaries are bounded in size (columns, string
lengths, collection JSON) and cost: a table's column statistics come from
the hashing pass when the caller hashed with ``profile=True`` (``_profile``);
only the columns it could not profile (datetimes, mixed objects, nullable
extension arrays) take passes of their own, and their distinct values are
estimated from a sample beyond ``_profile.EXACT_DISTINCT_ROWS`` rows.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import reprlib
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from nbtrail.capture import _profile
from nbtrail.capture.hashing import qualified_name
from nbtrail.capture.randomness import draws_random_numbers

#: Columns described per table; the rest are counted in ``columns_truncated``.
MAX_COLUMNS = 200
#: Characters of a string kept in a summary.
MAX_TEXT = 200
#: Largest JSON (in bytes) of a collection kept verbatim.
MAX_JSON = 1024

_repr = reprlib.Repr()
_repr.maxstring = MAX_TEXT
_repr.maxother = MAX_TEXT


def summarise(value: Any, kind: str, profile: dict[str, Any] | None = None) -> dict[str, Any]:
    """A summary of ``value`` as the given binding kind (see ``records.BINDING_KINDS``).

    ``profile`` is ``ContentHash.profile`` of the same value: column statistics
    already gathered while hashing it, used instead of computing them again.
    """
    if kind == "dataframe":
        return _summarise_dataframe(value, (profile or {}).get("columns"))
    if kind == "series":
        return _summarise_series(value, (profile or {}).get("column"))
    return _SUMMARISERS.get(kind, _summarise_other)(value)


# -- JSON helpers ----------------------------------------------------------------


def jsonable(x: Any) -> Any:
    """A scalar as JSON: numpy -> python, NaN/inf -> None, times -> ISO text."""
    if isinstance(x, np.generic):
        x = x.item()
    if x is None or isinstance(x, (bool, int, str)):
        return x
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, (dt.datetime, dt.date, dt.time)):
        return x.isoformat()
    if isinstance(x, dt.timedelta):
        return str(x)
    if _is_missing(x):
        return None
    return short_text(_repr.repr(x))


def _is_missing(x: Any) -> bool:
    try:
        return bool(x != x)
    except Exception:
        return False


def short_text(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"


def _small_json(value: Any) -> Any | None:
    """``value`` itself when it is plain JSON data of at most ``MAX_JSON`` bytes."""
    try:
        text = json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return None
    return json.loads(text) if len(text.encode()) <= MAX_JSON else None


def _quietly(func: Callable[[], Any]) -> Any:
    """Statistics of all-NaN or empty data are None, not a RuntimeWarning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return jsonable(func())
        except (TypeError, ValueError):
            return None


# -- tables ----------------------------------------------------------------------


def column_stats(ser: Any, known: dict[str, Any] | None = None) -> dict[str, Any]:
    """dtype, count, nulls and min/max/mean (numeric, datetime) or distinct (others).

    ``known`` holds the statistics the hashing pass gathered for this column.
    """
    from pandas.api import types as pdt

    if known:
        return {"dtype": str(ser.dtype), **{k: jsonable(v) for k, v in known.items()}}
    nulls = int(ser.isna().sum())
    stats: dict[str, Any] = {"dtype": str(ser.dtype), "count": len(ser) - nulls, "nulls": nulls}
    if pdt.is_bool_dtype(ser.dtype):
        stats["mean"] = _quietly(lambda: ser.mean())
    elif pdt.is_numeric_dtype(ser.dtype) or pdt.is_datetime64_any_dtype(ser.dtype):
        stats["min"] = _quietly(lambda: ser.min())
        stats["max"] = _quietly(lambda: ser.max())
        if not pdt.is_datetime64_any_dtype(ser.dtype):
            stats["mean"] = _quietly(lambda: ser.mean())
    else:
        stats.update(_distinct(ser))
    return stats


def _distinct(ser: Any) -> dict[str, Any]:
    """Distinct non-null values: exact for short (and categorical) columns, else estimated."""
    try:
        if len(ser) <= _profile.EXACT_DISTINCT_ROWS or str(ser.dtype) == "category":
            return {"distinct": int(ser.nunique())}
        rows = _profile.sample_rows(len(ser))
        counts = ser.iloc[rows].value_counts(dropna=True).to_numpy()
        return _profile.estimated_distinct(counts, len(rows), len(ser))
    except (TypeError, ValueError):
        return {"distinct": None}


def _summarise_dataframe(df: Any, known: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    shown = min(df.shape[1], MAX_COLUMNS)
    columns = [
        {
            "name": jsonable(df.columns[i]),
            **column_stats(df.iloc[:, i], known[i] if known is not None else None),
        }
        for i in range(shown)
    ]
    summary: dict[str, Any] = {
        "type": qualified_name(type(df)),
        "shape": list(df.shape),
        "columns": columns,
        "index": _index_brief(df.index),
        "memory_bytes": int(df.memory_usage(index=True, deep=False).sum()),
    }
    if df.shape[1] > shown:
        summary["columns_truncated"] = df.shape[1] - shown
    return summary


def _summarise_series(ser: Any, known: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": qualified_name(type(ser)),
        "name": jsonable(ser.name),
        "length": len(ser),
        "index": _index_brief(ser.index),
        **column_stats(ser, known),
    }


def _index_brief(idx: Any) -> dict[str, Any]:
    return {
        "type": type(idx).__name__,
        "dtype": str(idx.dtype),
        "names": [jsonable(n) for n in idx.names][:MAX_COLUMNS],
        "length": len(idx),
    }


def _summarise_index(idx: Any) -> dict[str, Any]:
    summary = _index_brief(idx)
    if idx.nlevels == 1 and len(idx):
        summary.update(
            {k: v for k, v in column_stats(idx.to_series()).items() if k not in ("dtype",)}
        )
    return summary


# -- arrays and scalars ------------------------------------------------------------


def _summarise_ndarray(arr: Any) -> dict[str, Any]:
    """Arrays of every kind hashed as ``ndarray``: plain, structured, masked, sparse."""
    if isinstance(arr, np.ma.MaskedArray):
        return _summarise_masked(arr)
    if not isinstance(arr, np.ndarray):
        return _summarise_sparse(arr)
    summary = _array_brief(arr)
    summary["nbytes"] = int(arr.nbytes)
    summary.update(_numeric_stats(arr))
    return summary


def _array_brief(arr: Any) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "type": qualified_name(type(arr)),
        "shape": [int(n) for n in arr.shape],
        "dtype": short_text(str(arr.dtype)),
    }
    names = getattr(arr.dtype, "names", None)
    if names is not None:
        summary["fields"] = [short_text(str(n)) for n in names[:MAX_COLUMNS]]
    return summary


def _numeric_stats(arr: np.ndarray) -> dict[str, Any]:
    """min/max/mean of a real or boolean array (NaNs skipped); nothing for other dtypes."""
    if not arr.size or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
        return {}
    if np.iscomplexobj(arr):
        return {}
    lo = _quietly(lambda: np.min(arr))
    if lo is None and np.issubdtype(arr.dtype, np.floating):  # NaNs present
        return {
            "min": _quietly(lambda: np.nanmin(arr)),
            "max": _quietly(lambda: np.nanmax(arr)),
            "mean": _quietly(lambda: np.nanmean(arr)),
        }
    return {"min": lo, "max": _quietly(lambda: np.max(arr)), "mean": _quietly(lambda: np.mean(arr))}


def _summarise_masked(arr: np.ma.MaskedArray) -> dict[str, Any]:
    """Shape, dtype, how many entries are masked, and statistics of the unmasked ones."""
    data = np.ma.getdata(arr)
    masked = _masked_entries(np.ma.getmaskarray(arr), data.shape)
    summary = _array_brief(arr)
    summary["nbytes"] = int(data.nbytes)
    summary["masked"] = int(np.count_nonzero(masked))
    if data.dtype.names is None:
        summary.update(_numeric_stats(data[~masked]))
    return summary


def _masked_entries(mask: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """One flag per entry: any of its fields (or subarray items) masked."""
    if mask.dtype.names is not None:
        flags = np.zeros(shape, dtype=bool)
        for name in mask.dtype.names:
            flags |= _masked_entries(mask[name], shape)
        return flags
    if mask.shape == shape:
        return mask
    if not mask.size:
        return np.zeros(shape, dtype=bool)
    return np.asarray(mask.reshape(*shape, -1).any(axis=-1))


def _summarise_sparse(matrix: Any) -> dict[str, Any]:
    """A scipy sparse matrix or array: shape, dtype, format and stored entries."""
    summary = _array_brief(matrix)
    summary["format"] = str(matrix.format)
    summary["nnz"] = int(matrix.nnz)
    size = math.prod(matrix.shape)
    summary["density"] = matrix.nnz / size if size else None
    return summary


def _summarise_scalar(value: Any) -> dict[str, Any]:
    summary: dict[str, Any] = {"type": qualified_name(type(value))}
    if isinstance(value, (str, bytes, bytearray, memoryview)):
        summary["length"] = len(value)
    if isinstance(value, str):
        summary["value"] = short_text(value)
    elif isinstance(value, (np.random.RandomState, np.random.Generator, np.random.BitGenerator)):
        summary["bit_generator"] = _bit_generator_name(value)
    elif not isinstance(value, (bytes, bytearray, memoryview)):
        summary["value"] = jsonable(value)
    return summary


def _bit_generator_name(rng: Any) -> str:
    if isinstance(rng, np.random.RandomState):
        return str(rng.get_state(legacy=False)["bit_generator"])
    if isinstance(rng, np.random.Generator):
        return type(rng.bit_generator).__name__
    return type(rng).__name__


def _summarise_collection(value: Any) -> dict[str, Any]:
    summary: dict[str, Any] = {"type": qualified_name(type(value)), "length": len(value)}
    plain = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
    small = _small_json(plain)
    if small is not None:
        summary["value"] = small
    return summary


# -- models, figures, code -------------------------------------------------------


def unseeded_steps(est: Any) -> list[str]:
    """Steps (``""`` for the estimator itself) that draw unseeded random numbers.

    A step is unseeded when its ``random_state`` exists and is None and its
    configuration draws random numbers (``capture.randomness``), or when a
    parameter is a CV splitter that shuffles with ``random_state=None`` (named
    by its parameter, e.g. ``"cv"``, ``"estimator__cv"``).
    """
    steps = set()
    params = est.get_params(deep=True)
    for key, value in params.items():
        step, _, name = key.rpartition("__")
        if name == "random_state" and value is None:
            if draws_random_numbers(params[step] if step else est):
                steps.add(step)
        elif _unseeded_splitter(value):
            steps.add(key)
    return sorted(steps)


def _unseeded_splitter(value: Any) -> bool:
    """A CV splitter that shuffles (KFold(shuffle=True), ShuffleSplit...) without a seed."""
    return (
        not isinstance(value, type)
        and callable(getattr(value, "split", None))
        and hasattr(value, "get_n_splits")
        and getattr(value, "random_state", 0) is None
        and getattr(value, "shuffle", True) is not False
    )


def _summarise_model(est: Any) -> dict[str, Any]:
    params = est.get_params(deep=False)
    steps = unseeded_steps(est)
    return {
        "class": qualified_name(type(est)),
        "params": {k: _param_value(v) for k, v in list(params.items())[:MAX_COLUMNS]},
        "fitted": _is_fitted(est),
        "unseeded": bool(steps),
        "unseeded_steps": steps,
    }


def _is_fitted(est: Any) -> bool:
    """sklearn's own test: the estimator's ``__sklearn_is_fitted__`` (a pipeline asks its
    steps), else any public attribute ending in ``_``."""
    check = getattr(est, "__sklearn_is_fitted__", None)
    if callable(check):
        try:
            return bool(check())
        except Exception:
            pass
    return any(k.endswith("_") and not k.startswith("_") for k in vars(est))


def _param_value(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool, type(None), np.generic)):
        return jsonable(value)
    return short_text(_repr.repr(value))


def _summarise_figure(fig: Any) -> dict[str, Any]:
    """A figure's size and titles; an artist (axes, bars...) is its class and its figure's."""
    from nbtrail.capture.hash_figures import figure_of, is_figure

    if not is_figure(fig):
        root = figure_of(fig)
        brief = {"type": qualified_name(type(fig))}
        return brief if root is None else {**brief, "figure": _summarise_figure(root)}
    titles = [ax.get_title() for ax in fig.axes]
    return {
        "type": qualified_name(type(fig)),
        "size_inches": [float(x) for x in fig.get_size_inches()],
        "dpi": float(fig.dpi),
        "axes": len(fig.axes),
        "titles": [short_text(t) for t in titles if t][:20],
    }


def _summarise_module(mod: Any) -> dict[str, Any]:
    version = getattr(mod, "__version__", None)
    return {"name": mod.__name__, "version": None if version is None else str(version)}


def _summarise_function(fn: Any) -> dict[str, Any]:
    return {"name": qualified_name(fn), "type": qualified_name(type(fn))}


def _summarise_other(value: Any) -> dict[str, Any]:
    return {"type": qualified_name(type(value)), "repr": short_text(_repr.repr(value))}


_SUMMARISERS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "dataframe": _summarise_dataframe,
    "series": _summarise_series,
    "index": _summarise_index,
    "ndarray": _summarise_ndarray,
    "scalar": _summarise_scalar,
    "collection": _summarise_collection,
    "model": _summarise_model,
    "figure": _summarise_figure,
    "module": _summarise_module,
    "function": _summarise_function,
}
