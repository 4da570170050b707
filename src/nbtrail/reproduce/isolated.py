"""Rebuild a run's environment in a fresh virtual environment, with a kernel in it.

``nbtrail rerun --isolated`` answers "does it reproduce elsewhere?", not only
"here, today": the snapshot's exact versions are installed into a new
virtual environment (uv when it is installed, else venv + pip), ipykernel
and nbtrail are added, and a kernelspec pointing at its Python is written
inside it. Environments are cached under the store by snapshot hash, so a
second re-run of the same environment starts at once. nbtrail itself is
added the way an editable install is (a ``.pth`` file and its metadata):
the version that tracks must be the one that compares.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from nbtrail.errors import NbtrailError
from nbtrail.records import EnvSnapshot
from nbtrail.reproduce.envspec import python_version, requirements
from nbtrail.store import Store

ENVS_DIRNAME = "envs"
COMPLETE = ".nbtrail-complete"
#: Never installed from the snapshot: added by hand (nbtrail) or the installer's own.
SKIPPED = ("nbtrail",)
INSTALL_TIMEOUT = 1800.0


@dataclass(frozen=True)
class IsolatedEnvironment:
    """A built environment: its folder, interpreter and kernel."""

    folder: Path
    python: Path
    kernel_name: str
    kernel_dirs: tuple[str, ...]
    reused: bool
    notes: tuple[str, ...] = ()

    def describe(self) -> str:
        how = "reused" if self.reused else "built"
        notes = f" ({'; '.join(self.notes)})" if self.notes else ""
        return f"isolated environment {self.folder} ({how}){notes}"


class EnvironmentBuildFailed(NbtrailError):
    """The snapshot's packages could not be installed (one line; the installer's output kept)."""

    def __init__(self, message: str, output: str = "") -> None:
        super().__init__(message)
        self.output = output


def environment_folder(store: Store, env: EnvSnapshot) -> Path:
    location = store.location
    base = (
        Path(location).resolve() / ENVS_DIRNAME
        if "://" not in location
        else Path(tempfile.gettempdir()) / "nbtrail-envs"
    )
    return base / env.hash[:16]


def build_environment(store: Store, env: EnvSnapshot) -> IsolatedEnvironment:
    """The environment of ``env``, built once and then reused."""
    folder = environment_folder(store, env)
    kernel = f"nbtrail-{env.hash[:12]}"
    notes = _python_note(env)
    if (folder / COMPLETE).is_file():
        return _environment(folder, kernel, reused=True, notes=notes)
    shutil.rmtree(folder, ignore_errors=True)  # an interrupted build: start again
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        _create(folder, env)
        python = _python(folder)
        _install(python, folder, env)
        _add_nbtrail(python)
        _write_kernelspec(folder, kernel, python)
        (folder / COMPLETE).write_text(env.hash)  # last: only a whole build is reused
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return _environment(folder, kernel, reused=False, notes=notes)


def _environment(
    folder: Path, kernel: str, reused: bool, notes: tuple[str, ...]
) -> IsolatedEnvironment:
    kernels = str(folder / "share" / "jupyter" / "kernels")
    return IsolatedEnvironment(folder, _python(folder), kernel, (kernels,), reused, notes)


def _python_note(env: EnvSnapshot) -> tuple[str, ...]:
    wanted = python_version(env)
    here = ".".join(map(str, sys.version_info[:3]))
    if wanted and wanted != here and not shutil.which("uv"):
        return (f"Python {here}; the run used {wanted}",)
    return ()


def _python(folder: Path) -> Path:
    return folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _create(folder: Path, env: EnvSnapshot) -> None:
    uv = shutil.which("uv")
    if uv:
        version = python_version(env)
        _run([uv, "venv", "--quiet", *(["--python", version] if version else []), str(folder)])
    else:
        _run([sys.executable, "-m", "venv", str(folder)])


def _install(python: Path, folder: Path, env: EnvSnapshot) -> None:
    wanted = replace(
        env,
        packages={k: v for k, v in env.packages.items() if k not in SKIPPED},
        package_sources={k: v for k, v in env.package_sources.items() if k not in SKIPPED},
    )
    pins = [line for line in requirements(wanted).splitlines() if line and line[0] != "#"]
    if "ipykernel" not in wanted.packages:
        pins.append("ipykernel")
    spec = folder / "requirements.txt"
    spec.write_text("\n".join(pins) + "\n")
    uv = shutil.which("uv")
    command = (
        [uv, "pip", "install", "--quiet", "--python", str(python), "-r", str(spec)]
        if uv
        else [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
              "-r", str(spec)]
    )  # fmt: skip
    try:
        _run(command)
    except EnvironmentBuildFailed as exc:
        missing = _unavailable(exc.output)
        if missing:
            raise EnvironmentBuildFailed(
                f"the package index does not provide {', '.join(missing)}", exc.output
            ) from None
        raise


def _unavailable(output: str) -> list[str]:
    """Requirements pip or uv could not find, from their error output."""
    found = re.findall(r"No matching distribution found for ([^\s]+)", output)
    found += re.findall(r"Because ([^\s]+) was not found in the package registry", output)
    found += re.findall(r"there is no version of ([^\s]+)", output)
    return list(dict.fromkeys(item.rstrip(".,") for item in found))


def _add_nbtrail(python: Path) -> None:
    """This nbtrail, added the way pip adds an editable install."""
    import nbtrail

    source = Path(nbtrail.__file__).resolve().parent.parent
    site = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    site_dir = Path(site.strip())
    (site_dir / "_nbtrail_isolated.pth").write_text(f"{source}\n")
    version = getattr(nbtrail, "__version__", "0")
    info = site_dir / f"nbtrail-{version}.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: nbtrail\nVersion: {version}\n")
    (info / "INSTALLER").write_text("nbtrail\n")
    url = {"url": source.as_uri(), "dir_info": {"editable": True}}
    (info / "direct_url.json").write_text(json.dumps(url))


def _write_kernelspec(folder: Path, name: str, final_python: Path) -> None:
    spec_dir = folder / "share" / "jupyter" / "kernels" / name
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [str(final_python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": f"nbtrail isolated {name}",
        "language": "python",
        "metadata": {"debugger": False},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))


def _run(command: list[str]) -> str:
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise EnvironmentBuildFailed(f"{Path(command[0]).name}: {exc}") from None
    if done.returncode != 0:
        output = (done.stderr or "") + (done.stdout or "")
        lines = [line.strip() for line in output.splitlines() if line.strip()]
        last = lines[-1] if lines else "failed"
        raise EnvironmentBuildFailed(f"{Path(command[0]).name}: {last}", output)
    return done.stdout
