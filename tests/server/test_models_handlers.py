"""The model registry's REST routes through a real server over a real store."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from nbtrail.records import AliasEvent, Metric, ModelVersion, Param, Reproduction, Run
from nbtrail.server.handlers import NbtrailHandler
from nbtrail.server.models_handlers import HANDLERS
from nbtrail.store import Store

T0 = 1_700_000_000.0
RUN = f"{int(T0 * 1000):012x}{1:010x}"


def registered(store: Store, versions: int = 2) -> None:
    store.save_run(Run(id=RUN, name="train", status="finished", started=T0, source="fit()",
                       source_hash="s", params=(Param("C", 1.0),),
                       metrics=(Metric("accuracy", 0.97, None, T0),)))  # fmt: skip
    for _ in range(versions):
        store.add_model_version(ModelVersion(
            name="iris", version=0, run=RUN, binding="pipe", model_hash="h", object="0" * 32,
            class_name="sklearn.pipeline.Pipeline", created=T0,
            lineage={"params": {"C": 1.0}, "metrics": {"accuracy": 0.97}},
        ))  # fmt: skip


async def fetch_json(jp_fetch: Any, *path: str, **kwargs: Any) -> Any:
    response = await jp_fetch("nbtrail", "api", *path, **kwargs)
    return json.loads(response.body)


async def error_of(jp_fetch: Any, *path: str, **kwargs: Any) -> tuple[int, str]:
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("nbtrail", "api", *path, **kwargs)
    assert info.value.response is not None
    return info.value.code, json.loads(info.value.response.body)["message"]


def promote_body(**fields: Any) -> dict[str, Any]:
    return {"method": "POST", "body": json.dumps(fields)}


async def test_list_detail_version(jp_fetch: Any, store: Store) -> None:
    registered(store)
    assert await fetch_json(jp_fetch, "models") == [
        {"name": "iris", "versions": 2, "latest": 2, "aliases": {}}
    ]
    detail = await fetch_json(jp_fetch, "models", "iris")
    assert [v["uri"] for v in detail["versions"]] == ["models:/iris/1", "models:/iris/2"]
    version = await fetch_json(jp_fetch, "models", "iris", "versions", "2")
    assert (version["run"], version["aliases"]) == (RUN, [])
    code, message = await error_of(jp_fetch, "models", "nope")
    assert code == 404 and message.startswith("no registered model 'nope' in ")
    code, message = await error_of(jp_fetch, "models", "iris", "versions", "9")
    assert (code, message) == (404, "model 'iris' has no version 9 (versions: 1, 2)")


async def test_promote_gates_and_history(jp_fetch: Any, store: Store) -> None:
    registered(store)
    code, message = await error_of(
        jp_fetch, "models", "iris", "aliases", **promote_body(alias="production", version=1)
    )
    assert code == 409 and "was never re-run" in message
    assert store.alias_events("iris") == []

    body = promote_body(alias="production", version=1, force=True)
    forced = await fetch_json(jp_fetch, "models", "iris", "aliases", **body)
    assert forced["forced"] is True and forced["previous"] is None

    store.save_reproduction(Reproduction("b" * 22, RUN, "reproduced", T0 + 5))
    moved = await fetch_json(jp_fetch, "models", "iris", "aliases", **promote_body(
        alias="production", version=2, require="metrics.accuracy >= 0.95"))  # fmt: skip
    assert (moved["forced"], moved["previous"], moved["version"]) == (False, 1, 2)
    assert [g["passed"] for g in moved["gates"]] == [True, True]

    code, message = await error_of(jp_fetch, "models", "iris", "aliases", **promote_body(
        alias="production", version=1, require="metrics.accuracy > 0.99"))  # fmt: skip
    assert code == 409 and "metrics.accuracy is 0.97" in message
    for bad in ({"alias": "x"}, {"alias": "x", "version": 1, "verify": True},
                {"alias": "x", "version": 1, "require": "acc > 1"}):  # fmt: skip
        code, _ = await error_of(jp_fetch, "models", "iris", "aliases", method="POST",
                                 body=json.dumps(bad))  # fmt: skip
        assert code == 400
    assert len(store.alias_events("iris")) == 2

    history = await fetch_json(jp_fetch, "models", "iris", "history")
    assert [(e["version"], e["forced"]) for e in history] == [(1, True), (2, False)]
    detail = await fetch_json(jp_fetch, "models", "iris")
    assert detail["aliases"]["production"]["version"] == 2


async def test_history_at_a_date(jp_fetch: Any, store: Store) -> None:
    registered(store, versions=3)
    for day, version in (("2026-10-20", 1), ("2026-11-01", 2), ("2026-11-03", 3)):
        when = dt.datetime.fromisoformat(f"{day}T12:00").timestamp()
        store.add_alias_event(AliasEvent("iris", "production", version, None, when, "ana"))
    then = await fetch_json(jp_fetch, "models", "iris", "history", params={"at": "2026-11-02"})
    assert [(e["alias"], e["version"]) for e in then] == [("production", 2)]
    detail = await fetch_json(jp_fetch, "models", "iris", params={"at": "2026-10-31"})
    assert detail["aliases"]["production"]["version"] == 1
    code, _ = await error_of(jp_fetch, "models", "iris", "history", params={"at": "soon"})
    assert code == 400


async def test_every_models_handler_is_authenticated(jp_fetch: Any, store: Store) -> None:
    for pattern, cls in HANDLERS:
        path = re.sub(r"\([^)]*\)", "1", pattern)
        for method in ("get", "post", "put", "patch", "delete"):
            if getattr(cls, method) is getattr(NbtrailHandler, method):
                continue
            assert hasattr(getattr(cls, method), "__wrapped__"), f"{cls.__name__}.{method}"
            code, _ = await error_of(jp_fetch, *path.split("/"), method=method.upper(),
                                     headers={"Authorization": ""}, body=None if method ==
                                     "get" else "{}", allow_nonstandard_methods=True)  # fmt: skip
            assert code == 403, f"{method.upper()} {path}"
