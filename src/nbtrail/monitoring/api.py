"""``nbtrail.profile`` and ``nbtrail.drift`` for notebooks."""

from __future__ import annotations

from typing import Any

from nbtrail.errors import NbtrailError
from nbtrail.monitoring.drift import DriftOptions, compare
from nbtrail.monitoring.profiles import Profile, profile_frame
from nbtrail.monitoring.report import DriftReport


def profile(frame: Any) -> Profile:
    """The mergeable per-column profile of any DataFrame (``a.merge(b)`` combines two)."""
    return profile_frame(_frame(frame))


def drift(
    reference: Any,
    current: Any,
    *,
    columns: list[str] | None = None,
    number_method: str = "wasserstein",
    category_method: str = "jensenshannon",
    number_threshold: float | None = None,
    category_threshold: float | None = None,
    store: Any = None,
) -> DriftReport:
    """Drift of ``current`` (a DataFrame) from ``reference``: a DataFrame, a Profile, or a
    registered version's URI (``models:/NAME/3``: its training profile).

    Methods: ``wasserstein`` (default), ``psi``, ``ks`` for numbers;
    ``jensenshannon`` (default), ``chisquare`` for categories; thresholds
    default to Evidently's (0.1 for distances and PSI, p < 0.05 for tests).
    """
    options = DriftOptions(number_method, category_method, number_threshold, category_threshold)
    return compare(_reference(reference, store), _frame(current), options, columns)


def drift_figures(
    reference: Any, current: Any, report: DriftReport | None = None, *, store: Any = None
) -> dict[str, Any]:
    """A matplotlib ``Figure`` per drifted column of ``report`` (computed when not given):
    the reference's distribution against the current one, titled with the statistic."""
    from nbtrail.monitoring.figures import drift_figure

    profile, frame = _reference(reference, store), _frame(current)
    report = report or compare(profile, frame)
    return {
        c.name: drift_figure(profile.columns[c.name], frame[c.name], c)
        for c in report.columns
        if c.drifted
    }


def _reference(reference: Any, store: Any) -> Profile:
    if isinstance(reference, Profile):
        return reference
    if isinstance(reference, str):
        from nbtrail.models import registry
        from nbtrail.monitoring.registration import reference_profile
        from nbtrail.store import Store, open_store

        opened = store if isinstance(store, Store) else open_store(store)
        return reference_profile(opened, registry.resolve(opened, reference))
    return profile_frame(_frame(reference))


def _frame(value: Any) -> Any:
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        return value.rename(columns=str)
    if isinstance(value, pd.Series):
        return value.to_frame(name=str(value.name or "value"))
    raise NbtrailError(
        f"expected a DataFrame, not {type(value).__name__} (runs keep hashes and summaries, "
        "not rows: pass the DataFrames themselves)"
    )
