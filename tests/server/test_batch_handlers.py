"""``GET /nbtrail/api/batches/{id}`` through a real server over a real store."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from nbtrail.records import Batch, BatchItem, Reproduction
from nbtrail.server import batch_handlers
from nbtrail.store import Store

T0 = 1_700_000_000.0
SET_ID = "018bcfe56be8aaaaaaaaaa"
RERUN_ID = "018bcfe56be8bbbbbbbbbb"


async def fetch(jp_fetch: Any, *path: str, **kwargs: Any) -> tuple[int, Any]:
    try:
        response = await jp_fetch("nbtrail", "api", *path, **kwargs)
    except HTTPClientError as exc:
        assert exc.response is not None
        return exc.code, json.loads(exc.response.body)
    return response.code, json.loads(response.body)


def save_set(store: Store) -> None:
    result = {
        "index": 0, "run": "r0", "notebook": "a.ipynb", "verdict": "diverged",
        "batch": RERUN_ID, "summary": "cell 'fit' diverged", "cell": "fit",
        "cause": "unseeded randomness: same inputs", "error": None, "duration": 2.5,
    }  # fmt: skip
    store.save_batch(
        Batch(SET_ID, "rerun-set", "", T0, "finished", "local", {"results": [result]},
              (BatchItem(0, {"run": "r0", "notebook": "a.ipynb"}, "finished",
                         started=T0, ended=T0 + 2.5),))
    )  # fmt: skip
    store.save_batch(Batch(RERUN_ID, "rerun", "a.ipynb", T0, "finished", "local", {"set": SET_ID}))
    report = {"verdict": "diverged", "cells": [{"name": "fit", "outcome": "diverged"}]}
    store.save_reproduction(Reproduction(RERUN_ID, "r0", "diverged", T0 + 3, report))


async def test_a_set_of_reruns_with_its_verdicts(jp_fetch: Any, store: Store) -> None:
    save_set(store)
    code, data = await fetch(jp_fetch, "batches", SET_ID[:14])  # a unique prefix will do
    assert code == 200
    assert data["batch"]["kind"] == "rerun-set" and data["reproduction"] is None
    report = data["report"]
    assert report["exit_code"] == 1 and report["counts"] == {"diverged": 1}
    (result,) = report["results"]
    assert (result["notebook"], result["verdict"], result["cell"]) == ("a.ipynb", "diverged", "fit")
    assert result["report"]["cells"] == [{"name": "fit", "outcome": "diverged"}]

    code, data = await fetch(jp_fetch, "batches", RERUN_ID)
    assert code == 200 and data["report"] is None
    assert data["reproduction"]["verdict"] == "diverged"


async def test_unknown_batch_is_404(jp_fetch: Any, store: Store) -> None:
    code, data = await fetch(jp_fetch, "batches", "0123abcd")
    assert code == 404 and "no batch" in data["message"]


@pytest.mark.parametrize(("pattern", "cls"), batch_handlers.HANDLERS)
async def test_every_batch_handler_is_authenticated(
    jp_fetch: Any, store: Store, pattern: str, cls: type
) -> None:
    assert hasattr(cls.get, "__wrapped__")
    path = re.sub(r"\([^)]*\)", "0123abcd", pattern)
    code, _ = await fetch(jp_fetch, *path.split("/"), headers={"Authorization": ""})
    assert code == 403
