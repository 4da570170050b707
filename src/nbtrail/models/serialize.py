"""Model bytes and input examples: skops with the user's trust list, JSON examples.

Loading never unpickles. The types a skops file would need beyond skops'
defaults are *shown* (``untrusted_types``), but trust comes only from the
``trusted`` list the caller passes; it is never read from the file (MLflow's
advisory GHSA-w582-9x45-8mpx was exactly that).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from nbtrail.capture.hashing import hash_bytes
from nbtrail.errors import ModelError
from nbtrail.models.extra import require
from nbtrail.store import Store

EXAMPLE_ROWS = 20


def untrusted_types(data: bytes) -> list[str]:
    """Types in a skops file that skops does not trust by default (for display only)."""
    sio = require("skops.io", "loading a model")
    return sorted(sio.get_untrusted_types(data=data))


def loads_model(data: bytes, trusted: Sequence[str] = ()) -> Any:
    """A model from skops bytes; refuses (one line) if a type needs trust not given."""
    sio = require("skops.io", "loading a model")
    missing = [t for t in untrusted_types(data) if t not in set(trusted)]
    if missing:
        raise ModelError(
            f"the model needs types skops does not trust by default: {', '.join(missing)}; "
            "check them, then pass each with --trust (trusted=[...] in Python)"
        )
    try:
        return sio.loads(data, trusted=list(trusted) or None)
    except Exception as exc:
        raise ModelError(f"cannot load the model: {type(exc).__name__}: {exc}") from exc


def dumps_model(model: Any) -> bytes:
    sio = require("skops.io", "saving a model")
    try:
        data: bytes = sio.dumps(model)
    except Exception as exc:
        raise ModelError(f"skops cannot save a {type(model).__name__}: {exc}") from exc
    return data


def keep_example(store: Store, example: Any) -> str:
    """Store the first rows of an input example as JSON; returns the object hash."""
    data = json.dumps(encode_example(example), sort_keys=True, default=str).encode()
    digest = hash_bytes(data)
    store.put_object(data, digest)
    return digest


def encode_example(example: Any) -> dict[str, Any]:
    """A DataFrame or array (first rows) as JSON with its column names and dtypes."""
    import numpy as np
    import pandas as pd

    if isinstance(example, pd.DataFrame):
        frame = example.head(EXAMPLE_ROWS)
        return {
            "kind": "dataframe",
            "columns": [str(c) for c in frame.columns],
            "dtypes": [str(t) for t in frame.dtypes],
            "data": [frame.iloc[:, i].tolist() for i in range(frame.shape[1])],
        }
    array = np.asarray(example)
    if array.dtype == object or array.ndim not in (1, 2):
        raise ModelError(
            "an input example must be a DataFrame or a 1-D/2-D numeric array, "
            f"not {type(example).__name__}"
        )
    head = array[:EXAMPLE_ROWS]
    return {"kind": "ndarray", "dtype": str(head.dtype), "data": head.tolist()}


def decode_example(data: dict[str, Any]) -> Any:
    import numpy as np
    import pandas as pd

    if data.get("kind") == "dataframe":
        frame = pd.DataFrame(dict(zip(data["columns"], data["data"], strict=True)))
        return frame.astype(dict(zip(data["columns"], data["dtypes"], strict=True)))
    return np.asarray(data["data"], dtype=data.get("dtype"))


def load_example(store: Store, digest: str) -> Any:
    return decode_example(json.loads(store.object_path(digest).read_bytes()))


def example_from_summary(columns: Sequence[str], summary: dict[str, Any]) -> Any | None:
    """Rows of per-column min, mean and max from a training DataFrame's summary.

    For a model registered from a run that logged no example: enough to check
    an ONNX conversion and to give an MLflow signature its schema.
    """
    import pandas as pd

    stats = {str(c.get("name")): c for c in summary.get("columns", ())}
    if not columns or any(c not in stats for c in columns):
        return None
    rows: dict[str, list[Any]] = {}
    for name in columns:
        col = stats[name]
        values = [col.get("min"), col.get("mean"), col.get("max")]
        if any(not isinstance(v, int | float) or isinstance(v, bool) for v in values):
            return None
        rows[name] = values
    frame = pd.DataFrame(rows)
    dtypes = {name: stats[name].get("dtype", "float64") for name in columns}
    floats = {n: ("float64" if str(t).startswith("int") else t) for n, t in dtypes.items()}
    return frame.astype(floats)


def object_bytes(store: Store, digest: str) -> bytes:
    return store.object_path(digest).read_bytes()
