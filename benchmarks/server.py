"""The REST API's page of 50 through a real jupyter_server (figure group 3's hook).

A server process with ``nbtrail.server`` enabled serves the largest store; the
figure is the median wall time of ``GET /nbtrail/api/runs?limit=50`` over
HTTP with token authentication, against ``Store.list_runs`` for the same page
in this process. When ``nbtrail.server`` is absent or does not import, the
figure is skipped with the reason.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from benchmarks.context import Context
from benchmarks.timing import Figure, at_most, median_seconds, ms

TOKEN = "nbtrail-bench"
START_TIMEOUT = 60.0


def server_importable() -> str:
    """Empty when ``nbtrail.server`` imports, else why not."""
    try:
        importlib.import_module("nbtrail.server")
    except Exception as exc:
        return f"nbtrail.server does not import ({type(exc).__name__}: {exc})"
    return ""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return bytes(response.read())


@contextlib.contextmanager
def running_server(root: Path, store: Path) -> Iterator[str]:
    """A jupyter_server on a free port serving ``store``; yields its base URL."""
    port = _free_port()
    command = [
        sys.executable, "-m", "jupyter_server", "--no-browser", f"--port={port}",
        "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}", "--allow-root",
        f"--ServerApp.root_dir={root}", "--ServerApp.jpserver_extensions={'nbtrail.server': True}",
    ]  # fmt: skip
    env = {**os.environ, "NBTRAIL_STORE": str(store)}
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                _get(f"{base}/api/status")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("jupyter_server did not start") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


#: The workspace's requests: (key, title, query string, what the handler asks the Store for)
WORKSPACE_PAGES: tuple[tuple[str, str, str, dict[str, str]], ...] = (
    ("server.page50", "GET runs?limit=50 (the workspace's first page)", "limit=50", {}),
    ("server.metric_sort", "GET runs sorted by a metric, descending", "limit=50&sort=metrics.m3"
     "&order=desc", {"order_by": "metrics.m3 DESC"}),
    ("server.param_sort", "GET runs sorted by a param", "limit=50&sort=params.p2&order=asc",
     {"order_by": "params.p2 ASC"}),
    ("server.filter", "GET runs?filter=params.p1 > 5 AND metrics.m2 < 0.5",
     "limit=50&filter=params.p1%20%3E%205%20AND%20metrics.m2%20%3C%200.5",
     {"filter": "params.p1 > 5 AND metrics.m2 < 0.5"}),
)  # fmt: skip


def page_figures(ctx: Context, store: Path, count: int) -> list[Figure]:
    """The workspace's pages over HTTP vs the same pages (and counts) from the Store."""
    why = server_importable()
    if why:
        ctx.skipped["server.page50"] = why
        return []
    timed: dict[str, tuple[float, int]] = {}
    with running_server(ctx.folder("server-root"), store) as base:
        for key, _, query, _ in WORKSPACE_PAGES:
            url = f"{base}/nbtrail/api/runs?{query}"
            returned = len(json.loads(_get(url))["runs"])
            seconds = median_seconds(lambda url=url: _get(url), repeat=ctx.sizes.page_repeat,
                                     warmup=2)  # fmt: skip
            timed[key] = (seconds, returned)
    from nbtrail.records import RunQuery
    from nbtrail.store.sqlite import SQLiteStore

    opened = SQLiteStore(store, create=False)
    figures = []
    try:
        for key, title, _, fields in WORKSPACE_PAGES:
            query = RunQuery(limit=51, **fields)  # type: ignore[arg-type]

            def direct(query: RunQuery = query) -> None:
                opened.list_runs(query)
                opened.count_runs(query)

            baseline = median_seconds(direct, repeat=ctx.sizes.page_repeat)
            seconds, returned = timed[key]
            figures.append(Figure(
                key=key, title=f"{title} from {count:,} runs, ms", value=ms(seconds), unit="ms",
                baseline=ms(baseline),
                baseline_title="Store.list_runs + count_runs of the same page in-process",
                checks=(at_most(50, "<= 50 ms"),),
                note=f"{returned} runs returned, real jupyter_server with token auth",
            ))  # fmt: skip
    finally:
        opened.close()
    return figures
