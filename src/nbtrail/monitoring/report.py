"""Drift results as records: what ``--json``, the REST API and the notebook all show."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class ColumnDrift:
    name: str
    drifted: bool
    method: str
    statistic: float
    threshold: float
    kind: str  # "number" or "category"
    details: dict[str, Any] = field(default_factory=dict)  # the other statistics, null rates

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SchemaChanges:
    missing: tuple[str, ...] = ()  # in the reference, not in the current data
    new: tuple[str, ...] = ()  # in the current data only
    retyped: tuple[str, ...] = ()  # a number on one side, a category on the other

    @property
    def changed(self) -> bool:
        return bool(self.missing or self.retyped)

    def to_dict(self) -> dict[str, Any]:
        return {"missing": list(self.missing), "new": list(self.new),
                "retyped": list(self.retyped)}  # fmt: skip


@dataclass(frozen=True)
class DriftReport:
    """``drifted``: any column drifted, the prediction shifted, or a column is missing/retyped."""

    drifted: bool
    columns: tuple[ColumnDrift, ...]
    schema: SchemaChanges
    unseen: dict[str, list[str]]  # categories never seen in the reference, per column
    rows: dict[str, int]  # reference and current row counts
    prediction: ColumnDrift | None = None
    labels: dict[str, Any] | None = None
    source: dict[str, Any] = field(default_factory=dict)  # what was compared with what

    @property
    def drifted_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.drifted]

    def to_dict(self) -> dict[str, Any]:
        return {
            "drifted": self.drifted,
            "columns": [c.to_dict() for c in self.columns],
            "schema": self.schema.to_dict(),
            "unseen": self.unseen,
            "rows": self.rows,
            "prediction": self.prediction.to_dict() if self.prediction else None,
            "labels": self.labels,
            "source": self.source,
        }

    def text(self) -> str:
        lines = [f"{'COLUMN':<28} {'METHOD':<14} {'STATISTIC':>10} {'THRESHOLD':>10}  DRIFT"]
        for c in (*self.columns, *((self.prediction,) if self.prediction else ())):
            mark = "DRIFT" if c.drifted else "-"
            lines.append(
                f"{c.name:<28} {c.method:<14} {c.statistic:>10.4g} {c.threshold:>10.4g}  {mark}"
            )
        for name, values in self.unseen.items():
            lines.append(f"unseen categories in {name}: {', '.join(values)}")
        if self.schema.missing:
            lines.append(f"missing columns: {', '.join(self.schema.missing)}")
        if self.schema.new:
            lines.append(f"new columns: {', '.join(self.schema.new)}")
        if self.schema.retyped:
            lines.append(f"columns of another type: {', '.join(self.schema.retyped)}")
        if self.labels:
            lines.append(_labels_line(self.labels))
        rows = (
            f"{self.rows.get('reference', 0)} reference rows, {self.rows.get('current', 0)} current"
        )
        lines.append(f"{self._verdict()} ({rows})")
        return "\n".join(lines)

    def _verdict(self) -> str:
        if not self.drifted:
            return "no drift"
        where = list(self.drifted_columns)
        if self.prediction is not None and self.prediction.drifted:
            where.append("the prediction")
        if self.schema.changed:
            where.append("the schema")
        return f"drift in {', '.join(where)}"

    def _repr_html_(self) -> str:
        import html

        return f"<pre>{html.escape(self.text())}</pre>"


def _labels_line(labels: dict[str, Any]) -> str:
    training = labels.get("training")
    against = f" (training: {training:.4g})" if isinstance(training, (int, float)) else ""
    value = f"{labels['metric']} {labels['value']:.4g}"
    return f"labels: {value} on {labels['rows']} labelled rows{against}"
