"""What every figure group shares: the sizes of this mode, a scratch folder,
one IPython shell and the run stores built once per benchmark.

Stores of 100,000 runs take most of a minute to write, and IPython allows one
``InteractiveShell`` per process, so groups borrow both from here instead of
building their own.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KB, MB, GB = 1_000, 1_000_000, 1_000_000_000
GIB = 1 << 30


@dataclass(frozen=True)
class Sizes:
    """How big and how often; ``full`` is what ``make bench`` runs."""

    name: str
    cell_repeat: int
    array_bytes: int
    frame_rows: int
    hash_repeat: int
    store_runs: tuple[int, int, int]  # small (also MLflow's), middle, large
    page_repeat: int
    subprocess_repeat: int
    scaling_inputs: tuple[int, ...]
    scaling_repeat: int


FULL = Sizes(
    name="full",
    cell_repeat=200,
    array_bytes=GIB,
    frame_rows=10_000_000,
    hash_repeat=3,
    store_runs=(1_000, 10_000, 100_000),
    page_repeat=50,
    subprocess_repeat=3,
    scaling_inputs=(KB, MB, 100 * MB, GB),
    scaling_repeat=30,
)

QUICK = Sizes(
    name="quick",
    cell_repeat=15,
    array_bytes=8 << 20,
    frame_rows=20_000,
    hash_repeat=1,
    store_runs=(50, 200, 500),
    page_repeat=5,
    subprocess_repeat=1,
    scaling_inputs=(KB, MB),
    scaling_repeat=5,
)


def size_label(nbytes: int) -> str:
    for unit, scale in (("GB", GB), ("MB", MB), ("KB", KB)):
        if nbytes >= scale:
            return f"{nbytes / scale:.3g} {unit}"
    return f"{nbytes} B"


class Context:
    """Shared, lazily built state of one benchmark run."""

    def __init__(self, sizes: Sizes, workdir: str | None = None) -> None:
        self.sizes = sizes
        self._tmp = None if workdir else tempfile.TemporaryDirectory(prefix="nbtrail-bench-")
        self.root = Path(workdir or self._tmp.name)  # type: ignore[union-attr]
        self._shell: Any = None
        self._stores: Any = None
        #: Figures that could not be measured here, with the reason.
        self.skipped: dict[str, str] = {}

    def folder(self, name: str) -> Path:
        path = self.root / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def shell(self) -> Any:
        """The process's IPython shell with ``%load_ext nbtrail``, tracking into scratch."""
        if self._shell is None:
            from benchmarks.shell import make_shell

            self._shell = make_shell(self.folder("shell-store") / ".nbtrail")
        return self._shell

    def stores(self) -> Any:
        """Run stores of each size in ``sizes.store_runs`` (built on first use)."""
        if self._stores is None:
            from benchmarks.fill import build_stores

            self._stores = build_stores(self.folder("stores"), self.sizes.store_runs)
        return self._stores

    def close(self) -> None:
        if self._shell is not None:
            from benchmarks.shell import close_shell

            close_shell(self._shell)
        if self._tmp is not None:
            self._tmp.cleanup()


def point_store(path: Path | str) -> None:
    """Make nbtrail (API, tracker) use the store at ``path`` from now on."""
    os.environ["NBTRAIL_STORE"] = str(path)
