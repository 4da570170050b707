"""``nbtrail rerun --isolated``: the run's environment rebuilt in a fresh virtualenv.

The original runs in a small virtual environment of its own (ipykernel,
numpy and their dependencies, installed from the index), so that rebuilding
its snapshot takes seconds, not the minutes the test venv would.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from nbtrail.records import EnvSnapshot
from nbtrail.reproduce import reproduce
from nbtrail.reproduce.engine import Execution, run_execution
from nbtrail.reproduce.isolated import (
    EnvironmentBuildFailed,
    _add_nbtrail,
    _write_kernelspec,
    build_environment,
)
from nbtrail.reproduce.render import rerun_report
from nbtrail.store import Store

pytestmark = pytest.mark.kernel

SEEDED = (
    "%%track draw\nimport numpy as np\n"
    "values = np.random.default_rng(7).normal(size=100)\n"
    "nbtrail.log_metric('mean', float(values.mean()))\nprint(round(float(values.std()), 6))"
)


@pytest.fixture(scope="module")
def small_env(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A virtualenv with just what a kernel and nbtrail need, and its kernelspec."""
    folder = tmp_path_factory.mktemp("small") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, timeout=300)
    python = folder / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "ipykernel", "numpy", "xxhash", "nbformat"],
        check=True, timeout=900, capture_output=True,
    )  # fmt: skip
    _add_nbtrail(python)
    _write_kernelspec(folder, "nbtrail-small", python)
    return "nbtrail-small", str(folder / "share" / "jupyter" / "kernels")


def test_a_seeded_notebook_reproduces_in_its_rebuilt_environment(
    small_env: tuple[str, str], notebook: Callable[..., Path], store: Store, tmp_path: Path
) -> None:
    kernel, kernel_dir = small_env
    path = notebook(["%load_ext nbtrail\nimport nbtrail", SEEDED])
    result = run_execution(
        Execution(
            input_path=str(path), output_path=str(tmp_path / "out.ipynb"), cwd=str(tmp_path),
            parameters={}, store=store.location, notebook_file=str(path), kernel_name=kernel,
            kernel_dirs=(kernel_dir,),
        )
    )  # fmt: skip
    assert result.ok, result.error
    (original,) = [store.get_run(r.id) for r in store.list_runs()]
    snapshot = store.get_environment(original.env_hash)
    assert snapshot is not None and "numpy" in snapshot.packages
    assert "pandas" not in snapshot.packages  # the small environment, not the test venv

    report = reproduce(original.id, isolated=True, store=store)
    assert report.verdict == "reproduced", rerun_report(report)
    assert "isolated environment" in report.environment_used
    assert "(built)" in report.environment_used
    assert "environment: isolated environment" in rerun_report(report)
    rerun = store.get_run(report.cells[0].rerun or "")
    rebuilt = store.get_environment(rerun.env_hash)
    assert rebuilt is not None and "/envs/" in rebuilt.executable
    assert rebuilt.packages["numpy"] == snapshot.packages["numpy"]

    again = build_environment(store, snapshot)  # cached by snapshot hash: no install
    assert again.reused and again.folder.is_dir()


def test_packages_the_index_cannot_provide_are_named_in_one_line(store: Store) -> None:
    ghost = EnvSnapshot(
        hash="ef" * 16, python="3.11.7", executable="", platform="", cpu_count=1,
        memory_bytes=None, packages={"nbtrail-no-such-package-x": "9.9.9"},
    )  # fmt: skip
    with pytest.raises(EnvironmentBuildFailed) as raised:
        build_environment(store, ghost)
    assert str(raised.value) == (
        "the package index does not provide nbtrail-no-such-package-x==9.9.9"
    )
    assert not (Path(store.location) / "envs" / ghost.hash[:16]).exists()
