"""Local workers start each kernel ahead of its execution, never reuse one, and survive a death.

Every test runs real kernels through papermill. Each notebook writes what its
kernel saw (process id and start time, folder, its item's environment) to a
JSON file named by its parameter, so the assertions read facts from the
kernels themselves.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from nbtrail.reproduce.engine import Execution, ExecutionResult
from nbtrail.reproduce.executors import _start_method
from nbtrail.reproduce.kernels import run_chain
from nbtrail.reproduce.local_pool import run_pool

pytestmark = pytest.mark.kernel

REPORT = """\
import json, os, time, psutil
me = psutil.Process()
with open(f"seen-{i}.json", "w") as f:
    json.dump({"pid": os.getpid(), "created": me.create_time(), "ran": time.time(),
               "cwd": os.getcwd(), "item": os.environ.get("NBTRAIL_BATCH_ITEM"),
               "ppid": os.getppid(), "names": sorted(k for k in globals() if k[0] != "_")}, f)
"""


def executions(notebook: Path, store: str, count: int, **extra: object) -> list[Execution]:
    folder = notebook.parent
    return [
        Execution(input_path=str(notebook), output_path=str(folder / f"out-{i}.ipynb"),
                  cwd=str(folder), parameters={"i": i}, store=store,
                  notebook_file=str(notebook), batch="b1", index=i, **extra)  # type: ignore[arg-type]
        for i in range(count)
    ]  # fmt: skip


def seen(folder: Path, i: int) -> dict[str, object]:
    return json.loads((folder / f"seen-{i}.json").read_text())  # type: ignore[no-any-return]


def chain(items: list[Execution]) -> list[ExecutionResult]:
    results: list[ExecutionResult] = []
    run_chain(items, lambda _, result: results.append(result))
    return results


def test_each_execution_gets_its_own_kernel_started_while_the_previous_ran(
    notebook: Callable[..., Path], store_dir: Path
) -> None:
    nb = notebook(["if i == 0: leftover = True", "import time; time.sleep(1.5)", REPORT],
                  params="i = 0")  # fmt: skip
    results = chain(executions(nb, str(store_dir), 3))
    assert [(r.index, r.ok, r.attempts) for r in results] == [(0, True, 1), (1, True, 1),
                                                               (2, True, 1)]  # fmt: skip
    facts = [seen(nb.parent, i) for i in range(3)]
    assert len({f["pid"] for f in facts}) == 3  # never a kernel twice
    assert [f["item"] for f in facts] == ["0", "1", "2"]  # each kernel its own environment
    assert all(f["cwd"] == str(nb.parent) for f in facts)
    # a fresh namespace: nothing of the previous execution is visible
    assert ["leftover" in f["names"] for f in facts] == [True, False, False]  # type: ignore[operator]
    for before, after, result in zip(facts, facts[1:], results, strict=False):
        # the next kernel was up before the current execution ended
        assert after["created"] < result.ended
        assert after["created"] < before["ran"]  # type: ignore[operator]


def test_a_deadline_counts_from_the_execution_not_from_its_kernel(
    notebook: Callable[..., Path], store_dir: Path
) -> None:
    nb = notebook(["import time; time.sleep(2.5 if i == 0 else 0.2)", REPORT], params="i = 0")
    items = executions(nb, str(store_dir), 2)
    items[1] = dataclasses.replace(items[1], deadline=2.0)
    results = chain(items)
    assert [r.ok for r in results] == [True, True], [r.error for r in results]

    slow = notebook(["import time; time.sleep(30)"], params="i = 0", name="slow")
    (result,) = chain(executions(slow, str(store_dir), 1, deadline=2.0))
    assert not result.ok and result.error is not None and "timed out after 2 s" in result.error
    assert result.duration < 10


def test_a_pool_spreads_a_queue_over_its_workers(
    notebook: Callable[..., Path], store_dir: Path
) -> None:
    nb = notebook([REPORT], params="i = 0")
    items = [dataclasses.replace(e, index=0) for e in executions(nb, str(store_dir), 5)]
    results = list(run_pool(items, 2, _start_method()))  # re-runs' indexes are all 0
    assert sorted(r.output_path for r in results) == [e.output_path for e in items]
    assert all(r.ok for r in results)
    workers = {seen(nb.parent, i)["ppid"] for i in range(5)}
    assert len(workers) == 2 and os.getpid() not in workers


def test_a_worker_that_dies_fails_what_it_held_and_the_rest_finish(
    notebook: Callable[..., Path], store_dir: Path
) -> None:
    nb = notebook([REPORT, "import os, signal\nif i == 0: os.kill(os.getppid(), signal.SIGKILL)"],
                  params="i = 0")  # fmt: skip
    start = time.monotonic()
    results = {r.index: r for r in run_pool(executions(nb, str(store_dir), 6), 2, _start_method())}
    assert sorted(results) == list(range(6))
    failed = sorted(i for i, r in results.items() if not r.ok)
    assert 0 in failed and len(failed) <= 2  # its own execution and the one it held ahead
    assert all("worker" in (results[i].error or "") for i in failed)
    assert time.monotonic() - start < 60


def test_closing_early_starts_nothing_new(notebook: Callable[..., Path], store_dir: Path) -> None:
    nb = notebook([REPORT, "import time; time.sleep(1)"], params="i = 0")
    results = run_pool(executions(nb, str(store_dir), 6), 1, _start_method())
    first = next(results)
    results.close()  # type: ignore[attr-defined]
    assert first.ok
    ran = sorted(int(p.stem.split("-")[1]) for p in nb.parent.glob("seen-*.json"))
    assert ran[0] == 0 and len(ran) <= 2  # the one running when it closed, at most


def test_a_threaded_parent_forks_from_a_server_with_its_current_environment(
    notebook: Callable[..., Path], store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kernel calling ``nbtrail.sweep()`` has threads: its workers come from a fork
    server, and still see the environment the parent has at each sweep."""
    import threading

    hold = threading.Event()
    thread = threading.Thread(target=hold.wait, daemon=True)
    thread.start()
    try:
        assert _start_method() == "forkserver"
        cell = (
            "import os, json\njson.dump(os.environ.get('POOL_MARK'), open(f'mark-{i}.json', 'w'))"
        )
        nb = notebook([cell], params="i = 0")
        for mark in ("first", "second"):
            monkeypatch.setenv("POOL_MARK", mark)
            results = list(run_pool(executions(nb, str(store_dir), 2), 2, _start_method()))
            assert all(r.ok for r in results), [r.error for r in results]
            assert [json.loads((nb.parent / f"mark-{i}.json").read_text()) for i in range(2)] == [
                mark,
                mark,
            ]
    finally:
        hold.set()
