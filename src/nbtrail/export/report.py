"""What an export did, for the CLI, ``--json`` and the Python API."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ExportReport:
    tracking_uri: str  # as it may be shown (a password redacted)
    experiment: str
    experiment_id: str
    created: list[str] = field(default_factory=list)  # nbtrail run ids
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    mlflow_runs: dict[str, str] = field(default_factory=dict)  # nbtrail id -> MLflow id
    models_registered: list[str] = field(default_factory=list)
    aliases_set: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what could not be exported, and why

    @property
    def exit_code(self) -> int:
        """1 when something could not be exported as it is in nbtrail."""
        return 1 if self.notes else 0

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def text(self) -> str:
        runs = len(self.created) + len(self.updated) + len(self.unchanged)
        lines = [
            f"exported {runs} run{'s' if runs != 1 else ''} to MLflow experiment "
            f"{self.experiment!r} ({self.experiment_id}) at {self.tracking_uri}: "
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged"
        ]
        if self.models_registered:
            lines.append(f"registered: {', '.join(self.models_registered)}")
        if self.aliases_set:
            lines.append(f"aliases: {', '.join(self.aliases_set)}")
        lines += [f"not exported: {note}" for note in self.notes]
        return "\n".join(lines)
