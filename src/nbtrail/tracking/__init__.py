"""Tracking: a tracked cell's lifecycle, from capture to one store write.

``tracker`` runs the lifecycle; ``session`` knows the kernel session (order,
writers, notebook); ``locate`` finds the notebook; ``params`` picks a run's
notebook parameters; ``bindings`` picks and describes values; ``files`` hashes
and keeps files, figures and the notebook; ``text`` names and reports runs.
"""

from nbtrail.tracking.bindings import is_data_name
from nbtrail.tracking.locate import notebook_path
from nbtrail.tracking.tracker import (
    ActiveRun,
    Tracker,
    TrackOptions,
    active_run,
    current_tracker,
    install,
)

__all__ = [
    "ActiveRun",
    "TrackOptions",
    "Tracker",
    "active_run",
    "current_tracker",
    "install",
    "is_data_name",
    "notebook_path",
]
