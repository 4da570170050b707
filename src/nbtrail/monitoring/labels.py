"""The model's metric on labelled log rows, next to the one its training run logged."""

from __future__ import annotations

from typing import Any

import numpy as np


def label_metric(frame: Any, training_metrics: dict[str, Any]) -> dict[str, Any] | None:
    """Accuracy for labels that are classes, MAE for continuous ones; None without labels."""
    if "label" not in frame or "prediction" not in frame:
        return None
    labelled = frame[frame["label"].notna()]
    if labelled.empty:
        return None
    predicted, truth = labelled["prediction"].to_numpy(), labelled["label"].to_numpy()
    if _continuous(predicted) or _continuous(truth):
        metric = "mae"
        value = float(np.mean(np.abs(predicted.astype(float) - truth.astype(float))))
    else:
        metric = "accuracy"
        value = float(np.mean(_same(predicted, truth)))
    key = _training_key(metric, training_metrics)
    return {"metric": metric, "value": value, "rows": len(labelled),
            "training": training_metrics.get(key) if key else None,
            "training_key": key}  # fmt: skip


def _same(predicted: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Equal labels: numbers as numbers (a label column with gaps is float), else as text."""
    if predicted.dtype.kind in "biuf" and truth.dtype.kind in "biuf":
        return predicted.astype(float) == truth.astype(float)
    return predicted.astype(str) == truth.astype(str)


def _continuous(values: np.ndarray) -> bool:
    if values.dtype.kind != "f":
        return False
    finite = values[np.isfinite(values)]
    return bool(len(finite)) and not np.all(finite == np.round(finite))


def _training_key(metric: str, metrics: dict[str, Any]) -> str | None:
    """The training run's metric of that name (``accuracy``, or ``test_accuracy``-like keys)."""
    if metric in metrics:
        return metric
    matches = sorted(k for k in metrics if k.lower().endswith(metric))
    return matches[0] if matches else None
