"""Promotion gates (a reproduced run, --verify, --require, --force) and alias history."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from model_helpers import Trained
from nbtrail.cli import main
from nbtrail.errors import PromotionRefused
from nbtrail.models import aliases, registry
from nbtrail.records import AliasEvent
from nbtrail.store import Store

pytestmark = pytest.mark.kernel


def cli(trained: Trained, *args: str) -> int:
    return main(["--store", str(trained.store_path), *args])


def test_promotion_refused_without_a_reproduced_run_then_verified_then_gated(
    trained: Trained, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    registry.register(store, trained.runs["logistic"].id, "iris-gate")
    registry.register(store, trained.runs["logistic"].id, "iris-gate")
    # Never re-run: refused, one line, nothing recorded.
    assert cli(trained, "models", "promote", "iris-gate", "1", "production") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "was never re-run" in err and "--verify" in err
    assert store.alias_events("iris-gate") == []

    # --force skips the gate and says so in the event.
    assert cli(trained, "models", "promote", "iris-gate", "1", "staging", "--force") == 0
    (forced,) = store.alias_events("iris-gate", "staging")
    assert forced.forced and forced.version == 1 and forced.who
    assert [(g.gate, g.passed) for g in forced.gates] == [("reproduced", False)]

    # --verify re-runs the notebook now (papermill, a real kernel) and promotes.
    assert cli(trained, "models", "promote", "iris-gate", "1", "production", "--verify") == 0
    (verified,) = store.alias_events("iris-gate", "production")
    assert not verified.forced
    assert [(g.gate, g.passed) for g in verified.gates] == [("verify", True)]
    assert "reproduced" in verified.gates[0].detail
    reproductions = store.list_reproductions(trained.runs["logistic"].id)
    assert reproductions and reproductions[0].verdict == "reproduced"

    # The run is reproduced now: version 2 (same run) passes the default gate,
    # and --require conditions are checked against its metrics and params.
    capsys.readouterr()
    too_high = "metrics.accuracy >= 0.999"
    assert cli(trained, "models", "promote", "iris-gate", "2", "production", "--require",
               too_high) == 1  # fmt: skip
    assert "metrics.accuracy >= 0.999: metrics.accuracy is 0.97" in capsys.readouterr().err
    assert len(store.alias_events("iris-gate", "production")) == 1
    ok = "metrics.accuracy >= 0.9 AND params.C = 1"
    assert cli(trained, "models", "promote", "iris-gate", "2", "production", "--require", ok) == 0
    moved = store.alias_events("iris-gate", "production")[-1]
    assert (moved.version, moved.previous) == (2, 1)
    gates = [g.gate for g in moved.gates]
    assert gates == ["reproduced", "metrics.accuracy >= 0.9", "params.C = 1"]
    assert all(g.passed for g in moved.gates)
    assert registry.resolve(store, "models:/iris-gate@production").version == 2

    # The whole story stays: history lists every move with its gates.
    capsys.readouterr()
    assert cli(trained, "models", "history", "iris-gate", "--json") == 0
    events = [AliasEvent.from_dict(e) for e in json.loads(capsys.readouterr().out)]
    assert [(e.alias, e.version, e.forced) for e in events] == [
        ("staging", 1, True), ("production", 1, False), ("production", 2, False)
    ]  # fmt: skip


def test_a_failed_gate_raises_in_python_too(trained: Trained, store: Store) -> None:
    run = trained.runs["spreading"].id
    version = registry.register(store, run, "iris-python-gate", "spreading")
    with pytest.raises(PromotionRefused, match=r"metrics\.accuracy > 2: the run has no metric"):
        aliases.promote(store, "iris-python-gate", "production", version.version,
                        require="metrics.accuracy > 2")  # fmt: skip
    assert store.alias_events("iris-python-gate") == []


def _at(day: str) -> float:
    return dt.datetime.fromisoformat(day).timestamp()


def test_history_at_a_date_says_what_each_alias_was(
    trained: Trained, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    for _ in range(3):
        registry.register(store, trained.runs["forest"].id, "iris-history")
    moves = [
        ("2026-10-20T09:00", "production", 1),
        ("2026-10-25T12:00", "staging", 2),
        ("2026-11-01T15:30", "production", 2),
        ("2026-11-03T08:00", "production", 3),
    ]
    for when, alias, version in moves:
        store.add_alias_event(AliasEvent("iris-history", alias, version, None, _at(when), "ana"))

    def history_at(*args: str) -> list[tuple[str, int]]:
        assert cli(trained, "models", "history", "iris-history", *args, "--json") == 0
        return [(e["alias"], e["version"]) for e in json.loads(capsys.readouterr().out)]

    # "What was production on 1 November?" (the end of that day): version 2.
    assert history_at("--at", "2026-11-01", "--alias", "production") == [("production", 2)]
    assert history_at("--at", "2026-11-01T12:00") == [("production", 1), ("staging", 2)]
    assert history_at("--at", "2026-10-01") == []
    assert [v for _, v in history_at("--alias", "production")] == [1, 2, 3]
    assert aliases.current_version(store, "iris-history", "production") == 3
    assert cli(trained, "models", "history", "iris-history", "--at", "1 Nov") == 1
    assert "not a date" in capsys.readouterr().err
