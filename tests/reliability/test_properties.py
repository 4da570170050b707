"""Property tests: the %%track parser, canonical value hashing, the store round trip."""

from __future__ import annotations

import shlex
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from IPython.core.error import UsageError

from nbtrail.capture.hashing import content_hash
from nbtrail.magics import parse_track_line
from nbtrail.records import Binding, Metric, Param, Run, parse_tag
from nbtrail.store import open_store

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip

words = st.text(alphabet=string.ascii_letters + string.digits + " _-.=/'\"", min_size=1)


@SETTINGS
@given(st.text(max_size=200))
def test_any_track_line_parses_or_is_a_usage_error(line: str) -> None:
    try:
        options = parse_track_line(line)
    except UsageError:
        return
    assert isinstance(options.params, dict) and isinstance(options.tags, dict)


@SETTINGS
@given(
    name=st.one_of(st.none(), words.filter(lambda w: not w.startswith("-"))),
    tags=st.lists(words.filter(lambda w: not w.startswith("-")), max_size=3),
    params=st.dictionaries(
        st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True),
        st.text(alphabet=string.ascii_lowercase + " ", max_size=10).filter(
            lambda v: v.strip() not in ("true", "false")
        ),
        max_size=3,
    ),
)
def test_quoted_arguments_round_trip(
    name: str | None, tags: list[str], params: dict[str, str]
) -> None:
    parts = [] if name is None else [shlex.quote(name)]
    parts += [f"-t {shlex.quote(tag)}" for tag in tags]
    parts += [f"-p {shlex.quote(f'{k}={v}')}" for k, v in params.items()]
    options = parse_track_line(" ".join(parts))
    assert options.name == name
    assert options.tags == dict(parse_tag(tag) for tag in tags)
    assert options.params == params


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20),
    st.binary(max_size=20),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=5), inner, max_size=4),
    ),
    max_leaves=12,
)


@SETTINGS
@given(values)
def test_equal_values_hash_equal_and_copies_agree(value: object) -> None:
    import copy

    first = content_hash(value)
    assert first == content_hash(copy.deepcopy(value))
    assert first.hash is None or len(first.hash) == 32


@SETTINGS
@given(st.lists(values, min_size=2, max_size=2, unique_by=repr))
def test_different_plain_values_hash_differently(pair: list[object]) -> None:
    a, b = pair
    if a == b:  # 1 == 1.0 == True: equal by Python, allowed to differ or agree
        return
    assert content_hash(a).hash != content_hash(b).hash or (a, b) == (b, a)


json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**53), 2**53),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=20),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
text = st.text(max_size=40)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        opened = open_store(str(tmp_path_factory.mktemp("props") / ".nbtrail"))
    else:
        cluster = request.getfixturevalue("pg_cluster")
        opened = open_store(cluster.url(cluster.new_database()))
    yield opened
    opened.close()


@SETTINGS
@given(
    n=st.integers(0, 2**40),
    name=text,
    source=text,
    params=st.dictionaries(st.text(min_size=1, max_size=8), json_values, max_size=3),
    metrics=st.lists(st.floats(allow_nan=False), max_size=3),
    summary=st.dictionaries(st.text(max_size=5), json_values, max_size=3),
    extra=st.dictionaries(st.text(max_size=5), json_values, max_size=3),
)
def test_the_store_gives_back_what_it_was_given(  # type: ignore[no-untyped-def]
    store, n, name, source, params, metrics, summary, extra
) -> None:
    run = Run(
        id=f"{n:012x}{n % 997:010x}", name=name, status="finished", started=1.5, ended=2.5,
        source=source, source_hash="h",
        params=tuple(Param(k, v) for k, v in params.items()),
        metrics=tuple(Metric("m", v, i, 1.0) for i, v in enumerate(metrics)),
        bindings=(Binding("x", "in", "scalar", "0" * 32, summary),),
        extra=extra,
    )  # fmt: skip
    store.save_run(run)
    back = store.get_run(run.id)
    assert (back.name, back.source, back.extra) == (run.name, run.source, run.extra)
    assert back.params == run.params and back.metrics == run.metrics
    assert back.bindings == run.bindings
