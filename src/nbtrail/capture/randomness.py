"""Whether an estimator's ``random_state`` matters in its configuration.

Many scikit-learn estimators take ``random_state`` but only some settings
draw random numbers: ``LogisticRegression`` with the default ``lbfgs``
solver is deterministic, with ``saga`` it shuffles. Calling such a model
"unseeded" sends a person after randomness that is not there, so the
estimators whose use of the seed depends on a parameter are listed here;
every other estimator with ``random_state=None`` counts as drawing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_RULES: dict[str, Callable[[dict[str, Any]], bool]] = {
    # The solvers that shuffle (sklearn's docs for random_state say which).
    "LogisticRegression": lambda p: p.get("solver") in ("sag", "saga", "liblinear"),
    "LogisticRegressionCV": lambda p: p.get("solver") in ("sag", "saga", "liblinear"),
    "Ridge": lambda p: p.get("solver") in ("sag", "saga"),
    "RidgeClassifier": lambda p: p.get("solver") in ("sag", "saga"),
    # Coordinate descent draws only with selection='random'.
    "Lasso": lambda p: p.get("selection") == "random",
    "ElasticNet": lambda p: p.get("selection") == "random",
    "LassoCV": lambda p: p.get("selection") == "random",
    "ElasticNetCV": lambda p: p.get("selection") == "random",
    "MultiTaskLasso": lambda p: p.get("selection") == "random",
    "MultiTaskElasticNet": lambda p: p.get("selection") == "random",
    # libsvm draws only for probability estimates.
    "SVC": lambda p: bool(p.get("probability")),
    "NuSVC": lambda p: bool(p.get("probability")),
    # Full and covariance-eigen solvers are exact.
    "PCA": lambda p: p.get("svd_solver") not in ("full", "covariance_eigh"),
}


def draws_random_numbers(estimator: Any) -> bool:
    """False only when this estimator's configuration is known not to use its seed."""
    rule = _RULES.get(type(estimator).__name__)
    if rule is None:
        return True
    try:
        return bool(rule(estimator.get_params(deep=False)))
    except Exception:
        return True
