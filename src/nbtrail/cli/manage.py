"""``nbtrail tag | untag | note | rename | archive | restore | delete | gc``: editing runs.

Archive hides a run from lists (``runs --archived`` shows it); delete hides it
too, until ``gc`` removes it for good, as MLflow's delete and ``mlflow gc`` do.
Every command takes run references as displayed (see ``nbtrail show``).
"""

from __future__ import annotations

import argparse
from typing import Any

from nbtrail.cli.common import RUN_HELP
from nbtrail.errors import NbtrailError
from nbtrail.records import Lifecycle, Run, parse_tag
from nbtrail.store import Store


def register(commands: Any) -> None:
    """Add this module's subcommands to the ``nbtrail`` parser."""
    tag = commands.add_parser("tag", help="set tags on a run: KEY=VALUE (or KEY)")
    tag.add_argument("run", help=RUN_HELP)
    tag.add_argument("tags", nargs="+", metavar="KEY[=VALUE]")
    tag.set_defaults(handler=_tag)

    untag = commands.add_parser("untag", help="remove tags from a run by key")
    untag.add_argument("run", help=RUN_HELP)
    untag.add_argument("keys", nargs="+", metavar="KEY")
    untag.set_defaults(handler=_untag)

    note = commands.add_parser("note", help="set a run's note ('' clears it)")
    note.add_argument("run", help=RUN_HELP)
    note.add_argument("text")
    note.set_defaults(handler=_note)

    rename = commands.add_parser("rename", help="rename a run")
    rename.add_argument("run", help=RUN_HELP)
    rename.add_argument("name")
    rename.set_defaults(handler=_rename)

    for command, lifecycle, text in (
        ("archive", "archived", "hide runs from lists (runs --archived shows them)"),
        ("restore", "active", "bring archived or deleted runs back"),
        ("delete", "deleted", "delete runs (gone for good at the next gc)"),
    ):
        parser = commands.add_parser(command, help=text)
        parser.add_argument("runs", nargs="+", metavar="RUN", help=RUN_HELP)
        parser.set_defaults(handler=_lifecycle, lifecycle=lifecycle, verb=command)

    gc = commands.add_parser("gc", help="remove deleted runs and objects nothing refers to")
    gc.add_argument("--dry-run", action="store_true", help="say what would go, remove nothing")
    gc.add_argument(
        "--grace", type=float, default=3600.0, metavar="S",
        help="keep objects younger than S seconds: a running cell may not have saved its "
        "run yet (default 3600)",
    )  # fmt: skip
    gc.set_defaults(handler=_gc)


def _line(store: Store, run: Run, what: str) -> str:
    return f"{store.short_id(run.id)}  {run.name}: {what}"


def _tag(store: Store, args: argparse.Namespace) -> str:
    tags = dict(parse_tag(text) for text in args.tags)
    if any(not key for key in tags):
        raise NbtrailError("a tag needs a key: KEY=VALUE or KEY")
    run = store.set_tags(args.run, tags)
    shown = ", ".join(f"{k}={v}" if v else k for k, v in run.tags.items())
    return _line(store, run, f"tags {shown}")


def _untag(store: Store, args: argparse.Namespace) -> str:
    run = store.remove_tags(args.run, args.keys)
    shown = ", ".join(f"{k}={v}" if v else k for k, v in run.tags.items()) or "none"
    return _line(store, run, f"tags {shown}")


def _note(store: Store, args: argparse.Namespace) -> str:
    run = store.update_run(args.run, note=args.text)
    return _line(store, run, f"note {run.note!r}" if run.note else "note cleared")


def _rename(store: Store, args: argparse.Namespace) -> str:
    if not args.name.strip():
        raise NbtrailError("a run's name cannot be empty")
    before = store.get_run(args.run)
    run = store.update_run(before.id, name=args.name)
    return _line(store, run, f"renamed from {before.name!r}")


def _lifecycle(store: Store, args: argparse.Namespace) -> str:
    """All references are resolved first, so a typo changes nothing."""
    ids = [store.resolve_run_id(reference) for reference in args.runs]
    lifecycle: Lifecycle = args.lifecycle
    if lifecycle == "deleted":
        needed = {v.run: v for v in store.list_model_versions() if v.run in ids}
        if needed:
            run_id, version = next(iter(needed.items()))
            raise NbtrailError(
                f"run {store.short_id(run_id)} made model {version.name} v{version.version}; "
                "archive it instead (nothing was deleted)"
            )
    done = {"archive": "archived", "restore": "restored", "delete": "deleted (until gc)"}
    runs = [store.update_run(run_id, lifecycle=lifecycle) for run_id in ids]
    return "\n".join(_line(store, run, done[args.verb]) for run in runs)


def _gc(store: Store, args: argparse.Namespace) -> str:
    report = store.collect_garbage(older_than=max(0.0, args.grace), dry_run=args.dry_run)
    would = "would remove" if report.dry_run else "removed"
    lines = [
        f"{would} {len(report.purged_runs)} deleted run(s) and {report.objects_removed} "
        f"object(s), {report.bytes_freed / 1e6:.1f} MB"
    ]
    if report.kept_runs:
        lines.append(
            f"kept {len(report.kept_runs)} deleted run(s) that registered model versions need"
        )
    return "\n".join(lines)
