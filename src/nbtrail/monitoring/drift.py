"""Compare a reference (a profile) with current rows, column by column."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nbtrail.errors import NbtrailError
from nbtrail.monitoring import statistics as st
from nbtrail.monitoring.distributions import categories_of, numbers_of
from nbtrail.monitoring.profiles import CATEGORY, NUMBER, ColumnProfile, Profile, is_number
from nbtrail.monitoring.report import ColumnDrift, DriftReport, SchemaChanges

#: Unseen categories listed per column, at most.
MAX_UNSEEN = 20


@dataclass(frozen=True)
class DriftOptions:
    """Methods and thresholds (None: the method's default, see ``statistics``)."""

    number_method: str = "wasserstein"
    category_method: str = "jensenshannon"
    number_threshold: float | None = None
    category_threshold: float | None = None

    def __post_init__(self) -> None:
        for method, kind in ((self.number_method, NUMBER), (self.category_method, CATEGORY)):
            found = st.METHODS.get(method)
            if found is None or found.kind != kind:
                choices = ", ".join(m.name for m in st.METHODS.values() if m.kind == kind)
                raise NbtrailError(f"unknown {kind} drift method {method!r} (one of {choices})")

    def method(self, kind: str) -> tuple[st.Method, float]:
        name, given = ((self.number_method, self.number_threshold) if kind == NUMBER
                       else (self.category_method, self.category_threshold))  # fmt: skip
        method = st.METHODS[name]
        return method, method.default_threshold if given is None else given


def compare_column(reference: ColumnProfile, current: Any, options: DriftOptions) -> ColumnDrift:
    """One column's drift: ``current`` is a Series of raw values (or another profile's column)."""
    method, threshold = options.method(reference.kind)
    details: dict[str, Any] = {"null_rate": {"reference": reference.null_rate,
                                             "current": _null_rate(current)}}  # fmt: skip
    if reference.kind == NUMBER:
        ref, cur = numbers_of(reference), numbers_of(current)
        if not cur.n or not ref.n:
            return ColumnDrift(reference.name, False, method.name, 0.0, threshold, NUMBER,
                               {**details, "note": "no values to compare"})  # fmt: skip
        scores = {"wasserstein": st.wasserstein(ref, cur), "psi": st.psi(ref, cur),
                  "ks_statistic": st.ks_statistic(ref, cur)}  # fmt: skip
        if method.name == "ks":  # a p-value only when asked: scipy.special costs 0.5 s to import
            scores["ks"] = st.ks_p_value(scores["ks_statistic"], ref.n, cur.n)
    else:
        rc, cc = categories_of(reference), categories_of(current)
        scores = {"jensenshannon": st.jensenshannon(rc, cc)}
        if method.name == "chisquare":
            scores["chisquare"] = st.chisquare(rc, cc)
    details.update({k: v for k, v in scores.items() if k != method.name})
    statistic = scores[method.name]
    return ColumnDrift(reference.name, method.drifted(statistic, threshold), method.name,
                       statistic, threshold, reference.kind, details)  # fmt: skip


def _null_rate(current: Any) -> float:
    if isinstance(current, ColumnProfile):
        return current.null_rate
    return float(current.isna().mean()) if len(current) else 0.0


def unseen_categories(reference: ColumnProfile, current: Any) -> list[str]:
    """Values of ``current`` the reference never had (only said when the reference is exact)."""
    ref = categories_of(reference)
    if not ref.exact:
        return []
    cur = categories_of(current)
    return sorted(set(cur.counts) - set(ref.counts))[:MAX_UNSEEN]


def compare(
    reference: Profile,
    current: Any,
    options: DriftOptions | None = None,
    columns: list[str] | None = None,
    prediction: str | None = "prediction",
) -> DriftReport:
    """Drift of the DataFrame ``current`` against ``reference`` on ``columns`` (default: all).

    The ``prediction`` column (when both sides have it) is compared the same
    way but reported apart from the input columns.
    """
    options = options or DriftOptions()
    names = columns if columns is not None else [n for n in reference.columns if n != prediction]
    present = [str(c) for c in current.columns]
    schema = _schema(reference, current, names, present)
    results, unseen = [], {}
    for name in names:
        if name not in reference.columns or name not in present or name in schema.retyped:
            continue
        ref_column = reference.columns[name]
        results.append(compare_column(ref_column, current[name], options))
        if ref_column.kind == CATEGORY and (found := unseen_categories(ref_column, current[name])):
            unseen[name] = found
    shifted = None
    if prediction and prediction in reference.columns and prediction in present:
        shifted = compare_column(reference.columns[prediction], current[prediction], options)
    drifted = any(r.drifted for r in results) or schema.changed or bool(shifted and shifted.drifted)
    return DriftReport(drifted, tuple(results), schema, unseen,
                       {"reference": reference.rows, "current": len(current)}, shifted)  # fmt: skip


def _schema(
    reference: Profile, current: Any, names: list[str], present: list[str]
) -> SchemaChanges:
    missing = tuple(n for n in names if n not in present)
    known = set(reference.columns)
    new = tuple(n for n in present if n not in known)
    retyped = tuple(
        n for n in names
        if n in present and n in reference.columns
        and (reference.columns[n].kind == NUMBER) != is_number(current[n])
        and not _all_null(current[n])
    )  # fmt: skip
    return SchemaChanges(missing, new, retyped)


def _all_null(series: Any) -> bool:
    return bool(series.isna().all())
