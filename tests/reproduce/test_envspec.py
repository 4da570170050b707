"""A run's environment written as requirements, pylock.toml and conda YAML."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import tomllib
from packaging.pylock import Pylock
from packaging.requirements import Requirement

from nbtrail.cli import main
from nbtrail.records import EnvSnapshot, Run
from nbtrail.reproduce.envspec import conda, pylock, requirements
from nbtrail.store import open_store

ENV = EnvSnapshot(
    hash="ab" * 16,
    python="3.11.7",
    executable="/venv/bin/python",
    platform="Linux-6-x86_64",
    cpu_count=2,
    memory_bytes=None,
    packages={"numpy": "2.1.3", "pip": "24.0", "mylib": "0.3.0", "tool": "1.0", "pandas": "2.2.3"},
    package_sources={
        "mylib": "editable file:///home/me/mylib",
        "tool": "git+https://example.org/tool.git@0123abcd",
        "pip": "file:///wheels/pip.whl",
    },
)


FILES = {
    "numpy": ["numpy-2.1.3-cp311-cp311-manylinux_2_17_x86_64.whl", "numpy-2.1.3.tar.gz",
              "numpy-2.0.0-cp311-cp311-manylinux_2_17_x86_64.whl"],
    "pandas": ["pandas-2.2.3-cp311-cp311-manylinux_2_17_x86_64.whl"],
}  # fmt: skip


class SimpleIndex(BaseHTTPRequestHandler):
    """A PEP 691 JSON index of a few fake files, as pip's index answers."""

    def do_GET(self) -> None:
        name = self.path.strip("/").split("/")[-1]
        if name not in FILES or self.headers["Accept"] != "application/vnd.pypi.simple.v1+json":
            self.send_error(404)
            return
        files = [
            {"filename": f, "url": f"../../files/{f}", "hashes": {"sha256": f"{i:064x}"}}
            for i, f in enumerate(FILES[name])
        ]
        body = json.dumps({"meta": {"api-version": "1.1"}, "name": name, "files": files})
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.pypi.simple.v1+json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def index() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SimpleIndex)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/simple"
    finally:
        server.shutdown()
        server.server_close()


def test_requirements_pin_every_package_and_say_where_the_rest_came_from() -> None:
    text = requirements(ENV, "01abc")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert "numpy==2.1.3" in lines and "pandas==2.2.3" in lines
    assert "-e /home/me/mylib" in lines
    assert "tool @ git+https://example.org/tool.git@0123abcd" in lines
    assert not any(line.startswith("pip") for line in lines)  # the installer is not pinned
    for line in lines:
        if not line.startswith("-e"):
            Requirement(line)  # each line is a valid requirement
    assert "Python 3.11.7" in text and "run 01abc" in text


def test_pylock_is_a_valid_pep_751_lock_with_the_index_archives(index: str) -> None:
    data = tomllib.loads(pylock(ENV, "01abc", index=index))
    lock = Pylock.from_dict(data)
    assert str(lock.requires_python) == "==3.11.7"
    by_name = {str(p.name): p for p in lock.packages}
    numpy = by_name["numpy"]
    assert str(numpy.version) == "2.1.3" and numpy.index == index
    assert numpy.sdist is not None and numpy.sdist.hashes["sha256"] == f"{1:064x}"
    assert [w.name for w in numpy.wheels or ()] == [FILES["numpy"][0]]  # 2.0.0 is not pinned
    assert (numpy.wheels or ())[
        0
    ].url == f"{index.removesuffix('/simple')}/files/{FILES['numpy'][0]}"
    assert by_name["tool"].vcs is not None and by_name["tool"].vcs.commit_id == "0123abcd"
    assert by_name["mylib"].directory is not None and by_name["mylib"].directory.editable


def test_conda_file_takes_python_from_conda_and_the_rest_through_pip() -> None:
    text = conda(ENV, "01abc")
    assert "  - python=3.11.7" in text and "    - numpy==2.1.3" in text
    assert '    - "tool @ git+https://example.org/tool.git@0123abcd"' in text


def test_nbtrail_env_writes_the_runs_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], index: str
) -> None:
    store = open_store(str(tmp_path / ".nbtrail"), create=True)
    store.save_run(Run(id="01" + "0" * 20, name="fit", status="finished", started=1.0,
                       env_hash=ENV.hash), environment=ENV)  # fmt: skip
    out = tmp_path / "pylock.toml"
    code = main(["--store", str(tmp_path / ".nbtrail"), "env", "fit", "--format", "pylock",
                 "--out", str(out), "--index-url", index])  # fmt: skip
    assert code == 0 and "wrote pylock" in capsys.readouterr().out
    assert Pylock.from_dict(tomllib.loads(out.read_text()))
    assert main(["--store", str(tmp_path / ".nbtrail"), "env", "fit"]) == 0
    assert "numpy==2.1.3" in capsys.readouterr().out
    assert main(["--store", str(tmp_path / ".nbtrail"), "env", "nosuch"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    ghost = EnvSnapshot(hash="cd" * 16, python="3.11.7", executable="", platform="", cpu_count=1,
                        memory_bytes=None, packages={"numpy": "2.1.3", "ghost": "9.9"})  # fmt: skip
    store.save_run(Run(id="02" + "0" * 20, name="ghostly", status="finished", started=2.0,
                       env_hash=ghost.hash), environment=ghost)  # fmt: skip
    args = ["--store", str(tmp_path / ".nbtrail"), "env", "ghostly", "--format", "pylock"]
    assert main([*args, "--index-url", index]) == 1
    err = capsys.readouterr().err
    assert err.strip() == f"nbtrail: error: the index {index} does not provide ghost==9.9"
