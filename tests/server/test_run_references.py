"""``GET runs/{reference}`` takes what the sidebar displays, names and @last (real server)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from nbtrail.records import Run
from nbtrail.store import Store

T0 = 1_800_000_000.0
STAMP = f"{int(T0 * 1000):012x}"


def add(store: Store, tail: str, name: str, n: int) -> Run:
    run = Run(
        id=STAMP + tail, name=name, status="finished", started=T0 + n, ended=T0 + n + 1,
        source=f"fit({n})\n", source_hash=f"{n:032d}",
    )  # fmt: skip
    store.save_run(run)
    return run


async def detail(jp_fetch: Any, *path: str) -> dict[str, Any]:
    response = await jp_fetch("nbtrail", "api", "runs", *path)
    body: dict[str, Any] = json.loads(response.body)
    return body


async def error_of(jp_fetch: Any, *path: str) -> tuple[int, str]:
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("nbtrail", "api", "runs", *path)
    assert info.value.response is not None
    return info.value.code, json.loads(info.value.response.body)["message"]


async def test_displayed_ids_names_and_last_resolve(jp_fetch: Any, store: Store) -> None:
    old = add(store, "00aa11bb22", "random forest", 1)
    new = add(store, "00cc33dd44", "random forest", 2)
    assert (await detail(jp_fetch, old.id[-8:]))["run"]["id"] == old.id
    assert (await detail(jp_fetch, "random forest"))["run"]["id"] == new.id
    assert (await detail(jp_fetch, "random forest~1"))["run"]["id"] == old.id
    assert (await detail(jp_fetch, "@last"))["run"]["id"] == new.id
    diff = await detail(jp_fetch, "@last~1", "diff", new.id[-8:])
    assert (diff["a"], diff["b"]) == (old.id, new.id)


async def test_ambiguous_is_400_and_unknown_404_with_one_line(jp_fetch: Any, store: Store) -> None:
    a = add(store, "01deadbeef", "train", 1)
    b = add(store, "02deadbeef", "eval", 2)
    code, message = await error_of(jp_fetch, "deadbeef")
    assert code == 400
    started = time.strftime("%Y-%m-%d %H:%M", time.localtime(b.started))
    assert message.startswith(f"run reference 'deadbeef' is ambiguous: 2deadbeef (eval, {started})")
    assert "1deadbeef (train," in message and "\n" not in message
    assert (await detail(jp_fetch, "1deadbeef"))["run"]["id"] == a.id
    code, message = await error_of(jp_fetch, "random-forest")
    assert code == 404
    assert message.startswith("no run 'random-forest'")
    code, message = await error_of(jp_fetch, "train~1")
    assert code == 404
    assert "only 1 run named 'train'" in message
