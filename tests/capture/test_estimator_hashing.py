"""Every scikit-learn estimator's fitted state hashes by value.

For each estimator of ``sklearn.utils.all_estimators()``: fit it (seeded) on a
small slice of a bundled dataset, twice, and once on another slice. The
record must be a ``model`` (no part pickled, nothing unhashable), the two
identical fits must hash equal, and the fit on other data must hash
differently, unless the estimator is listed in :data:`DATA_INDEPENDENT`, in
which case its fitted state must really be the same (checked by pickle).

Instances come from scikit-learn's own test-suite generator (small
``n_estimators``/``max_iter`` and the required arguments of meta-estimators)
when it is importable, else from defaults and :data:`FACTORIES`.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.datasets import load_diabetes, load_iris
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import all_estimators
from sklearn.utils._tags import get_tags

from nbtrail.capture.hash_objects import fitted_state
from nbtrail.capture.hashing import hash_value
from nbtrail.capture.values import describe_value

Estimator = Any

#: Estimators whose fitted state does not depend on the values they are fitted
#: on (only on their shape, their parameters or nothing), so two fits on other
#: data of the same shape are the same value and must hash the same.
DATA_INDEPENDENT = {
    "AdditiveChi2Sampler": "stateless: fit only validates",
    "Binarizer": "stateless: fit only records n_features_in_",
    "FeatureHasher": "stateless: hashing needs no vocabulary",
    "FrozenEstimator": "fit does nothing by design: the wrapped model stays as it was",
    "FunctionTransformer": "stateless: fit only validates",
    "GaussianRandomProjection": "the projection depends on n_features and the seed only",
    "HashingVectorizer": "stateless: hashing needs no vocabulary",
    "MissingIndicator": "iris has no missing values: features_ is empty for both slices",
    "Normalizer": "stateless: fit only records n_features_in_",
    "PatchExtractor": "stateless: fit only validates",
    "PolynomialCountSketch": "the sketch depends on n_features and the seed only",
    "PolynomialFeatures": "the powers depend on n_features only",
    "RBFSampler": "the random features depend on n_features and the seed only",
    "SkewedChi2Sampler": "the random features depend on n_features and the seed only",
    "SparseCoder": "stateless: the dictionary is a parameter",
    "SparseRandomProjection": "the projection depends on n_features and the seed only",
    "TfidfTransformer": "iris counts have no zeros: the idf is 1 for every column either way",
    "FeatureAgglomeration": "both slices merge iris's 4 features into the same 2 clusters",
    "SpectralCoclustering": "both slices give the same co-clustering of iris's 4 columns",
}


def _grid_search() -> Estimator:
    return GridSearchCV(LogisticRegression(max_iter=500), {"C": [0.01, 1.0, 100.0]}, cv=3)


def _random_search() -> Estimator:
    return RandomizedSearchCV(
        Ridge(), {"alpha": [0.01, 0.1, 1.0, 10.0]}, n_iter=3, cv=3, random_state=0
    )


#: Explicit instances: the meta-estimators a notebook uses most, and the ones
#: the generic construction cannot build (required arguments).
FACTORIES: dict[str, Callable[[], Estimator]] = {
    "GridSearchCV": _grid_search,
    "RandomizedSearchCV": _random_search,
    "Pipeline": lambda: Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())]),
}


def _frozen() -> Estimator:
    from sklearn.frozen import FrozenEstimator

    X, y = _iris(0)
    return FrozenEstimator(LogisticRegression(max_iter=500, random_state=0).fit(X, y))


def _sparse_coder() -> Estimator:
    from sklearn.decomposition import SparseCoder

    return SparseCoder(dictionary=np.random.default_rng(0).normal(size=(5, 4)))


def _patch_extractor() -> Estimator:
    from sklearn.feature_extraction.image import PatchExtractor

    return PatchExtractor(patch_size=(2, 2), random_state=0)


#: Instances whose generic construction does not fit the data used here.
OVERRIDES: dict[str, Callable[[], Estimator]] = {
    "FrozenEstimator": _frozen,
    "SparseCoder": _sparse_coder,
    "PatchExtractor": _patch_extractor,
}


def _generated(cls: type) -> Estimator | None:
    """The first instance scikit-learn's own test suite builds, if that helper exists."""
    try:
        from sklearn.utils._test_common.instance_generator import _construct_instances
        from sklearn.utils._testing import SkipTest
    except ImportError:
        return None
    try:
        return next(iter(_construct_instances(cls)))
    except (SkipTest, StopIteration, TypeError):
        return None


def _instance(name: str, cls: type) -> Estimator:
    """A fresh instance with every ``random_state`` that is None set to 0."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecated estimators warn when built
        if name in OVERRIDES:
            est = OVERRIDES[name]()
        elif name in FACTORIES:
            est = FACTORIES[name]()
        else:
            generated = _generated(cls)
            # A clone: the generator shares nested instances between calls.
            est = cls() if generated is None else clone(generated)
    params = est.get_params(deep=True)
    seeds = [k for k, v in params.items() if k.rpartition("__")[2] == "random_state" and v is None]
    return est.set_params(**dict.fromkeys(seeds, 0)) if seeds else est


# -- data -----------------------------------------------------------------------------


@cache
def _iris_all() -> tuple[np.ndarray, np.ndarray]:
    data = load_iris()
    return data.data, data.target


@cache
def _diabetes_all() -> tuple[np.ndarray, np.ndarray]:
    data = load_diabetes()
    return data.data, data.target


def _iris(part: int) -> tuple[np.ndarray, np.ndarray]:
    """50 rows of iris (all three classes): part 0 and part 1 share none."""
    X, y = _iris_all()
    return X[part::3], y[part::3]


def _diabetes(part: int) -> tuple[np.ndarray, np.ndarray]:
    X, y = _diabetes_all()
    return X[part::3][:60], y[part::3][:60]


def _fit(est: Estimator, part: int) -> Estimator:
    """Fit on slice ``part`` of the data the estimator's tags ask for."""
    tags = get_tags(est)
    inputs, target = tags.input_tags, tags.target_tags
    X, y = _diabetes(part) if is_regressor(est) else _iris(part)
    if is_classifier(est) and tags.classifier_tags and not tags.classifier_tags.multi_class:
        y = (y == 1).astype(int)
    if not target.single_output:
        second = (X[:, 0] > np.median(X[:, 0])).astype(int) if is_classifier(est) else y / 2
        y = np.column_stack([y, second])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence and other fitting chatter
        # Label encoders learn only which labels occur: slice 1 lacks one.
        if target.one_d_labels:
            return est.fit(y[y < 2] if part else y)
        if target.two_d_labels:
            return est.fit([set(np.flatnonzero(row > np.median(row))) - {part * 3} for row in X])
        if inputs.string and not inputs.two_d_array:
            return est.fit([" ".join(f"f{j}v{round(v)}" for j, v in enumerate(r)) for r in X], y)
        if inputs.dict:
            return est.fit([{f"f{j}": f"v{round(v)}" for j, v in enumerate(r)} for r in X], y)
        if inputs.three_d_array:
            return est.fit(X.reshape(-1, 2, 2), y)
        if inputs.one_d_array and not inputs.two_d_array:
            return est.fit(X[:, 0], y)
        if inputs.pairwise:
            return est.fit(X @ X.T, y)
        return est.fit(X, y)


# -- the sweep ---------------------------------------------------------------------------


def _estimators() -> Iterator[Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = all_estimators()
    for name, cls in found:
        yield pytest.param(name, cls, id=name)


def _same(a: Any, b: Any) -> bool:
    """Structural equality of fitted states, independent of the hashing under test."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    if sp.issparse(a):
        return a.shape == b.shape and (a != b).nnz == 0
    if hasattr(a, "get_params"):
        return _same(_state(a), _state(b)) and _same(a.get_params(), b.get_params())
    try:
        return bool(a == b)
    except Exception:
        return pickle.dumps(a) == pickle.dumps(b)


def _state(est: Estimator) -> dict[str, Any]:
    return fitted_state(est, est.get_params(deep=False))


@pytest.mark.parametrize(("name", "cls"), list(_estimators()))
def test_fitted_state_hashes_by_value(name: str, cls: type) -> None:
    first, again, other = (_fit(_instance(name, cls), part) for part in (0, 0, 1))
    record = describe_value(first)
    assert record.kind == "model", record.summary
    assert "summary_error" not in record.summary
    assert record.summary["fitted"] is True or name in DATA_INDEPENDENT
    json.dumps(record.summary, allow_nan=False)
    assert hash_value(again) == record.hash, "the same seeded fit twice hashes differently"
    if name in DATA_INDEPENDENT:
        assert _same(_state(other), _state(first)), "not data-independent after all"
        assert hash_value(other) == record.hash
    else:
        assert hash_value(other) != record.hash, "a fit on other data hashes the same"
    _use(first)
    assert hash_value(first) == record.hash, "using a fitted model changed its hash"


def _use(est: Estimator) -> None:
    """Call what a notebook calls on a fitted model (a cell doing so re-hashes it)."""
    X = _diabetes(1)[0] if is_regressor(est) else _iris(1)[0]
    for method in ("predict", "predict_proba", "decision_function", "transform", "score_samples"):
        func = getattr(est, method, None)
        if func is None:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                func(X)
            except Exception:  # inputs of another kind (text, labels): nothing to call
                continue


def test_every_estimator_is_covered() -> None:
    """The exception and factory lists only name real estimators (stale entries are noise)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        names = {name for name, _ in all_estimators()}
    assert len(names) > 150
    assert set(DATA_INDEPENDENT) <= names
    assert set(FACTORIES) | set(OVERRIDES) <= names


# -- the regressions of issue 11 -----------------------------------------------------


def test_grid_search_that_chose_another_c_is_not_the_same() -> None:
    searches = [_fit(_grid_search(), part) for part in (0, 1)]
    records = [describe_value(s) for s in searches]
    assert [r.kind for r in records] == ["model", "model"]
    assert isinstance(searches[0].cv_results_["param_C"], np.ma.MaskedArray)
    assert records[0].hash != records[1].hash
    again = _fit(_grid_search(), 0)  # other fit and score timings: the same search
    assert (
        again.cv_results_["mean_fit_time"].tolist()
        != searches[0].cv_results_["mean_fit_time"].tolist()
        or again.refit_time_ != searches[0].refit_time_
    )
    assert hash_value(again) == records[0].hash


def test_predict_does_not_change_a_nearest_neighbours_hash() -> None:
    from sklearn.neighbors import KNeighborsClassifier

    X, y = _iris(0)
    knn = KNeighborsClassifier(algorithm="kd_tree").fit(X, y)
    before = hash_value(knn)
    knn.predict(_iris(1)[0])
    assert hash_value(knn) == before
    X1 = X.copy()
    X1[0, 0] += 0.1  # same labels, other training point: another model
    assert hash_value(KNeighborsClassifier(algorithm="kd_tree").fit(X1, y)) != before


def test_unseeded_cv_splitter_is_reported() -> None:
    from sklearn.model_selection import KFold

    seeded = _grid_search().set_params(estimator__random_state=0)
    assert describe_value(seeded).summary["unseeded_steps"] == []
    shuffled = seeded.set_params(cv=KFold(3, shuffle=True))
    assert describe_value(shuffled).summary["unseeded_steps"] == ["cv"]


def test_thread_counts_are_not_part_of_a_model() -> None:
    from sklearn.cluster import KMeans
    from sklearn.ensemble import HistGradientBoostingClassifier

    X, y = _iris(0)
    kmeans = KMeans(3, n_init=2, random_state=0).fit(X)
    hgb = HistGradientBoostingClassifier(max_iter=5, random_state=0).fit(X, y)
    before = hash_value(kmeans), hash_value(hgb)
    kmeans._n_threads += 7
    hgb._bin_mapper.n_threads += 7
    assert (hash_value(kmeans), hash_value(hgb)) == before


# Fitted identically here and in a child process.
CROSS_PROCESS = textwrap.dedent(
    """
    import warnings
    warnings.simplefilter("ignore")
    from sklearn.datasets import load_iris
    from sklearn.cluster import Birch, KMeans
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.neighbors import KNeighborsClassifier
    X, y = load_iris(return_X_y=True)
    docs = [" ".join(f"f{j}v{round(v)}" for j, v in enumerate(r)) for r in X]
    models = {
        "grid": GridSearchCV(LogisticRegression(max_iter=500), {"C": [0.1, 10.0]}, cv=3),
        "knn": KNeighborsClassifier(algorithm="ball_tree"),
        "kmeans": KMeans(3, n_init=2, random_state=0),
        "hgb": HistGradientBoostingClassifier(max_iter=5, random_state=0),
        "birch": Birch(n_clusters=3),
        "isotonic": IsotonicRegression(),
    }
    fitted = {k: m.fit(X[:, :1] if k == "isotonic" else X, y) for k, m in models.items()}
    fitted["text"] = CountVectorizer(stop_words=["f0v5", "f1v3"]).fit(docs)
    """
)


def test_fitted_models_hash_equal_across_processes() -> None:
    script = CROSS_PROCESS + textwrap.dedent(
        """
        import json
        from nbtrail.capture.values import describe_value
        print(json.dumps({k: describe_value(v).hash for k, v in fitted.items()}))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    namespace: dict[str, Any] = {}
    exec(CROSS_PROCESS, namespace)
    ours = {k: describe_value(v) for k, v in namespace["fitted"].items()}
    assert all(r.kind == "model" for r in ours.values()), ours
    assert {k: r.hash for k, r in ours.items()} == json.loads(out)


def test_user_estimators_are_models() -> None:
    from sklearn.base import BaseEstimator, RegressorMixin

    class MeanRegressor(RegressorMixin, BaseEstimator):
        def __init__(self, shrink: float = 0.0) -> None:
            self.shrink = shrink

        def fit(self, X: np.ndarray, y: np.ndarray) -> MeanRegressor:
            self.mean_ = float(np.mean(y)) * (1 - self.shrink)
            return self

    X, y = _diabetes(0)
    record = describe_value(MeanRegressor().fit(X, y))
    assert record.kind == "model" and record.summary["fitted"] is True
    assert record.hash == hash_value(MeanRegressor().fit(X, y))
    assert record.hash != hash_value(MeanRegressor().fit(*_diabetes(1)))
    assert record.hash != hash_value(MeanRegressor(shrink=0.5).fit(X, y))


def test_scorers_and_score_functions_by_value() -> None:
    from functools import partial

    from sklearn.feature_selection import SelectKBest, mutual_info_classif
    from sklearn.metrics import f1_score, fbeta_score, make_scorer

    def search(scoring: Any) -> Estimator:
        return _fit(_grid_search().set_params(scoring=scoring, estimator__random_state=0), 0)

    scored = [search(make_scorer(f1_score, average="macro")) for _ in range(2)]
    other = search(make_scorer(fbeta_score, beta=2, average="macro"))
    records = [describe_value(s) for s in (*scored, other)]
    assert {r.kind for r in records} == {"model"}
    assert records[0].hash == records[1].hash != records[2].hash

    X, y = _iris(0)
    selectors = [
        SelectKBest(partial(mutual_info_classif, random_state=seed), k=2).fit(X, y)
        for seed in (0, 0, 1)
    ]
    hashes = [hash_value(s) for s in selectors]
    assert hashes[0] == hashes[1] != hashes[2]
