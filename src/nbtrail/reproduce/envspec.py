"""A run's environment as something a package manager installs.

The snapshot holds exact versions of every distribution the kernel saw;
written as requirements, a PEP 751 ``pylock.toml`` or a conda environment
file, it is the environment again. Distributions that no index has (an
editable checkout, a local wheel, a VCS commit) are written the way each
format says where they came from, and are named in :func:`not_from_index`
so a rebuild can say which ones it cannot fetch.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from nbtrail.errors import NbtrailError
from nbtrail.records import EnvSnapshot
from nbtrail.reproduce.index import IndexError_, IndexFile, index_url, many_version_files

#: Installers, not part of what an environment computes with.
BOOTSTRAP = frozenset({"pip", "setuptools", "wheel", "distribute"})
FORMATS = ("requirements", "pylock", "conda")


def python_version(env: EnvSnapshot) -> str:
    """``3.11.7`` from the snapshot's ``python`` fact (which may carry a build note)."""
    return env.python.split()[0] if env.python else ""


def packages(env: EnvSnapshot) -> list[tuple[str, str]]:
    """``(name, version)`` of what to install, bootstrap tools left out."""
    return [(name, version) for name, version in env.packages.items() if name not in BOOTSTRAP]


def not_from_index(env: EnvSnapshot) -> dict[str, str]:
    """Distributions installed from a path, URL or VCS -> where from."""
    return {name: src for name, src in env.package_sources.items() if name not in BOOTSTRAP}


def _header(env: EnvSnapshot, run_id: str | None) -> list[str]:
    origin = f" of run {run_id}" if run_id else ""
    return [
        f"# The environment{origin} (snapshot {env.hash[:12]}), written by nbtrail.",
        f"# Python {python_version(env) or 'unknown'} on {env.platform or 'an unknown platform'}.",
    ]


def requirements(env: EnvSnapshot, run_id: str | None = None) -> str:
    """pip's requirements format: exact pins, direct references for what no index has."""
    lines = _header(env, run_id)
    sources = not_from_index(env)
    for name, version in packages(env):
        source = sources.get(name)
        if source is None:
            lines.append(f"{name}=={version}")
        elif source.startswith("editable "):
            path = source.removeprefix("editable ").removeprefix("file://")
            lines.append(f"# {name} {version} was an editable install of {path}")
            lines.append(f"-e {path}")
        else:
            lines.append(f"{name} @ {source}")
    return "\n".join(lines) + "\n"


def pylock(env: EnvSnapshot, run_id: str | None = None, index: str | None = None) -> str:
    """A PEP 751 lock file (``pylock.toml``) with the index's archives and hashes.

    The index (``index`` or pip's, else PyPI) is asked for every pinned
    version; versions it does not have raise :class:`UnavailablePackages`.
    """
    index = index or index_url()
    sources = not_from_index(env)
    pins = [(name, version) for name, version in packages(env) if name not in sources]
    try:
        files = many_version_files(index, pins)
    except IndexError_ as exc:
        raise NbtrailError(f"cannot read the package index: {exc}") from None
    missing = [f"{name}=={version}" for name, version in pins if not files.get(name)]
    if missing:
        raise UnavailablePackages(missing, index)
    lines = [*_header(env, run_id), 'lock-version = "1.0"', 'created-by = "nbtrail"']
    if python_version(env):
        lines.append(f"requires-python = {_toml(f'=={python_version(env)}')}")
    for name, version in packages(env):
        lines += ["", "[[packages]]", f"name = {_toml(name)}", f"version = {_toml(version)}"]
        if name in sources:
            lines += _pylock_source(sources[name])
        else:
            lines += [f"index = {_toml(index)}", *_archives(files[name])]
    return "\n".join(lines) + "\n"


class UnavailablePackages(NbtrailError):
    """Pinned versions the index does not offer (one line naming them)."""

    def __init__(self, names: list[str], index: str) -> None:
        super().__init__(f"the index {index} does not provide {', '.join(names)}")
        self.names = names


def _archives(files: list[IndexFile]) -> list[str]:
    lines: list[str] = []
    sdists = [f for f in files if not f.wheel]
    if sdists:
        lines += ["[packages.sdist]", *_file_entry(sdists[0])]
    for wheel in (f for f in files if f.wheel):
        lines += ["[[packages.wheels]]", *_file_entry(wheel)]
    return lines


def _file_entry(file: IndexFile) -> list[str]:
    return [
        f"name = {_toml(file.filename)}",
        f"url = {_toml(file.url)}",
        f"hashes = {{sha256 = {_toml(file.sha256)}}}",
    ]


def _pylock_source(source: str | None) -> list[str]:
    if source is None:
        return []
    if source.startswith("editable "):
        path = source.removeprefix("editable ").removeprefix("file://")
        return ["[packages.directory]", f"path = {_toml(path)}", "editable = true"]
    vcs, plus, rest = source.partition("+")
    if plus and vcs in ("git", "hg", "svn", "bzr"):
        url, _, commit = rest.rpartition("@")
        return [
            "[packages.vcs]",
            f"type = {_toml(vcs)}",
            f"url = {_toml(url or rest)}",
            f"commit-id = {_toml(commit)}",
        ]
    if source.startswith("file://") and not source.endswith((".whl", ".tar.gz", ".zip")):
        return ["[packages.directory]", f"path = {_toml(source.removeprefix('file://'))}"]
    return ["[packages.archive]", f"url = {_toml(source)}", "hashes = {}"]


def conda(env: EnvSnapshot, run_id: str | None = None) -> str:
    """A conda ``environment.yml``: Python from conda, every package through pip."""
    name = f"nbtrail-{run_id[-8:] if run_id else env.hash[:8]}"
    lines = [*_header(env, run_id), f"name: {name}", "channels:", "  - conda-forge"]
    lines += ["dependencies:"]
    if python_version(env):
        lines.append(f"  - python={python_version(env)}")
    lines += ["  - pip", "  - pip:"]
    pins = requirements(env).splitlines()
    lines += [f"    - {_yaml(line)}" for line in pins if line and not line.startswith("#")]
    return "\n".join(lines) + "\n"


def _toml(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's for these characters)."""
    return json.dumps(text, ensure_ascii=False)


def _yaml(text: str) -> str:
    return json.dumps(text) if any(c in text for c in ":#@{}[]&*!|>'\"%") else text


WRITERS: dict[str, Callable[..., str]] = {
    "requirements": requirements,
    "pylock": pylock,
    "conda": conda,
}
