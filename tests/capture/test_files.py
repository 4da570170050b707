"""File watcher: what a cell's opens record, and what they never record."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nbtrail.capture.files import FileAccess, FileWatcher


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with one existing CSV; the cwd inside it."""
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "in.csv").write_text("a,b\n1,2\n3,4\n")
    monkeypatch.chdir(folder)
    return folder


def watch(action, ignore_prefixes=()) -> FileAccess:  # type: ignore[no-untyped-def]
    watcher = FileWatcher(ignore_prefixes=ignore_prefixes)
    watcher.start()
    try:
        action()
    finally:
        access = watcher.stop()
    return access


def test_open_modes_are_classified(data: Path) -> None:
    (data / "log.txt").write_text("old\n")

    def cell() -> None:
        with open("in.csv") as f:
            f.read()
        with open(data / "out.txt", "w") as f:
            f.write("x")
        with open("log.txt", "a") as f:
            f.write("more\n")
        with open("in.csv", "rb"):
            pass

    access = watch(cell)
    assert access.reads == (str(data / "in.csv"),)
    assert access.writes == (str(data / "out.txt"), str(data / "log.txt"))


def test_read_plus_and_os_open_count_as_writes(data: Path) -> None:
    def cell() -> None:
        with open("in.csv", "r+"):
            pass
        os.close(os.open("fresh.bin", os.O_WRONLY | os.O_CREAT))
        os.close(os.open("in.csv", os.O_RDONLY))

    access = watch(cell)
    assert access.writes == (str(data / "in.csv"), str(data / "fresh.bin"))
    assert access.reads == ()


def test_pandas_csv_read_and_write(data: Path) -> None:
    def cell() -> None:
        frame = pd.read_csv("in.csv")
        frame.to_csv("out.csv", index=False)

    access = watch(cell)
    assert access.reads == (str(data / "in.csv"),)
    assert access.writes == (str(data / "out.csv"),)


def test_numpy_load_save_and_text(data: Path) -> None:
    np.save(data / "x.npy", np.arange(4))
    np.savetxt(data / "t.txt", np.arange(3))

    def cell() -> None:
        np.load("x.npy")
        np.loadtxt("t.txt")
        np.save("y.npy", np.ones(2))

    access = watch(cell)
    assert access.reads == (str(data / "x.npy"), str(data / "t.txt"))
    assert access.writes == (str(data / "y.npy"),)


def test_opens_outside_the_window_are_not_recorded(data: Path) -> None:
    watcher = FileWatcher()
    Path("in.csv").read_text()
    watcher.start()
    Path("in.csv").read_bytes()
    first = watcher.stop()
    Path("after.txt").write_text("x")
    assert first == FileAccess(reads=(str(data / "in.csv"),), writes=())

    watcher.start()
    assert watcher.stop() == FileAccess(reads=(), writes=())


def test_ignored_prefixes_and_noise(data: Path) -> None:
    store = data / ".nbtrail"
    (store / "objects").mkdir(parents=True)
    cache = data / "__pycache__"
    cache.mkdir()

    def cell() -> None:
        (store / "objects" / "blob").write_bytes(b"x")
        (cache / "mod.cpython-311.pyc").write_bytes(b"x")
        (data / "stray.pyc").write_bytes(b"x")
        open(os.__file__).close()  # the standard library, under sys.base_prefix
        open("/proc/self/status").close()
        Path("kept.txt").write_text("x")

    access = watch(cell, ignore_prefixes=[str(store)])
    assert access == FileAccess(reads=(), writes=(str(data / "kept.txt"),))


def test_prefix_does_not_match_a_longer_sibling(data: Path) -> None:
    (data / "database").mkdir()

    def cell() -> None:
        (data / "database" / "rows.txt").write_text("x")

    access = watch(cell, ignore_prefixes=[str(data / "data")])
    assert access.writes == (str(data / "database" / "rows.txt"),)


def test_file_descriptors_and_failed_opens_do_not_break_the_cell(data: Path) -> None:
    def cell() -> None:
        fd = os.open("in.csv", os.O_RDONLY)
        with open(fd, closefd=True) as f:
            f.read()
        with pytest.raises(FileNotFoundError):
            open("missing.txt").close()

    access = watch(cell)
    # a failing open is still an attempt to read: the cell depends on its absence
    assert access.reads == (str(data / "in.csv"), str(data / "missing.txt"))


def test_reads_from_other_threads_in_the_window_are_recorded(data: Path) -> None:
    def cell() -> None:
        thread = threading.Thread(target=lambda: Path("in.csv").read_text())
        thread.start()
        thread.join()

    assert watch(cell).reads == (str(data / "in.csv"),)


def test_two_watchers_can_overlap(data: Path) -> None:
    outer, inner = FileWatcher(), FileWatcher()
    outer.start()
    Path("a.txt").write_text("x")
    inner.start()
    Path("in.csv").read_text()
    inner_access = inner.stop()
    outer_access = outer.stop()
    assert inner_access.reads == (str(data / "in.csv"),) and inner_access.writes == ()
    assert outer_access.writes == (str(data / "a.txt"),)
    assert outer_access.reads == (str(data / "in.csv"),)


def test_hook_is_installed_once() -> None:
    from nbtrail.capture import files

    for _ in range(3):
        FileWatcher().start()
        FileWatcher().stop()
    files._ACTIVE = ()
    assert files._installed
    assert sys.audit is not None


def test_files_named_in_code_fill_in_what_native_readers_hide(tmp_path: Path) -> None:
    import pandas as pd

    from nbtrail.capture.files import named_file_access, path_states

    source = tmp_path / "in.parquet"
    pd.DataFrame({"a": [1, 2]}).to_parquet(source)
    target = tmp_path / "out.parquet"
    before = path_states([str(source), str(target), "not a path", "x"])
    watcher = FileWatcher()
    watcher.start()
    pd.read_parquet(source).to_parquet(target)  # pyarrow opens both natively
    seen = watcher.stop()
    access = named_file_access(before, seen)
    assert str(source) in access.reads
    assert str(target) in access.writes
