"""The filter language means the same in SQL and in Python (gates, widgets)."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nbtrail.records import Metric, Param, Run, RunQuery
from nbtrail.store import Store, open_store
from nbtrail.store.filter_match import Facts, matcher
from nbtrail.store.sqlite import SQLiteStore

VALUES = st.sampled_from([0.05, 0.5, 1, 10, "0.05", "rbf", "RBF", "linear", True, None, "a_b"])
KEYS = st.sampled_from(["lr", "kernel", "C"])


@st.composite
def runs(draw: st.DrawFn) -> list[Run]:
    made = []
    for n in range(draw(st.integers(1, 6))):
        params = draw(st.dictionaries(KEYS, VALUES, max_size=3))
        metrics = draw(
            st.dictionaries(
                st.sampled_from(["acc", "loss"]),
                st.sampled_from([0.5, 0.9, 1.0, math.nan]),
                max_size=2,
            )
        )
        tags = draw(
            st.dictionaries(
                st.sampled_from(["stage", "owner"]),
                st.sampled_from(["", "candidate", "Ana"]),
                max_size=2,
            )
        )
        made.append(Run(
            id=f"{n + 1:012x}{'0' * 10}", name=draw(st.sampled_from(["forest", "Forest-2", "lr"])),
            status=draw(st.sampled_from(["finished", "failed"])), started=1.7e9 + n,
            ended=draw(st.sampled_from([None, 1.7e9 + n + 5])),
            notebook=draw(st.sampled_from([None, "a.ipynb"])),
            params=tuple(Param(k, v) for k, v in params.items()),
            metrics=tuple(Metric(k, v) for k, v in metrics.items()), tags=tags,
        ))  # fmt: skip
    return made


CONDITIONS = st.sampled_from([
    "params.lr = 0.05", "params.lr = '0.05'", "params.lr > 0.1", "params.kernel != 'rbf'",
    "params.kernel ILIKE 'r%'", "params.kernel LIKE 'r%'", "params.C IN (1, 10)",
    "params.kernel NOT IN ('rbf', 'linear')", "params.C IS NULL", "params.lr = true",
    "metrics.acc >= 0.9", "metrics.loss IS NOT NULL", "metrics.acc != 0.5",
    "tags.stage = 'candidate'", "tags.owner IS NULL", "tags.stage != ''",
    "name LIKE 'F%'", "name ILIKE 'f%'", "status = 'failed'", "notebook = 'a.ipynb'",
    "notebook != 'a.ipynb'", "duration > 1", "ended IS NULL", "forest", "ana", "'a_b'",
])  # fmt: skip


@st.composite
def filters(draw: st.DrawFn, depth: int = 0) -> str:
    if depth > 1 or draw(st.booleans()):
        return draw(CONDITIONS)
    left, right = draw(filters(depth + 1)), draw(filters(depth + 1))
    shape = draw(st.sampled_from(["{} AND {}", "{} OR {}", "NOT ({})", "({}) {}"]))
    return shape.format(left, right) if shape.count("{}") == 2 else shape.format(left)


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], Store]:
    """A new, empty store for each example (PostgreSQL: one database, emptied)."""
    if request.param == "sqlite":
        return lambda: SQLiteStore(tmp_path / f".nbtrail-{uuid.uuid4().hex}")
    url = str(request.getfixturevalue("pg_url"))
    open_store(url).close()  # set up once
    conn = psycopg.connect(url, autocommit=True)
    request.addfinalizer(conn.close)

    def emptied() -> Store:
        conn.execute("DELETE FROM runs")
        return open_store(url)

    return emptied


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(made=runs(), expression=filters())
def test_sql_and_python_select_the_same_runs(
    fresh: Callable[[], Store], made: list[Run], expression: str
) -> None:
    store = fresh()
    for run in made:
        store.save_run(run)
    in_sql = {r.id for r in store.list_runs(RunQuery(filter=expression))}
    predicate = matcher(expression)
    in_python = {run.id for run in made if predicate(Facts.of_run(run))}
    store.close()
    assert in_sql == in_python, expression
