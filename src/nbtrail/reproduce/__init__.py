"""Re-execute notebooks with papermill: re-runs judged cell by cell, and sweeps.

Importing this package is cheap: papermill, jupyter_client and dask are
imported only when something executes.
"""

from nbtrail.reproduce.compare import Tolerance
from nbtrail.reproduce.errors import ParameterError, ReproduceUsageError
from nbtrail.reproduce.jobs import JobManager, JobStatus
from nbtrail.reproduce.rerun import reproduce
from nbtrail.reproduce.sweep import SweepResult, sweep
from nbtrail.reproduce.verdict import ReproductionReport

__all__ = [
    "JobManager",
    "JobStatus",
    "ParameterError",
    "ReproduceUsageError",
    "ReproductionReport",
    "SweepResult",
    "Tolerance",
    "reproduce",
    "sweep",
]
