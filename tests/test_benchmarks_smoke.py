"""``python -m benchmarks --quick`` runs end to end and reports every figure.

This keeps the benchmark from rotting; it asserts the shape of the report
(every figure with its same-run baseline and ratio), never a performance
target: targets live in the benchmark, and timings on a loaded CI machine
would make a flaky test. The benchmark runs in a subprocess so its IPython
shell, audit hook and MLflow imports stay out of the test process.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MLFLOW = importlib.util.find_spec("mlflow") is not None
#: Figures every run must report (scaling figures are named by size and vary).
CORE = (
    "env.first_snapshot",
    "env.cached_snapshot",
    "startup.load_ext",
    "cell.trivial",
    "cell.dataframe_1k",
    "store.write",
    "store.runs_frame_peer",
    "store.runs_frame_middle",
    "store.runs_frame_large",
    "store.page50_notebook",
    "store.page50_text",
    "hash.ndarray",
    "hash.mixed_frame",
    "cli.runs",
    "cli.show",
    "firstread.str",
    "firstread.object",
    "workflow.vs_plain",
    "workflow.vs_mlflow_autolog",
)
#: Figures whose baseline is MLflow: skipped (and said so) when it is not installed.
PEER_FIGURES = ("cell.trivial", "cell.dataframe_1k", "store.runs_frame_peer",
                "startup.load_ext", "hash.mixed_frame", "workflow.vs_mlflow_autolog")  # fmt: skip
#: Figures that may be absent while what they measure does not exist yet:
#: figure key -> (key in the report's "skipped", module that must then be missing).
OPTIONAL = {
    "server.page50": ("server.page50", "nbtrail.server"),
    "sweep.vs_ideal": ("sweeps", "nbtrail.reproduce.sweep"),
}


@pytest.mark.kernel
def test_quick_benchmark_reports_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "latest.json"
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,  # about 2 minutes here; a loaded CI machine must not fail it
    )
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(out.read_text())
    figures = {figure["key"]: figure for figure in report["figures"]}

    missing = [key for key in CORE if key not in figures]
    assert not missing, f"figures missing from the report: {missing}"
    assert any(key.startswith("scaling.input_") for key in figures)
    assert any(key.startswith("scaling.store_") for key in figures)
    for key, (skipped_as, module) in OPTIONAL.items():
        if key not in figures:
            assert skipped_as in report["skipped"], f"{key} neither measured nor skipped"
            assert importlib.util.find_spec(module) is None, report["skipped"][skipped_as]
            print(f"{key}: not measured: {report['skipped'][skipped_as]}")

    for key, figure in figures.items():
        if figure["skipped"]:
            assert not MLFLOW and key in PEER_FIGURES, f"{key}: peer skipped: {figure['skipped']}"
            print(f"{key}: MLflow peer NOT measured ({figure['skipped']})")
            continue
        assert figure["baseline"] is not None and figure["baseline"] > 0, key
        assert figure["ratio"] is not None and figure["ratio"] > 0, key
    # The budget is 60 s; not asserted, as a loaded machine must not fail the suite.
    print(f"quick benchmark: {elapsed:.0f} s")
