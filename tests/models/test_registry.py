"""Registering the models of runs a real kernel made; loading them by version and alias."""

from __future__ import annotations

import pytest

from model_helpers import Trained
from nbtrail.cli import main
from nbtrail.errors import ModelError, ModelNotFound
from nbtrail.models import registry
from nbtrail.models.aliases import promote
from nbtrail.store import Store

pytestmark = pytest.mark.kernel


def test_the_tracker_keeps_written_models_and_log_model_adds_an_example(trained: Trained) -> None:
    logistic, forest, spreading = (trained.runs[n] for n in ("logistic", "forest", "spreading"))
    kept = logistic.extra["models"]["pipe"]
    assert kept["class"] == "sklearn.pipeline.Pipeline"
    x_binding = next(b for b in logistic.bindings if b.name == "X")
    assert kept["columns"] == [c["name"] for c in x_binding.summary["columns"]]
    model_binding = next(b for b in logistic.bindings if b.name == "pipe")
    assert (model_binding.kind, kept["hash"]) == ("model", model_binding.hash)
    # saved with skops after the cell, found by the model's value hash
    assert kept["kept"] == "background" and "object" not in kept
    opened = trained.open()
    found = opened.kept_model(kept["hash"])
    opened.close()
    assert found is not None and found.object and found.error is None
    assert forest.extra["models"]["forest"]["logged"] is True
    assert forest.extra["models"]["forest"]["input_example"]
    assert set(spreading.extra["models"]) == {"spreading"}  # the DataFrame is no model


def test_register_by_run_name_and_displayed_id_versions_increase(
    trained: Trained, store: Store
) -> None:
    logistic = trained.runs["logistic"]
    first = registry.register(store, logistic.id[-8:], "iris-clf")  # the id as displayed
    second = registry.register(store, "logistic", "iris-clf", "pipe", description="again")
    assert (first.version, second.version) == (1, 2)
    assert first.run == logistic.id and first.binding == "pipe"
    # a name means its newest run (a --verify re-run elsewhere may have made one)
    assert second.run == store.resolve_run_id("logistic")
    assert first.lineage["params"]["C"] == 1.0
    assert first.lineage["metrics"]["accuracy"] > 0.9
    assert first.lineage["env_hash"] == logistic.env_hash
    assert first.lineage["notebook_snapshot"] == logistic.extra["notebook"]["hash"]
    assert [d["name"] for d in first.lineage["training_data"]] == ["X", "y"]
    assert registry.resolve(store, "iris-clf").version == 2  # a bare name: the latest


def test_load_by_version_and_alias_predicts_like_the_original(
    trained: Trained, store: Store
) -> None:
    from sklearn.datasets import load_iris

    version = registry.register(store, trained.runs["logistic"].id, "iris-load")
    promote(store, "iris-load", "champion", version.version, force=True)
    X, y = load_iris(return_X_y=True, as_frame=True)
    by_version = registry.load(store, "models:/iris-load/1")
    by_alias = registry.load(store, "models:/iris-load@champion")
    assert (by_version.predict(X) == by_alias.predict(X)).all()
    assert by_version.score(X, y) == trained.runs["logistic"].latest_metrics()["accuracy"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["models", "show", "models:/nope/1"], "no registered model 'nope'"),
        (["models", "load", "models:/iris-bad/7"], "has no version 7"),
        (["models", "load", "models:/iris-bad@production"], "has no alias 'production'"),
        (["models", "register", "logistic", "iris-bad", "--model", "forest"],
         "wrote no variable 'forest'"),
        (["models", "register", "spreading", "iris-bad", "--model", "table"],
         "'table' of run .* is a dataframe, not a fitted model"),
        (["models", "register", "@last~99", "iris-bad"], "run"),
        (["models", "promote", "iris-bad", "1", "production", "--require", "acc > 1"],
         "unknown attribute 'acc' at position 1"),
        (["models", "history", "nope"], "no registered model 'nope'"),
        (["models", "package", "models:/iris-bad/1", "--format", "onnx", "--out", "OUT"],
         "cannot convert .*LabelSpreading"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_exit_1_and_writes_nothing(
    trained: Trained, store: Store, capsys: pytest.CaptureFixture[str], args: list[str],
    message: str,
) -> None:  # fmt: skip
    import re

    if not store.list_model_versions("iris-bad"):
        registry.register(store, trained.runs["spreading"].id, "iris-bad", "spreading")
    out = trained.folder / "bad-out"
    args = [str(out) if a == "OUT" else a for a in args]
    before = (store.list_model_versions(), store.alias_events("iris-bad"), store.revision())
    code = main(["--store", str(trained.store_path), *args])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("nbtrail: error: ")
    assert re.search(message, err), err
    after = (store.list_model_versions(), store.alias_events("iris-bad"), store.revision())
    assert after == before
    assert not out.exists() or not any(out.iterdir())


def test_the_python_api_raises_typed_errors(trained: Trained, store: Store) -> None:
    with pytest.raises(ModelNotFound, match="not a model reference"):
        registry.resolve(store, "not a uri!")
    with pytest.raises(ModelError, match="wrote no variable 'X'"):  # X is an input of the run
        registry.register(store, trained.runs["logistic"].id, "x", "X")
    assert store.list_model_versions("x") == []
