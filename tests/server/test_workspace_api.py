"""The workspace's REST calls: filter, sort by any column, columns, groups, edits."""

from __future__ import annotations

import json
from typing import Any

from nbtrail.records import Batch, Param, Reproduction
from nbtrail.store import Store
from server.test_handlers import error_of, get_json, make_run, run_id


def seed(store: Store) -> None:
    for n in range(6):
        store.save_run(
            make_run(n, name="forest" if n % 2 else "logreg", batch="b1" if n < 3 else None,
                     params=(Param("lr", 0.1 * n), Param("kernel", "rbf" if n < 4 else "linear")),
                     tags={"stage": "candidate"} if n == 5 else {})
        )  # fmt: skip
    store.save_batch(Batch(id="b1", kind="rerun", notebook="nb.ipynb", created=1.0,
                           status="finished", executor="local", spec={}, items=()))  # fmt: skip
    store.save_reproduction(Reproduction("b1", run_id(0), "reproduced", 2.0, {}))


async def ids(jp_fetch: Any, **params: Any) -> list[str]:
    page = await get_json(jp_fetch, "runs", **params)
    return [run["id"] for run in page["runs"]]


async def test_filter_sort_and_total(jp_fetch: Any, store: Store) -> None:
    seed(store)
    page = await get_json(jp_fetch, "runs", filter="params.kernel = 'rbf' AND metrics.acc > 0.51")
    assert [r["id"] for r in page["runs"]] == [run_id(3), run_id(2)]
    assert page["total"] == 2
    assert await ids(jp_fetch, filter="tags.stage = 'candidate'") == [run_id(5)]
    assert await ids(jp_fetch, sort="params.lr", order="asc", limit="2") == [run_id(0), run_id(1)]
    page = await get_json(jp_fetch, "runs", sort="metrics.acc", order="desc", limit="2")
    assert [r["id"] for r in page["runs"]] == [run_id(5), run_id(4)] and page["next"] == 2
    page = await get_json(jp_fetch, "runs", sort="name", order="asc", limit="4", offset="2")
    # "forest" x3 then "logreg" x3: offset 2 starts at the third forest
    assert [r["name"] for r in page["runs"]] == ["forest", "logreg", "logreg", "logreg"]
    assert page["runs"][0]["tags"] == {} and page["runs"][0]["lifecycle"] == "active"


async def test_bad_filters_and_sorts_are_400_with_the_position(jp_fetch: Any, store: Store) -> None:
    seed(store)
    code, body = await error_of(jp_fetch, "runs", params={"filter": "metrics.acc >"}, method="GET")
    assert code == 400 and "position 14" in body["message"]
    code, body = await error_of(jp_fetch, "runs", params={"sort": "colour"}, method="GET")
    assert code == 400 and "unknown attribute 'colour'" in body["message"]
    code, body = await error_of(
        jp_fetch, "runs", params={"sort": "name", "before": run_id(1)}, method="GET"
    )
    assert code == 400 and "offset" in body["message"]


async def test_columns_groups_and_running(jp_fetch: Any, store: Store) -> None:
    seed(store)
    columns = await get_json(jp_fetch, "runs", "columns", filter="name = 'forest'")
    assert columns == {"params": ["kernel", "lr"], "metrics": ["acc"], "tags": ["stage"]}
    groups = await get_json(jp_fetch, "runs", "groups", by="batch")
    by_key = {g["key"]: g for g in groups["groups"]}
    assert by_key["b1"]["count"] == 3 and by_key["b1"]["verdict"] == "reproduced"
    assert by_key["b1"]["kind"] == "rerun" and by_key[None]["count"] == 3
    assert await get_json(jp_fetch, "runs", "running") == {"runs": []}
    code, _ = await error_of(jp_fetch, "runs", "groups", params={"by": "colour"}, method="GET")
    assert code == 400


async def test_tag_note_rename_archive_over_rest(jp_fetch: Any, store: Store) -> None:
    seed(store)
    target = run_id(4)[-8:]  # as displayed

    async def call(method: str, *path: str, body: Any = None) -> Any:
        response = await jp_fetch(
            "nbtrail", "api", "runs", *path, method=method,
            body=None if body is None else json.dumps(body),
            allow_nonstandard_methods=True,
        )  # fmt: skip
        return json.loads(response.body)

    run = (await call("PUT", target, "tags", "stage", body={"value": "production"}))["run"]
    assert run["tags"] == {"stage": "production"}
    run = (await call("DELETE", target, "tags", "stage"))["run"]
    assert run["tags"] == {}
    run = (await call("PATCH", target, body={"note": "best", "name": "forest-final"}))["run"]
    assert (run["note"], run["name"]) == ("best", "forest-final")
    await call("PATCH", target, body={"lifecycle": "archived"})
    assert run_id(4) not in await ids(jp_fetch)
    assert await ids(jp_fetch, lifecycle="archived") == [run_id(4)]
    assert store.get_run(run_id(4)).lifecycle == "archived"
    code, body = await error_of(
        jp_fetch, "runs", target, method="PATCH", body=json.dumps({"lifecycle": "gone"})
    )
    assert code == 400 and "lifecycle must be one of" in body["message"]
    code, _ = await error_of(jp_fetch, "runs", "ffffffff", method="PATCH", body='{"note": "x"}')
    assert code == 404
