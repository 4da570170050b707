"""Models the tracker keeps after the cell: snapshot in the cell, skops in a worker thread.

Real kernels. To make "the worker has not run yet" certain rather than likely,
a cell holds the keeper's lock (the worker needs it to take a snapshot off its
queue) across the cells that must run first; the tracked cell still queues
its snapshot, as it takes the lock in the same (main) thread.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from nbtrail.cli import main
from nbtrail.errors import ModelError
from nbtrail.models import registry
from nbtrail.store import open_store
from nbtrail.store.base import KeptModel
from nbtrail.tracking.models import ModelKeeper
from reliability.kernels import kernel, kill_when, run

TRUST = ["sklearn.tree._tree.Tree"]
SETUP = (
    "import nbtrail\nfrom sklearn.datasets import load_breast_cancer\n"
    "from sklearn.ensemble import RandomForestClassifier\n"
    "X, y = load_breast_cancer(return_X_y=True, as_frame=True)"
)
HOLD = "from nbtrail.tracking.models import keeper\nheld = keeper()._changed\nheld.acquire()"
FIT = (
    "%%track first\n"
    "forest = RandomForestClassifier(n_estimators=100, random_state=0).fit(X, y)\n"
    "expected = forest.predict(X)"
)


def ok(kc: object, code: str) -> None:
    reply = run(kc, code)
    assert reply["status"] == "ok", reply


@pytest.mark.kernel
def test_a_refit_in_a_later_cell_does_not_change_the_first_runs_model(
    tmp_path: Path, store_dir: Path
) -> None:
    with kernel(tmp_path) as (_km, kc):
        for code in (SETUP, HOLD, FIT):
            ok(kc, code)
        # refit the same object in place before the worker ran, then let it run
        ok(kc, "forest.fit(X, 1 - y)\nheld.release()")
        ok(
            kc,
            f"""
v = nbtrail.register_model("first", "forest-first")
m = nbtrail.load_model(f"models:/forest-first/{{v.version}}", trusted={TRUST!r})
assert (m.predict(X) == expected).all()
assert not (forest.predict(X) == expected).all()
""",
        )
    store = open_store(str(store_dir))
    version = registry.resolve(store, "models:/forest-first/1")
    kept = store.kept_model(version.model_hash or "")
    assert kept is not None and version.object == kept.object


@pytest.mark.kernel
def test_registration_from_a_new_process_after_the_kernel_ended_finds_the_model(
    tmp_path: Path, store_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with kernel(tmp_path) as (km, kc):
        for code in (SETUP, HOLD, FIT):
            ok(kc, code)
        ok(kc, "import numpy as np\nnp.save('expected.npy', expected)")
        # still pending: finished at interpreter exit, which jupyter_client waits for
        # (5 s by default; a loaded 2-core machine can need more to write the skops file)
        km.shutdown_wait_time = 60.0
        km.shutdown_kernel(now=False)
    code = main(["--store", str(store_dir), "models", "register", "first", "forest-cli"])
    assert code == 0, capsys.readouterr().err
    store = open_store(str(store_dir))
    model = registry.load(store, "models:/forest-cli/1", TRUST)
    from sklearn.datasets import load_breast_cancer

    X, _ = load_breast_cancer(return_X_y=True, as_frame=True)
    import numpy as np

    assert (model.predict(X) == np.load(tmp_path / "expected.npy")).all()


@pytest.mark.kernel
def test_a_kernel_killed_before_keeping_gives_one_clear_line(
    tmp_path: Path, store_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with kernel(tmp_path) as (km, kc):
        for code in (SETUP, HOLD, FIT):
            ok(kc, code)
        kill_when(km, lambda: True)
    store = open_store(str(store_dir))
    run_record = store.get_run(store.resolve_run_id("first"))
    assert run_record.status == "finished"
    assert run_record.extra["models"]["forest"]["kept"] == "background"
    with pytest.raises(ModelError, match=r"'forest' of run .* was not kept: its kernel ended"):
        registry.register(store, "first", "forest-dead")
    code = main(["--store", str(store_dir), "models", "register", "first", "forest-dead"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1, err
    assert "its kernel ended before saving it" in err and "nbtrail.log_model(forest)" in err
    assert store.list_model_versions("forest-dead") == []


def test_the_queue_is_bounded_and_a_refused_snapshot_says_why() -> None:
    warnings: list[str] = []
    worker = ModelKeeper(max_bytes=100, warn=warnings.append)
    with worker._changed:  # the worker cannot take anything off the queue meanwhile
        assert worker.submit("/nowhere", "a", b"x" * 60) is None
        assert worker.submit("/nowhere", "a", b"x" * 60) is None  # already pending: once
        refused = worker.submit("/nowhere", "b", b"x" * 60)
        assert refused is not None and refused.startswith("not kept: ")
        assert "would wait to be saved" in refused
        assert worker.pending("a") and not worker.pending("b")
    assert worker.flush(10) and not worker.pending()
    assert worker.submit("/nowhere", "b", b"x" * 60) is None  # room again


def test_worker_failures_are_one_warning_and_flush_is_bounded(tmp_path: Path) -> None:
    warnings: list[str] = []
    release = threading.Event()

    def slow_warning(line: str) -> None:  # keeps the worker busy until released
        warnings.append(line)
        release.wait(30)

    worker = ModelKeeper(warn=slow_warning)
    worker.submit(str(tmp_path / "gone"), "a", b"not a pickle")
    worker.submit(str(tmp_path / "gone"), "b", b"not a pickle")
    started = time.monotonic()
    assert worker.flush(0.1) is False  # the worker is busy: the wait ends anyway
    assert time.monotonic() - started < 5 and worker.pending("b")
    release.set()
    assert worker.flush(10) is True
    assert len(warnings) == 1 and "was not kept" in warnings[0] and "gone" in warnings[0]
    assert not (tmp_path / "gone").exists()  # a store that went away is not made again


def test_a_snapshot_skops_cannot_save_is_recorded_on_the_model(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / ".nbtrail"))
    worker = ModelKeeper(warn=pytest.fail)
    worker.submit(store.location, "g", b"not a pickle")
    assert worker.flush(30)
    kept = store.kept_model("g")
    assert isinstance(kept, KeptModel) and kept.object is None
    assert kept.error and kept.error.startswith("skops could not save it: ")
