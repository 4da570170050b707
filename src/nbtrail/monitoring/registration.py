"""The training profile a version gets when it is registered.

nbtrail keeps a DataFrame's hash and summary, never its rows, so the profile
is computed at registration from the values themselves where they can still
be found and proven to be the training data (same content hash):

1. the registering kernel still holds the run's input DataFrame (the usual
   case: ``nbtrail.register_model`` in the notebook that trained);
2. the run read a CSV or Parquet file that is still there, unchanged.

The model's predictions on that frame are profiled too (``prediction``), the
baseline of prediction drift. When neither source exists the version records
why, and ``nbtrail monitor --reference FILE`` supplies the reference instead.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from nbtrail.errors import NbtrailError
from nbtrail.monitoring.profiles import Profile, profile_column, profile_frame
from nbtrail.records import ModelVersion, Run
from nbtrail.store import Store

READABLE = (".csv", ".parquet", ".pq")
NOT_KEPT = (
    "the training data's values are not kept (only hashes and summaries): register in the "
    "kernel that trained while it still holds the data, or pass --reference to nbtrail monitor"
)


def training_profile(store: Store, run: Run, variable: str, kept: dict[str, Any],
                     lineage: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    """``{"profile": {...}}`` for the version's lineage; never raises (a failure says why)."""
    try:
        return {"profile": _build(store, run, variable, kept, lineage)}
    except Exception as exc:
        return {"profile": {"error": f"{type(exc).__name__}: {exc}"}}


def _build(store: Store, run: Run, variable: str, kept: dict[str, Any],
           lineage: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    columns = [str(c) for c in lineage.get("columns") or []]
    found = _training_frame(run, lineage.get("training_data", ()), columns)
    if found is None:
        return {"error": NOT_KEPT}
    source, binding, frame = found
    features = frame[columns] if columns else frame
    profile = profile_frame(features)
    predicted = _predictions(store, variable, kept, features)
    if predicted is not None:
        profile.columns["prediction"] = profile_column("prediction", predicted)
    from nbtrail.capture.hashing import hash_bytes

    data = profile.to_bytes()
    digest = hash_bytes(data)
    store.put_object(data, digest)
    return {"object": digest, "source": source, "binding": binding, "rows": profile.rows,
            "prediction": predicted is not None}  # fmt: skip


def _training_frame(run: Run, training: Any, columns: list[str]) -> tuple[str, str, Any] | None:
    """(source, binding name, frame) of the largest input frame holding the model's columns."""
    frames = [d for d in training if d.get("kind") == "dataframe" and _has(d, columns)]
    frames.sort(key=lambda d: -((d.get("summary") or {}).get("shape") or [0])[0])
    for data in frames:
        value = _from_kernel(data["name"], data.get("hash"))
        if value is not None:
            return "kernel", data["name"], value
    for data in training:
        if data.get("kind") == "file":
            value = _from_file(run, data["name"], data.get("hash"))
            if value is not None and all(c in map(str, value.columns) for c in columns):
                return "file", data["name"], value.rename(columns=str)
    return None


def _has(data: dict[str, Any], columns: list[str]) -> bool:
    names = {str(c.get("name")) for c in (data.get("summary") or {}).get("columns", ())}
    return all(c in names for c in columns)


def _from_kernel(name: str, digest: str | None) -> Any | None:
    """The registering kernel's value of ``name``, if it is the very data the run read."""
    if digest is None or "IPython" not in sys.modules:
        return None
    from IPython import get_ipython

    shell = get_ipython()
    value = getattr(shell, "user_ns", {}).get(name)
    if value is None:
        return None
    from nbtrail.capture.values import describe_value

    return value if describe_value(value).hash == digest else None


def _from_file(run: Run, name: str, digest: str | None) -> Any | None:
    from nbtrail.capture.hashing import hash_file

    path = Path(name)
    if not path.is_absolute():
        path = Path(run.extra.get("cwd") or ".") / path
    if path.suffix.lower() not in READABLE or not path.is_file() or digest is None:
        return None
    if hash_file(path) != digest:
        return None
    import pandas as pd

    return pd.read_csv(path) if path.suffix.lower() == ".csv" else pd.read_parquet(path)


def _predictions(store: Store, variable: str, kept: dict[str, Any], frame: Any) -> Any | None:
    """The model's predictions on its training frame: the kernel's model, else the kept one."""
    import pandas as pd

    model = _from_kernel(variable, kept.get("hash"))
    if model is None and kept.get("object"):
        from nbtrail.models import serialize

        try:
            model = serialize.loads_model(serialize.object_bytes(store, kept["object"]), ())
        except NbtrailError:
            return None  # it needs types only the user can trust
    if model is None:
        return None
    import numpy as np

    try:
        predicted = np.asarray(model.predict(frame))
    except Exception:  # the inputs' profile stands without the predictions' baseline
        return None
    return (
        pd.Series(predicted.reshape(len(frame), -1)[:, 0])
        if predicted.ndim > 1
        else pd.Series(predicted)
    )


def reference_profile(store: Store, version: ModelVersion) -> Profile:
    """The version's training profile, or one line saying why it has none."""
    info = version.lineage.get("profile") or {}
    if "object" not in info:
        why = info.get("error") or "it was registered before nbtrail profiled training data"
        raise NbtrailError(f"{version.uri} has no training profile: {why}")
    return Profile.from_bytes(store.object_path(info["object"]).read_bytes())
