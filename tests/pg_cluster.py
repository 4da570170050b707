"""A throwaway PostgreSQL cluster for the tests: real server, 127.0.0.1, stopped at the end.

Debian's server binaries (``make postgresql`` installs them when missing) run
from a temporary data directory. As root the server runs as the ``postgres``
user (it refuses root). One cluster per pytest worker: ``initdb`` takes ~2 s,
and each test gets a database of its own (``CREATE DATABASE`` from the
template, ~50 ms; ``fsync`` is off, which a throwaway cluster can afford).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

USER = "postgres"
PASSWORD = "nbtrail-test-pw"  # a throwaway cluster's; the tests check it is never shown


def bindir() -> Path:
    """Where initdb and pg_ctl are: ``pg_config --bindir``, else Debian's versioned folders."""
    candidates = []
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        candidates.append(out.stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for folder in candidates:
        if folder and (Path(folder) / "initdb").exists():
            return Path(folder)
    raise RuntimeError("PostgreSQL server binaries not found (run `make postgresql`)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """One running server; ``url(db)`` names a database on it, ``new_database()`` makes one."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="nbtrail-pg-"))
        self.data = self.root / "data"
        self.port = 0
        self._as_postgres = os.geteuid() == 0
        self._bin = bindir()

    def _run(self, *args: str) -> None:
        command = [str(self._bin / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", USER, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode:
            raise RuntimeError(f"{args[0]} failed: {result.stderr.strip() or result.stdout}")

    def start(self) -> Cluster:
        pwfile = self.root / "pw"
        pwfile.write_text(PASSWORD + "\n")
        if self._as_postgres:
            shutil.chown(self.root, USER)
            shutil.chown(pwfile, USER)
        self._run(
            "initdb", "-D", str(self.data), "-U", USER, f"--pwfile={pwfile}", "-E", "UTF8",
            "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync", "--no-instructions",
        )  # fmt: skip
        pwfile.unlink()
        for _attempt in range(3):  # a port taken between probing and binding: another one
            self.port = _free_port()
            options = (
                f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
            )
            try:
                self._run("pg_ctl", "start", "-w", "-D", str(self.data), "-l",
                          str(self.root / "log"), "-o", options)  # fmt: skip
                return self
            except RuntimeError:
                continue
        raise RuntimeError(f"PostgreSQL did not start: {(self.root / 'log').read_text()[-2000:]}")

    def stop(self) -> None:
        if self.data.exists():
            with contextlib.suppress(RuntimeError):  # already gone
                self._run("pg_ctl", "stop", "-w", "-m", "immediate", "-D", str(self.data))
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres", *, password: str = PASSWORD) -> str:
        return f"postgresql://{USER}:{password}@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        """Run one statement as the superuser, outside a transaction."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def new_database(self) -> str:
        """A fresh, empty database; its name."""
        name = "t_" + uuid.uuid4().hex[:12]
        self.admin(f"CREATE DATABASE {name}")
        return name
