"""The REST API through a real server (jp_fetch) over a real SQLite store."""

from __future__ import annotations

import inspect
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from nbtrail.capture.hashing import hash_bytes
from nbtrail.records import Artifact, Binding, EnvSnapshot, Metric, Param, Run
from nbtrail.server import handlers
from nbtrail.server.access import StoreAccess, jsonable
from nbtrail.server.handlers import HANDLERS, NbtrailHandler
from nbtrail.store import Store

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
T0 = 1_700_000_000.0


def run_id(n: int) -> str:
    """Ids sort like start times, as new_run_id's do."""
    return f"{int((T0 + n) * 1000):012x}{n:010x}"


def make_run(n: int, **fields: Any) -> Run:
    base: dict[str, Any] = {
        "id": run_id(n),
        "name": f"run {n}",
        "status": "finished",
        "started": T0 + n,
        "ended": T0 + n + 0.5,
        "source": f"x = {n}\n",
        "source_hash": f"src{n}",
        "metrics": (Metric("acc", 0.5 + n / 100, None, T0 + n),),
        "params": (Param("lr", 0.1 * n),),
    }
    base.update(fields)
    return Run(**base)


async def get_json(jp_fetch: Any, *path: str, **params: Any) -> Any:
    response = await jp_fetch("nbtrail", "api", *path, params=params or None)
    assert response.headers["Content-Type"].startswith("application/json")
    return json.loads(response.body)


async def error_of(jp_fetch: Any, *path: str, **kwargs: Any) -> tuple[int, dict[str, Any]]:
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("nbtrail", "api", *path, **kwargs)
    assert info.value.response is not None
    return info.value.code, json.loads(info.value.response.body)


async def test_empty_root_lists_nothing_and_creates_no_store(
    jp_fetch: Any, jp_root_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NBTRAIL_STORE", raising=False)
    assert await get_json(jp_fetch, "runs") == {
        "runs": [], "next": None, "revision": 0, "total": 0
    }  # fmt: skip
    assert await get_json(jp_fetch, "revision") == {"revision": 0}
    assert not (jp_root_dir / ".nbtrail").exists()


async def test_list_newest_first_with_cursor_paging(jp_fetch: Any, store: Store) -> None:
    for n in range(7):
        store.save_run(make_run(n))
    page = await get_json(jp_fetch, "runs", limit="3")
    assert [r["id"] for r in page["runs"]] == [run_id(6), run_id(5), run_id(4)]
    assert page["next"] == run_id(4)
    assert page["revision"] == store.revision()
    assert page["runs"][0]["metrics"][0]["value"] == pytest.approx(0.56)
    page = await get_json(jp_fetch, "runs", limit="3", before=page["next"])
    assert [r["id"] for r in page["runs"]] == [run_id(3), run_id(2), run_id(1)]
    page = await get_json(jp_fetch, "runs", limit="3", before=page["next"])
    assert [r["id"] for r in page["runs"]] == [run_id(0)]
    assert page["next"] is None


async def test_list_sorted_by_a_metric_pages_by_offset(jp_fetch: Any, store: Store) -> None:
    accs = [0.3, 0.9, 0.1, 0.7, 0.5]
    for n, acc in enumerate(accs):
        store.save_run(make_run(n, metrics=(Metric("acc", acc, None, T0 + n),)))
    store.save_run(make_run(5, metrics=()))  # no acc: last
    page = await get_json(jp_fetch, "runs", sort="metric:acc", limit="2")
    assert [r["id"] for r in page["runs"]] == [run_id(1), run_id(3)]
    assert page["next"] == 2
    page = await get_json(jp_fetch, "runs", sort="metric:acc", limit="2", offset="2")
    assert [r["id"] for r in page["runs"]] == [run_id(4), run_id(0)]
    page = await get_json(jp_fetch, "runs", sort="metric:acc", limit="2", offset=str(page["next"]))
    assert [r["id"] for r in page["runs"]] == [run_id(2), run_id(5)]
    assert page["next"] is None
    page = await get_json(jp_fetch, "runs", sort="metric:acc", order="asc", limit="3")
    assert [r["id"] for r in page["runs"]] == [run_id(2), run_id(0), run_id(4)]
    assert page["next"] == 3
    page = await get_json(jp_fetch, "runs", sort="time", limit="2")
    assert page["next"] == run_id(4)  # time order keeps the id cursor


async def test_filters(jp_fetch: Any, store: Store, jp_root_dir: Path) -> None:
    # The tracker records notebooks relative to the project root (the store's parent).
    store.save_run(make_run(1, notebook="sub/a.ipynb", tags=("baseline",)))
    store.save_run(make_run(2, notebook="b.ipynb", status="failed"))
    store.save_run(make_run(3, notebook="b.ipynb", name="sweep lr"))

    async def ids(**params: str) -> list[str]:
        return [r["id"] for r in (await get_json(jp_fetch, "runs", **params))["runs"]]

    assert await ids(notebook="sub/a.ipynb") == [run_id(1)]
    assert await ids(notebook="b.ipynb") == [run_id(3), run_id(2)]
    assert await ids(status="failed") == [run_id(2)]
    assert await ids(q="sweep") == [run_id(3)]
    assert await ids(q="baseline") == [run_id(1)]
    assert await ids(since=str(T0 + 2)) == [run_id(3), run_id(2)]
    assert await ids(until=str(T0 + 2)) == [run_id(1)]
    assert await ids(since="2023-11-14T22:13:22", until="2023-11-14T22:13:23") == [run_id(2)]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "many"},
        {"status": "weird"},
        {"sort": "acc"},
        {"sort": "metric:"},
        {"sort": "metric:acc", "order": "up"},
        {"sort": "metric:acc", "offset": "-1"},
        {"sort": "metric:acc", "offset": "x"},
        {"sort": "metric:acc", "before": "abc"},
        {"since": "soon"},
        {"before": "../x"},
    ],
)
async def test_bad_list_parameters_are_400(
    jp_fetch: Any, store: Store, params: dict[str, str]
) -> None:
    code, body = await error_of(jp_fetch, "runs", params=params)
    assert code == 400
    assert body["message"]


async def test_run_detail_has_everything_and_the_environment(
    jp_fetch: Any, store: Store, jp_root_dir: Path
) -> None:
    env = EnvSnapshot(
        "e" * 32,
        "3.11.2",
        "/usr/bin/python3",
        "linux",
        4,
        None,
        packages={"numpy": "2.0.0"},
        git={"commit": "abc"},
    )
    store.save_environment(env)
    run = make_run(
        1,
        notebook="nb.ipynb",
        cell_id="cell-1",
        env_hash=env.hash,
        bindings=(Binding("df", "out", "dataframe", "d" * 32, {"shape": [3, 2]}),),
        metrics=(Metric("loss", math.inf), Metric("acc", 0.9)),
    )
    store.save_run(run)
    detail = await get_json(jp_fetch, "runs", run.id[:10])  # a unique prefix is enough
    assert detail["run"]["id"] == run.id
    assert detail["run"]["bindings"][0]["summary"] == {"shape": [3, 2]}
    assert detail["run"]["metrics"][0]["value"] == "Infinity"  # strict JSON for browsers
    assert detail["environment"]["packages"] == {"numpy": "2.0.0"}
    assert detail["notebook_path"] == "nb.ipynb"


async def test_unknown_run_is_404_json(jp_fetch: Any, store: Store) -> None:
    code, body = await error_of(jp_fetch, "runs", "abcdef")
    assert code == 404
    assert "abcdef" in body["message"]
    code, _ = await error_of(jp_fetch, "runs", "not-hex")
    assert code == 404


async def test_diff(jp_fetch: Any, store: Store) -> None:
    store.save_run(make_run(1))
    store.save_run(make_run(2))
    diff = await get_json(jp_fetch, "runs", run_id(1), "diff", run_id(2))
    assert diff["a"] == run_id(1)
    assert diff["b"] == run_id(2)
    assert [c["key"] for c in diff["params"]] == ["lr"]
    assert [c["key"] for c in diff["metrics"]] == ["acc"]
    assert "-x = 1" in diff["source"]
    code, _ = await error_of(jp_fetch, "runs", run_id(1), "diff", "abcdef")
    assert code == 404


async def test_objects_stream_with_the_recorded_media_type(jp_fetch: Any, store: Store) -> None:
    digest = hash_bytes(PNG)
    store.put_object(PNG, digest)
    store.save_run(
        make_run(1, artifacts=(Artifact("figure-1.png", digest, "image/png", len(PNG)),))
    )
    response = await jp_fetch("nbtrail", "api", "objects", digest, params={"run": run_id(1)})
    assert response.body == PNG
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    plain = await jp_fetch("nbtrail", "api", "objects", digest)
    assert plain.headers["Content-Type"] == "application/octet-stream"
    code, _ = await error_of(jp_fetch, "objects", "0" * 32)
    assert code == 404
    store.save_run(make_run(2))
    code, _ = await error_of(jp_fetch, "objects", digest, params={"run": run_id(2)})
    assert code == 404  # a run only shows its own artifacts


@pytest.mark.parametrize(
    "digest",
    [
        "..%2F..%2Fnbtrail.db",
        "..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "%2Fetc%2Fpasswd",
        "..",
        "ABCDEF" * 6,
    ],
)
async def test_objects_refuse_path_traversal(jp_fetch: Any, store: Store, digest: str) -> None:
    code, body = await error_of(jp_fetch, "objects", digest)
    assert code in (400, 404)
    assert "root:" not in json.dumps(body)


async def test_traversal_is_a_400_with_a_message(jp_fetch: Any, store: Store) -> None:
    code, body = await error_of(jp_fetch, "objects", "..%2F..%2Fnbtrail.db")
    assert code == 400
    assert "not an object hash" in body["message"]


async def test_rerun_requests_are_checked_before_a_job_starts(
    jp_fetch: Any, store: Store, jp_root_dir: Path
) -> None:
    store.save_run(make_run(1, notebook="gone.ipynb"))
    code, body = await error_of(
        jp_fetch, "reruns", method="POST", body=json.dumps({"run": run_id(1)})
    )
    assert code == 409  # the engine refuses: the notebook is not there any more
    assert "gone.ipynb" in body["message"]
    code, _ = await error_of(jp_fetch, "reruns", method="POST", body=json.dumps({"run": "abc"}))
    assert code == 404
    code, _ = await error_of(jp_fetch, "reruns", method="POST", body="not json")
    assert code == 400
    code, _ = await error_of(
        jp_fetch, "reruns", method="POST", body=json.dumps({"run": run_id(1), "params": [1]})
    )
    assert code == 400
    code, body = await error_of(jp_fetch, "jobs", "0123456789ab")
    assert code == 404
    assert "0123456789ab" in body["message"]


async def test_revision_grows_when_a_run_is_written(jp_fetch: Any, store: Store) -> None:
    before = (await get_json(jp_fetch, "revision"))["revision"]
    store.save_run(make_run(1))
    assert (await get_json(jp_fetch, "revision"))["revision"] > before


async def test_a_request_without_a_token_is_refused(jp_fetch: Any, store: Store) -> None:
    code, _ = await error_of(jp_fetch, "runs", headers={"Authorization": ""})
    assert code == 403


def _handler_classes() -> list[type[NbtrailHandler]]:
    return [
        obj
        for obj in vars(handlers).values()
        if inspect.isclass(obj) and issubclass(obj, NbtrailHandler) and obj is not NbtrailHandler
    ]


async def test_every_handler_is_routed_and_authenticated(jp_fetch: Any, store: Store) -> None:
    """Every method of every handler refuses a request without credentials."""
    routed = {cls for _, cls in HANDLERS}
    assert set(_handler_classes()) == routed
    for pattern, cls in HANDLERS:
        path = re.sub(r"\([^)]*\)", "0123abcd", pattern)
        for method in ("get", "post", "put", "patch", "delete"):
            if getattr(cls, method) is getattr(NbtrailHandler, method):
                continue
            assert hasattr(getattr(cls, method), "__wrapped__"), f"{cls.__name__}.{method}"
            code, _ = await error_of(
                jp_fetch,
                *path.split("/"),
                method=method.upper(),
                headers={"Authorization": ""},
                allow_nonstandard_methods=True,
                body=b"{}" if method != "get" else None,
            )
            assert code == 403, f"{method.upper()} {pattern}"


def test_jsonable_makes_strict_json() -> None:
    data = jsonable({"a": [math.nan, -math.inf, 1.5], "b": ({"c": math.inf},)})
    assert json.dumps(data, allow_nan=False) == (
        '{"a": ["NaN", "-Infinity", 1.5], "b": [{"c": "Infinity"}]}'
    )


def test_notebook_paths_between_server_root_and_project_root(tmp_path: Path) -> None:
    """JupyterLab names notebooks under the server root; runs name them under the project."""
    project = tmp_path.resolve()
    (project / "sub").mkdir()
    access = StoreAccess(root_dir=str(project / "sub"), location=str(project / ".nbtrail"))
    assert access.recorded_notebook("x.ipynb") == "sub/x.ipynb"
    assert access.api_path("sub/x.ipynb") == "x.ipynb"
    assert access.api_path("other/y.ipynb") is None  # not reachable from this server
    assert access.api_path(str(project / "sub" / "z.ipynb")) == "z.ipynb"
    assert access.api_path("/elsewhere/w.ipynb") is None
    outside = StoreAccess(root_dir=str(project / "sub"), location=str(tmp_path / "x" / ".nbtrail"))
    assert outside.recorded_notebook("x.ipynb") == str(project / "sub" / "x.ipynb")
