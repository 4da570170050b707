"""Hashing values that are not data: code, modules, estimators, and the last
resort for everything else (the reduce protocol, then a pickle).

User code is hashed by its source, installed code by its qualified name (the
environment snapshot pins its version); estimators by class, parameters and
fitted state. Figures are in ``hash_figures``.
"""

from __future__ import annotations

import inspect
import os
import pickle
import sys
import sysconfig
import types
from typing import TYPE_CHECKING, Any

from nbtrail.capture._hash_base import Unhashable, _Capped, qualified_name

if TYPE_CHECKING:
    from nbtrail.capture._stream import Stream

__all__ = [
    "feed_callable",
    "feed_estimator",
    "feed_linked_node",
    "feed_module",
    "feed_neighbors_tree",
    "feed_reduced",
    "fitted_state",
    "is_callable_definition",
    "is_estimator",
    "is_linked_node",
    "is_neighbors_tree",
]


# -- code and modules -------------------------------------------------------------


def _library_roots() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    return tuple(os.path.realpath(paths[k]) for k in ("stdlib", "platstdlib", "purelib", "platlib"))


def _is_library_code(obj: Any) -> bool:
    """Installed or built-in code is identified by name; the environment pins its version."""
    module = sys.modules.get(getattr(obj, "__module__", "") or "")
    file = getattr(module, "__file__", None)
    if module is None or file is None:
        return module is not None and module.__name__ != "__main__"
    return os.path.realpath(file).startswith(_library_roots())


def _feed_code(s: Stream, code: types.CodeType) -> None:
    s.tag("code")
    s.blob(code.co_code)
    s.uint(len(code.co_consts))
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            _feed_code(s, const)
        else:
            s.value(const)
    s.value(code.co_names)


def feed_callable(s: Stream, obj: Any) -> None:
    """User code by its source (or bytecode); library code by its qualified name."""
    s.tag("callable")
    s.text(qualified_name(obj))
    if isinstance(obj, types.MethodType):
        feed_callable(s, obj.__func__)
        s.value(obj.__self__)
        return
    if _is_library_code(obj):
        return
    try:
        s.tag("source")
        s.text(inspect.getsource(obj))
    except (OSError, TypeError):
        code = getattr(obj, "__code__", None)
        if code is None:
            raise Unhashable(f"no source or code for {qualified_name(obj)}") from None
        _feed_code(s, code)


def is_callable_definition(obj: Any) -> bool:
    """Functions, methods, classes and named callables (numpy ufuncs, dispatchers)."""
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType, types.MethodType, type)):
        return True
    return callable(obj) and isinstance(getattr(obj, "__qualname__", None), str)


def feed_module(s: Stream, obj: types.ModuleType) -> None:
    s.tag("module")
    s.text(obj.__name__)
    s.text(str(getattr(obj, "__version__", "")))


# -- estimators and figures ------------------------------------------------------


def is_estimator(obj: Any) -> bool:
    """A scikit-learn estimator instance (or a subclass of one), without importing sklearn."""
    return (
        not isinstance(obj, type)
        and hasattr(obj, "get_params")
        and any(c.__module__.startswith("sklearn") for c in type(obj).__mro__)
    )


#: Instance attributes that say how a fit ran (its duration, thread count, an
#: object's address, the library version) or cache what it learned (filled by
#: the first ``transform``), not what it learned: never hashed.
VOLATILE_STATE = frozenset(
    {"refit_time_", "_n_threads", "_stop_words_id", "_sklearn_version", "_cached_dict"}
)
#: Parameters sklearn sets from the machine on its internal estimators (the
#: histogram binner's thread count): left out of the params.
VOLATILE_PARAMS = frozenset({"n_threads"})
#: Timing columns of a search's ``cv_results_``.
VOLATILE_CV_RESULTS = frozenset(
    {"mean_fit_time", "std_fit_time", "mean_score_time", "std_score_time"}
)


def feed_estimator(s: Stream, est: Any) -> None:
    """Class, constructor params (nested estimators recurse) and fitted state."""
    s.tag("estimator")
    s.text(qualified_name(type(est)))
    params = dict(est.get_params(deep=False))
    s.value({k: v for k, v in params.items() if k not in VOLATILE_PARAMS})
    s.value(fitted_state(est, params))


def fitted_state(est: Any, params: dict[str, Any]) -> dict[str, Any]:
    """What fitting left on ``est``: its pickled state less params and volatile facts.

    The pickled state (``__getstate__``) is what a saved model keeps, private
    attributes included: a nearest-neighbours model's training data lives in
    ``_fit_X``, and estimators drop rebuildable caches from it (isotonic's
    ``f_``).
    """
    try:
        state = est.__getstate__()
    except Exception:
        state = None
    if not isinstance(state, dict):
        state = dict(vars(est))
    fitted = {k: v for k, v in state.items() if k not in params and k not in VOLATILE_STATE}
    results = fitted.get("cv_results_")
    if isinstance(results, dict):
        fitted["cv_results_"] = {k: v for k, v in results.items() if k not in VOLATILE_CV_RESULTS}
    return fitted


def is_neighbors_tree(obj: Any) -> bool:
    """sklearn's KDTree and BallTree (held by fitted nearest-neighbour models)."""
    return type(obj).__module__ in ("sklearn.neighbors._kd_tree", "sklearn.neighbors._ball_tree")


#: Positions of a KD/ball tree's pickled state that count distance calls, trims,
#: leaves and splits made by queries since it was built: usage, not the tree.
_TREE_COUNTERS = slice(7, 11)


def feed_neighbors_tree(s: Stream, tree: Any) -> None:
    """The tree's pickled state without its query counters (a predict changes those)."""
    state = list(tree.__getstate__())
    del state[_TREE_COUNTERS]
    s.tag("neighbors-tree")
    s.text(qualified_name(type(tree)))
    s.value(state)


#: Classes whose instances also link to their neighbours (not their parts): those
#: links are left out, or hashing would walk a whole linked list depth-first.
SIDE_LINKS = {"sklearn.cluster._birch._CFNode": frozenset({"prev_leaf_", "next_leaf_"})}


def is_linked_node(obj: Any) -> bool:
    """A node of a linked structure known to :data:`SIDE_LINKS` (Birch's CF tree)."""
    return qualified_name(type(obj)) in SIDE_LINKS


def feed_linked_node(s: Stream, node: Any) -> None:
    """The node's attributes (its children included) but not its side links."""
    name = qualified_name(type(node))
    s.tag("node")
    s.text(name)
    s.value({k: v for k, v in vars(node).items() if k not in SIDE_LINKS[name]})


# -- everything else: reduce, then pickle ----------------------------------------


def feed_reduced(s: Stream, obj: Any) -> None:
    """Objects without a known encoding: their reduce tuple, else (opaquely) a pickle."""
    child = s.sub()
    try:
        _feed_reduce_tuple(child, obj)
    except _Capped:
        raise
    except Exception as reduce_error:
        _feed_pickle(s, obj, reduce_error)
        return
    s.tag("reduce")
    s.raw(child.digest())


def _feed_reduce_tuple(s: Stream, obj: Any) -> None:
    reduced = obj.__reduce_ex__(5)
    s.text(qualified_name(type(obj)))
    if isinstance(reduced, str):
        s.tag("global")
        s.text(reduced)
        return
    func, args, *rest = reduced
    s.text(qualified_name(func))
    s.value(args)
    state, list_items, dict_items = [*rest, None, None, None][:3]
    s.value(state)
    s.value(None if list_items is None else list(list_items))
    s.value(None if dict_items is None else dict(dict_items))


def _feed_pickle(s: Stream, obj: Any, reduce_error: Exception) -> None:
    name = qualified_name(type(obj))
    try:
        data = pickle.dumps(obj, protocol=5)
    except Exception as exc:
        raise Unhashable(f"{name}: {type(exc).__name__}: {exc}") from reduce_error
    s.shared.opaque.append(f"{name}: pickled")
    s.tag("pickle")
    s.blob(data)
