"""A real kernel trains the models every registry test uses (see tests/models/conftest.py).

The notebook is run by nbclient the way a person runs it: ``%load_ext
nbtrail`` and ``%%track`` cells fitting scikit-learn models on the bundled
iris data. The tracker keeps the models the cells write (skops); one cell
also logs its model explicitly with an input example.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from nbtrail import config
from nbtrail.records import Run
from nbtrail.store import Store, open_store

PARAMS = "C = 1.0"
CELLS = (
    "%load_ext nbtrail\nimport nbtrail\nfrom sklearn.datasets import load_iris\n"
    "iris = load_iris(as_frame=True)\nX, y = iris.data, iris.target",
    "%%track logistic\nfrom sklearn.pipeline import make_pipeline\n"
    "from sklearn.preprocessing import StandardScaler\n"
    "from sklearn.linear_model import LogisticRegression\n"
    "pipe = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=500)).fit(X, y)\n"
    "nbtrail.log_metric('accuracy', pipe.score(X, y))",
    "%%track forest\nfrom sklearn.ensemble import RandomForestClassifier\n"
    "forest = RandomForestClassifier(n_estimators=10, random_state=0).fit(X, y)\n"
    "nbtrail.log_model(forest, input_example=X.head(5))\n"
    "nbtrail.log_metric('accuracy', forest.score(X, y))",
    "%%track spreading\nfrom sklearn.semi_supervised import LabelSpreading\n"
    "spreading = LabelSpreading().fit(X, y)\ntable = X.describe()",
)


@dataclass(frozen=True)
class Trained:
    folder: Path  # the project: notebook + .nbtrail/
    store_path: Path
    runs: dict[str, Run]  # by run name

    def open(self) -> Store:
        return open_store(str(self.store_path))


def train(folder: Path) -> Trained:
    """Execute the training notebook in ``folder`` with its store at ``folder/.nbtrail``."""
    store_path = folder / ".nbtrail"
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}  # fmt: skip
    params = nbformat.v4.new_code_cell(PARAMS)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, *(nbformat.v4.new_code_cell(source) for source in CELLS)]
    path = folder / "train.ipynb"
    nbformat.write(nb, path)
    saved = dict(os.environ)
    os.environ["NBTRAIL_STORE"] = str(store_path)
    try:
        NotebookClient(nb, kernel_name="python3", timeout=120,
                       resources={"metadata": {"path": str(folder)}}).execute()  # fmt: skip
    finally:
        os.environ.clear()
        os.environ.update(saved)
        config.configure(None)
    store = open_store(str(store_path))
    runs = {r.name: store.get_run(r.id) for r in store.list_runs()}
    store.close()
    return Trained(folder, store_path, runs)
