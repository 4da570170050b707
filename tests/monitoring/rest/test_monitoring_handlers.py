"""``GET monitoring/{name}/{version}`` through a real server over a real store and log."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

import nbtrail
from monitoring.registered import now, register, table, write_log  # type: ignore[import-not-found]
from nbtrail.serving.layout import day_of, log_root
from nbtrail.store import Store


async def fetch(jp_fetch: Any, *path: str, **kwargs: Any) -> Any:
    return json.loads((await jp_fetch("nbtrail", "api", *path, **kwargs)).body)


async def error_of(jp_fetch: Any, *path: str, **kwargs: Any) -> tuple[int, str]:
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("nbtrail", "api", *path, **kwargs)
    assert info.value.response is not None
    return info.value.code, json.loads(info.value.response.body)["message"]


async def test_traffic_drift_and_labels_of_a_served_version(jp_fetch: Any, store: Store) -> None:
    version = register(store)
    log_dir = log_root(store)
    yesterday, today = now() - 86_400, now()
    write_log(log_dir, version, table(1_000, 2), at=yesterday, errors=2)
    ids = write_log(log_dir, version, table(1_000, 3).assign(age=lambda f: f["age"] * 1.6),
                    at=today)  # fmt: skip
    nbtrail.log_labels(ids, [0] * len(ids), store=store)

    body = await fetch(jp_fetch, "monitoring", "credit", "1", params={"since": "2d"})
    assert [t["day"] for t in body["traffic"]] == [day_of(yesterday), day_of(today)]
    assert [(t["requests"], t["errors"]) for t in body["traffic"]] == [(22, 2), (20, 0)]
    assert body["traffic"][1]["p50_ms"] == 3.0
    assert [(t["drifted"], t["drifted_columns"]) for t in body["traffic"]] == [
        (False, []),
        (True, ["age"]),
    ]
    assert body["drift"]["drifted"] is True and body["drift_error"] is None
    assert [c["name"] for c in body["drift"]["columns"] if c["drifted"]] == ["age"]
    assert [(row["day"], row["metric"], row["rows"]) for row in body["labels"]] == [
        (day_of(today), "accuracy", 1_000)
    ]

    recent = await fetch(jp_fetch, "monitoring", "credit", "1", params={"since": "1h"})
    assert [t["day"] for t in recent["traffic"]] == [day_of(today)]


async def test_a_version_never_served_or_unknown(jp_fetch: Any, store: Store) -> None:
    register(store)
    body = await fetch(jp_fetch, "monitoring", "credit", "1")
    assert body["traffic"] == [] and body["drift"] is None and body["labels"] == []
    assert body["drift_error"] == "no logged requests for models:/credit/1"
    code, message = await error_of(jp_fetch, "monitoring", "nope", "1")
    assert code == 404 and message.startswith("no registered model 'nope'")
    code, message = await error_of(jp_fetch, "monitoring", "credit", "1", params={"since": "x"})
    assert code == 400 and message.startswith("not a time: 'x'")


async def test_the_monitoring_route_is_authenticated(jp_fetch: Any, store: Store) -> None:
    register(store)
    code, _ = await error_of(jp_fetch, "monitoring", "credit", "1", headers={"Authorization": ""})
    assert code == 403
