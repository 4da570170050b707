"""Figure group: a realistic six-cell workflow, untracked, tracked, and under MLflow autolog.

Read a CSV, clean it, split it, fit a random forest and a scaled logistic
regression, draw a bar chart: the cells a data scientist runs all day. Plain
and ``%%track`` variants of each cell run in turn in the process's IPython
shell (``%matplotlib inline``, as in a kernel); nbtrail's figure is the sum of
the per-cell differences of medians. Models nbtrail keeps in the background
are waited for outside the timed cells (that wait is reported, not counted).

The peer is what users switch on instead: ``mlflow.sklearn.autolog()``, timed
in a fresh interpreter (autolog patches scikit-learn for the whole process)
that runs the same six cells with and without it, in turn.
"""

from __future__ import annotations

import gc
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks import peers
from benchmarks.context import Context
from benchmarks.models import available as models_available
from benchmarks.models import wait_for_background
from benchmarks.shell import muted, run, tracked
from benchmarks.timing import Figure, ratio_at_least

SETUP = (
    "import numpy as np, pandas as pd\n"
    "import matplotlib.pyplot as plt\n"
    "from sklearn.model_selection import train_test_split\n"
    "from sklearn.ensemble import RandomForestClassifier\n"
    "from sklearn.linear_model import LogisticRegression\n"
    "from sklearn.pipeline import make_pipeline\n"
    "from sklearn.preprocessing import StandardScaler\n"
)
#: ``%matplotlib inline`` as a kernel does it (the plain shell has no ``enable_gui``):
#: figures are rendered to PNG, displayed and closed after each cell.
INLINE = (
    "import matplotlib\n"
    "matplotlib.use('module://matplotlib_inline.backend_inline')\n"
    "from matplotlib_inline.backend_inline import configure_inline_support\n"
    "configure_inline_support(get_ipython(), 'inline')\n"
)
CELLS = (
    ("read", "df = pd.read_csv(CSV)"),
    ("clean", "df = df.dropna().query('income > 0').assign(log_income=lambda d: np.log(d.income))"),
    (
        "split",
        "X_train, X_test, y_train, y_test = train_test_split(\n"
        "    df.drop(columns=['label', 'city']), df['label'], test_size=0.25, random_state=0)",
    ),
    (
        "forest",
        "forest = RandomForestClassifier(n_estimators=30, max_depth=8, random_state=0)\n"
        "forest.fit(X_train, y_train)\nforest_acc = forest.score(X_test, y_test)",
    ),
    (
        "logreg",
        "logreg = make_pipeline(StandardScaler(), LogisticRegression(max_iter=300))\n"
        "logreg.fit(X_train, y_train)\nlogreg_acc = logreg.score(X_test, y_test)",
    ),
    (
        "chart",
        "fig, ax = plt.subplots(figsize=(4, 3))\n"
        "ax.bar(['forest', 'logreg'], [forest_acc, logreg_acc])\n"
        "ax.set_title('test accuracy')\nplt.show()",
    ),
)
ROWS = {"full": 5_000, "quick": 1_000}
REPEAT = {"full": 15, "quick": 2}
MLFLOW_REPEAT = {"full": 3, "quick": 1}

#: The peer's process: the same cells with and without autolog, in turn.
AUTOLOG = """
import json, logging, os, statistics, sys, time, warnings
os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
warnings.simplefilter("ignore")
import matplotlib
matplotlib.use("agg")
import mlflow, mlflow.sklearn
for name in ("mlflow", "alembic", "sqlalchemy"):
    logging.getLogger(name).setLevel(logging.ERROR)
store, csv, repeat = sys.argv[1], sys.argv[2], int(sys.argv[3])
cells, log_models = json.loads(sys.argv[4]), sys.argv[5] == "models"
mlflow.set_tracking_uri("sqlite:///" + store)
mlflow.set_experiment("workflow")
def workflow():
    ns = {"CSV": csv}
    exec(SETUP, ns)
    start = time.perf_counter()
    for source in cells:
        exec(source, ns)
    elapsed = time.perf_counter() - start
    ns["plt"].close("all")
    return elapsed
times = {"plain": [], "autolog": []}
workflow()  # warm: imports, first fits
for _ in range(repeat):
    mlflow.sklearn.autolog(disable=True)
    times["plain"].append(workflow())
    mlflow.sklearn.autolog(silent=True, log_models=log_models)
    times["autolog"].append(workflow())
print(json.dumps({k: statistics.median(v) for k, v in times.items()}))
"""


def write_csv(path: Path, rows: int) -> Path:
    """A tabular dataset with a few missing values, a text column and a binary label."""
    import pandas as pd

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({f"x{i}": rng.normal(size=rows) for i in range(6)})
    frame["income"] = rng.lognormal(10, 1, rows).round(2)
    frame.loc[rng.integers(0, rows, rows // 50), "x0"] = np.nan
    frame["city"] = rng.choice(["Lyon", "Oslo", "Pune", "Quito"], rows)
    frame["label"] = (frame.x1 + frame.x2 * 0.5 + rng.normal(size=rows) > 0).astype(int)
    frame.to_csv(path, index=False)
    return path


def timed(shell: Any, source: str) -> float:
    start = time.perf_counter()
    run(shell, source)
    return time.perf_counter() - start


def nbtrail_ms(shell: Any, csv: Path, repeat: int) -> dict[str, Any]:
    """Per-cell medians, plain and tracked in turn, and the background wait after each."""
    samples: dict[str, dict[str, list[float]]] = {
        name: {"plain": [], "tracked": [], "background": []} for name, _ in CELLS
    }
    with muted():
        run(shell, SETUP + INLINE + f"CSV = {str(csv)!r}\n")
        for _ in range(2):  # warm both paths: imports, first fits, the model worker
            for _name, source in CELLS:
                run(shell, source)
                run(shell, tracked(source))
                wait_for_background()
        gc.collect()
        for _ in range(repeat):
            for name, source in CELLS:
                samples[name]["plain"].append(timed(shell, source))
                samples[name]["tracked"].append(timed(shell, tracked(source)))
                samples[name]["background"].append(wait_for_background())
    cells = {
        name: {kind: statistics.median(values) * 1e3 for kind, values in per.items()}
        for name, per in samples.items()
    }
    plain = sum(c["plain"] for c in cells.values())
    tracked_ms = sum(c["tracked"] for c in cells.values())
    return {
        "plain_ms": plain,
        "tracked_ms": tracked_ms,
        "added_ms": tracked_ms - plain,
        "added_per_cell_ms": {n: c["tracked"] - c["plain"] for n, c in cells.items()},
        "background_wait_ms": sum(c["background"] for c in cells.values()),
        "cells": cells,
        "repeat": repeat,
    }


def autolog_ms(ctx: Context, csv: Path) -> dict[str, Any] | None:
    """Median ms of the six cells with and without MLflow autolog, in a fresh interpreter.

    ``make bench`` runs autolog as users get it (models logged); the quick mode
    leaves the models out to stay quick, and says so in the details.
    """
    if not peers.available():
        return None
    store = ctx.folder("workflow-mlflow") / "mlflow.db"
    script = f"SETUP = {SETUP!r}\n{AUTOLOG}"
    repeat = MLFLOW_REPEAT.get(ctx.sizes.name, 1)
    cells = json.dumps([source for _, source in CELLS])
    models = "models" if ctx.sizes.name == "full" else "no-models"  # quick: the shape only
    done = subprocess.run(
        [sys.executable, "-c", script, str(store), str(csv), str(repeat), cells, models],
        capture_output=True, text=True, check=True, timeout=1800,
    )  # fmt: skip
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "log_models": models == "models",
        "plain_ms": result["plain"] * 1e3,
        "autolog_ms": result["autolog"] * 1e3,
        "added_ms": (result["autolog"] - result["plain"]) * 1e3,
    }


def collect(ctx: Context) -> list[Figure]:
    if not models_available():
        ctx.skipped["workflow"] = "scikit-learn or skops is not installed (the models extra)"
        return []
    csv = write_csv(ctx.folder("workflow") / "customers.csv", ROWS.get(ctx.sizes.name, 1_000))
    ours = nbtrail_ms(ctx.shell(), csv, REPEAT.get(ctx.sizes.name, 2))
    peer = autolog_ms(ctx, csv)
    per_cell = ", ".join(f"{n} {v:.1f}" for n, v in ours["added_per_cell_ms"].items())
    return [
        Figure(
            key="workflow.vs_plain",
            title="six-cell workflow: %%track added, ms",
            value=ours["added_ms"],
            unit="ms",
            baseline=ours["plain_ms"],
            baseline_title="the six cells untracked, same shell",
            checks=(ratio_at_least(5.0, "<= 20% of the plain time"),),
            note=f"added per cell (ms): {per_cell}; background keeping waited "
            f"{ours['background_wait_ms']:.1f} ms after the cells (not counted)",
            details=ours,
        ),
        Figure(
            key="workflow.vs_mlflow_autolog",
            title="six-cell workflow: %%track added vs MLflow autolog added, ms",
            value=ours["added_ms"],
            unit="ms",
            baseline=None if peer is None else peer["added_ms"],
            baseline_title="mlflow.sklearn.autolog() added to the same cells (fresh interpreter)",
            checks=(ratio_at_least(20.0, "MLflow/nbtrail >= 20x"),),
            skipped="" if peer is not None else peers.SKIP_REASON,
            details={"mlflow": peer or {}},
        ),
    ]
