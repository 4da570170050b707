"""A model trained and registered by a real kernel, and a real MLflow scoring server over it.

The notebook trains a scikit-learn pipeline (numbers + one category) on a
seeded synthetic table and registers it from the kernel, so the version gets
its training profile the way a person's would; the test split is written to
Parquet for the tests to send. Servers are ``nbtrail serve`` subprocesses on
127.0.0.1 with a free port, stopped by the fixture (Ctrl-C, so the log is
flushed and the stop line printed).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

from nbtrail import config
from nbtrail.models import aliases
from nbtrail.store import open_store

MODEL = "churn"
FEATURES = ["income", "age", "score", "segment"]
CELLS = (
    "%load_ext nbtrail\nimport nbtrail\nimport numpy as np\nimport pandas as pd\n"
    "rng = np.random.default_rng(7)\nn = 4000\n"
    "data = pd.DataFrame({'income': rng.normal(50.0, 10.0, n),\n"
    "    'age': rng.normal(40.0, 8.0, n), 'score': rng.normal(0.0, 1.0, n),\n"
    "    'segment': rng.choice(['a', 'b', 'c'], n, p=[0.5, 0.3, 0.2])})\n"
    "logit = (0.08 * (data.income - 50) + 0.05 * (data.age - 40) + data.score\n"
    "    + 0.5 * (data.segment == 'c'))\n"
    "target = (logit + rng.logistic(size=n) > 0).astype(int)\n"
    "X_train, X_test, y_train, y_test = data[:3000], data[3000:], target[:3000], target[3000:]\n"
    "X_train.assign(y=y_train).to_csv('train.csv', index=False)",
    "%%track fit\nfrom sklearn.compose import make_column_transformer\n"
    "from sklearn.linear_model import LogisticRegression\n"
    "from sklearn.pipeline import make_pipeline\n"
    "from sklearn.preprocessing import OneHotEncoder, StandardScaler\n"
    "columns = make_column_transformer((StandardScaler(), ['income', 'age', 'score']),\n"
    "    (OneHotEncoder(), ['segment']))\n"
    "model = make_pipeline(columns, LogisticRegression()).fit(X_train, y_train)\n"
    "nbtrail.log_model(model, input_example=X_train.head(5))\n"
    "nbtrail.log_metric('accuracy', model.score(X_test, y_test))",
    "%%track fit_file\ntrain = pd.read_csv('train.csv')\n"
    "small = LogisticRegression().fit(train[['income', 'age', 'score']], train['y'])",
    f"version = nbtrail.register_model('fit', '{MODEL}', 'model')\n"
    "X_test.assign(label=y_test).to_parquet('test.parquet')",
)


@dataclass(frozen=True)
class Trained:
    folder: Path
    store: Path
    test: pd.DataFrame  # the test split's features and its ``label``


@pytest.fixture(scope="package")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Trained:
    """Trained once per test session: pytest-xdist workers share one folder under a lock
    (the pattern pytest-xdist documents), so ``pytest -n 2`` starts one kernel, not two."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        return train(tmp_path_factory.mktemp("served"))
    shared = tmp_path_factory.getbasetemp().parent / "served"
    with open(f"{shared}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / "test.parquet").is_file():
            shutil.rmtree(shared, ignore_errors=True)
            shared.mkdir()
            train(shared)
    return Trained(shared, shared / ".nbtrail", pd.read_parquet(shared / "test.parquet"))


def train(folder: Path) -> Trained:
    store = folder / ".nbtrail"
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}  # fmt: skip
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    nbformat.write(nb, folder / "train.ipynb")
    saved = dict(os.environ)
    os.environ["NBTRAIL_STORE"] = str(store)
    try:
        NotebookClient(nb, kernel_name="python3", timeout=180,
                       resources={"metadata": {"path": str(folder)}}).execute()  # fmt: skip
    finally:
        os.environ.clear()
        os.environ.update(saved)
        config.configure(None)
    opened = open_store(str(store))
    aliases.promote(opened, MODEL, "production", 1, force=True)
    opened.close()
    return Trained(folder, store, pd.read_parquet(folder / "test.parquet"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log_dir: Path
    output: Path  # the server's stdout and stderr (a file: a pipe nobody reads fills up)

    def post(self, body: Any, headers: dict[str, str] | None = None) -> tuple[int, Any, str]:
        """(status, JSON body, X-Request-ID)."""
        request = urllib.request.Request(
            f"{self.url}/invocations", data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json", **(headers or {})},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.load(response), response.headers["X-Request-ID"]
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null"), exc.headers["X-Request-ID"]

    def get(self, path: str) -> tuple[int, bytes]:
        with urllib.request.urlopen(f"{self.url}{path}", timeout=10) as response:
            return response.status, response.read()

    def stop(self) -> str:
        """Ctrl-C, as a person stops it; returns what it printed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.output.read_text()


def start_server(
    trained: Trained, log_dir: Path, *extra: str, uri: str = f"models:/{MODEL}@production"
) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "nbtrail.cli", "--store", str(trained.store), "serve", uri,
               "--port", str(port), "--log-dir", str(log_dir), *extra]  # fmt: skip
    output = log_dir.parent / f"{log_dir.name}-server.txt"
    with output.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, log_dir, output)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {output.read_text()}")
        try:
            if server.get("/ping")[0] == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError("the server did not answer /ping in 120 s")


@pytest.fixture(scope="module")
def server(trained: Trained, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    started = start_server(trained, tmp_path_factory.mktemp("log"), "--flush-seconds", "0.2")
    yield started
    started.stop()


def wait_for(check: Callable[[], bool], timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False
