"""``nbtrail env``: a run's environment as an installable spec."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from nbtrail.cli.common import RUN_HELP
from nbtrail.errors import NbtrailError
from nbtrail.reproduce.envspec import FORMATS, WRITERS
from nbtrail.store import Store


def register(commands: Any) -> None:
    """Add ``env`` to the ``nbtrail`` parser."""
    env = commands.add_parser(
        "env", help="write a run's environment as requirements, pylock.toml or conda YAML"
    )
    env.add_argument("run", help=RUN_HELP)
    env.add_argument("--format", choices=FORMATS, default="requirements")
    env.add_argument("--out", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    env.add_argument(
        "--index-url", metavar="URL", help="pylock: the index to lock against (pip's, else PyPI)"
    )
    env.set_defaults(handler=_env)


def _env(store: Store, args: argparse.Namespace) -> str:
    run = store.get_run(args.run)
    snapshot = store.get_environment(run.env_hash) if run.env_hash else None
    if snapshot is None:
        raise NbtrailError(f"run {run.id} has no environment snapshot")
    extra = {"index": args.index_url} if args.format == "pylock" else {}
    text = WRITERS[args.format](snapshot, run.id, **extra)
    if args.out is None:
        return text.rstrip("\n")
    try:
        args.out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise NbtrailError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    return f"wrote {args.format} for run {run.id} to {args.out}"
