"""Every numeric query parameter is bounded (400, never 500); no error names a path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from nbtrail.records import Run
from nbtrail.store import Store

HUGE = "99999999999999999999"


async def error_of(jp_fetch: Any, *path: str, **params: str) -> tuple[int, str]:
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("nbtrail", "api", *path, params=params)
    assert info.value.response is not None
    return info.value.code, json.loads(info.value.response.body)["message"]


def save_one(store: Store) -> None:
    store.save_run(Run(id="018c0000000000000001", name="r", status="finished", started=1.0,
                       ended=2.0, source="x = 1", source_hash="h"))  # fmt: skip


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "metric:m", "offset": HUGE},
        {"offset": HUGE},
        {"offset": "1" * 5000},
        {"limit": HUGE},
        {"limit": "-" + HUGE},
        {"since": HUGE},
        {"until": "1e400"},
        {"since": "nan"},
        {"until": "-inf"},
        {"since": "9" * 5000},
        {"since": "0001-01-01T00:00:00-23:59"},
    ],
)
async def test_numbers_out_of_range_are_400(
    jp_fetch: Any, store: Store, params: dict[str, str]
) -> None:
    save_one(store)
    code, message = await error_of(jp_fetch, "runs", **params)
    assert code == 400, message
    assert message and len(message) < 200


async def test_the_largest_offset_answers_an_empty_page(jp_fetch: Any, store: Store) -> None:
    save_one(store)
    response = await jp_fetch(
        "nbtrail", "api", "runs", params={"sort": "metric:m", "offset": "1000000000"}
    )
    assert json.loads(response.body)["runs"] == []


async def test_errors_never_reveal_absolute_paths(
    jp_fetch: Any, store: Store, jp_root_dir: Path
) -> None:
    save_one(store)
    messages = [
        (await error_of(jp_fetch, "runs", "no-such-run"))[1],
        (await error_of(jp_fetch, "objects", "0" * 32))[1],
    ]
    for message in messages:
        assert str(jp_root_dir) not in message and "/tmp" not in message, message


def test_paths_are_cut_to_their_last_part() -> None:
    from nbtrail.server.errors import without_paths

    assert without_paths("no store at /home/ann/p/.nbtrail (x)") == "no store at .nbtrail (x)"
    assert without_paths("run 'a/b' in file:///srv/x/y.db") == "run 'a/b' in y.db"
    assert without_paths("1/2 and metric:a/b") == "1/2 and metric:a/b"
