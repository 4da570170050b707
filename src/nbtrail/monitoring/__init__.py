"""Profiles of data and drift between a version's training data and what it serves.

Profiles are per-column mergeable sketches (Apache DataSketches: KLL quantiles,
HLL distinct counts, frequent items), so profiles of log partitions combine
without the raw rows. Drift compares a reference profile (or frame) with
current data using the statistics Evidently and NannyML use, each named with
its threshold.
"""

from nbtrail.monitoring.api import drift, drift_figures, profile

__all__ = ["drift", "drift_figures", "profile"]
