"""One real kernel records the runs every export test copies, once per module.

The notebook fits a scikit-learn pipeline in a tracked cell (params, metrics
by step, a figure, a model logged with an input example, tags), has a cell
that raises (a failed run), and its model is registered with an alias.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from nbtrail import config
from nbtrail.models import aliases, registry
from nbtrail.records import ModelVersion, Run
from nbtrail.store import Store, open_store

PARAMS = "C = 0.5"
CELLS = (
    "%load_ext nbtrail\nimport nbtrail\nimport matplotlib.pyplot as plt\n"
    "from sklearn.datasets import load_iris\n"
    "X, y = load_iris(return_X_y=True, as_frame=True)",
    "%%track train -t stage=candidate -t baseline\n"
    "from sklearn.pipeline import make_pipeline\n"
    "from sklearn.preprocessing import StandardScaler\n"
    "from sklearn.linear_model import LogisticRegression\n"
    "for step, iters in enumerate((5, 20, 200)):\n"
    "    pipe = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=iters))\n"
    "    pipe.fit(X, y)\n"
    "    nbtrail.log_metric('accuracy', pipe.score(X, y), step=step)\n"
    "nbtrail.log_param('solver', 'lbfgs')\n"
    "nbtrail.log_model(pipe, input_example=X.head(5))\n"
    "fig, ax = plt.subplots()\n"
    "ax.plot([1, 2, 3], [0.5, 0.8, 0.9])\n"
    "plt.show()",
    "%%track broken\nraise ValueError('no such column')",
)


@dataclass(frozen=True)
class Project:
    folder: Path
    store_path: Path
    runs: dict[str, Run]  # by name
    version: ModelVersion

    def open(self) -> Store:
        return open_store(str(self.store_path))


def record(folder: Path) -> Project:
    store_path = folder / ".nbtrail"
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}  # fmt: skip
    params = nbformat.v4.new_code_cell(PARAMS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(nbformat.v4.new_code_cell(source) for source in CELLS)]
    nbformat.write(nb, folder / "train.ipynb")
    saved = dict(os.environ)
    os.environ["NBTRAIL_STORE"] = str(store_path)
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    try:
        NotebookClient(nb, kernel_name="python3", timeout=120, allow_errors=True,
                       resources={"metadata": {"path": str(folder)}}).execute()  # fmt: skip
    finally:
        os.environ.clear()
        os.environ.update(saved)
        config.configure(None)
    store = open_store(str(store_path))
    try:
        runs = {r.name: store.get_run(r.id) for r in store.list_runs()}
        version = registry.register(store, runs["train"].id, "iris")
        aliases.promote(store, "iris", "champion", version.version, force=True, who="test")
    finally:
        store.close()
    return Project(folder, store_path, runs, version)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """The recorded project; MLflow's default artifact folder (./mlruns) lands beside it."""
    folder = tmp_path_factory.mktemp("export-project")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        yield record(folder)
