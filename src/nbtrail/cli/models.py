"""``nbtrail models list|show|register|history|promote|package|load``: the model registry."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from nbtrail.cli.common import RUN_HELP
from nbtrail.errors import NbtrailError
from nbtrail.models import aliases, packaging, payloads, registry, serialize
from nbtrail.records import AliasEvent, parse_tag
from nbtrail.store import Store

URI_HELP = "models:/NAME/VERSION, models:/NAME@ALIAS (or NAME: the latest version)"
TRUST_HELP = "a type to trust when loading (repeat); never read from the file"


def register(commands: Any) -> None:
    """Add ``nbtrail models ...`` to the ``nbtrail`` parser."""
    models = commands.add_parser("models", help="registered models, aliases, packages")
    sub = models.add_subparsers(dest="models_command", required=True, metavar="ACTION")

    listing = sub.add_parser("list", help="registered models with their versions and aliases")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)

    show = sub.add_parser("show", help="one version: its run, data, params, metrics")
    show.add_argument("model", help=URI_HELP)
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_show)

    reg = sub.add_parser("register", help="register a run's model as the next version")
    reg.add_argument("run", help=RUN_HELP)
    reg.add_argument("name", help="model name")
    reg.add_argument("--model", help="the variable (optional when the run wrote one model)")
    reg.add_argument("--description", default="")
    reg.set_defaults(handler=_register)

    hist = sub.add_parser("history", help="every alias move (who, when, gates)")
    hist.add_argument("name")
    hist.add_argument("--alias", help="only this alias")
    hist.add_argument("--at", help="the aliases in effect at DATE (YYYY-MM-DD: end of that day)")
    hist.add_argument("--json", action="store_true")
    hist.set_defaults(handler=_history)

    promote = sub.add_parser("promote", help="move an alias to a version, through gates")
    promote.add_argument("name")
    promote.add_argument("version", type=int)
    promote.add_argument("alias")
    promote.add_argument("--verify", action="store_true", help="re-run the version's run now")
    promote.add_argument("--require", help='conditions, e.g. "metrics.accuracy >= 0.95"')
    promote.add_argument("--force", action="store_true", help="skip the gates (recorded)")
    promote.set_defaults(handler=_promote)

    unalias = sub.add_parser("unalias", help="take an alias off its version (recorded)")
    unalias.add_argument("name")
    unalias.add_argument("alias")
    unalias.set_defaults(handler=_unalias)

    describe = sub.add_parser("describe", help="set a version's description")
    describe.add_argument("name")
    describe.add_argument("version", type=int)
    describe.add_argument("text")
    describe.set_defaults(handler=_describe)

    tag = sub.add_parser("tag", help="set tags on a version: KEY=VALUE (KEY= removes one)")
    tag.add_argument("name")
    tag.add_argument("version", type=int)
    tag.add_argument("tags", nargs="+", metavar="KEY[=VALUE]")
    tag.set_defaults(handler=_tag)

    pack = sub.add_parser("package", help="write a version as skops, ONNX or an MLflow model")
    pack.add_argument("model", help=URI_HELP)
    pack.add_argument("--format", required=True, choices=packaging.FORMATS, dest="fmt")
    pack.add_argument("--out", required=True, help="folder to write into")
    pack.add_argument("--trust", action="append", default=[], help=TRUST_HELP)
    pack.set_defaults(handler=_package)

    load = sub.add_parser("load", help="load a version (checks the types it needs)")
    load.add_argument("model", help=URI_HELP)
    load.add_argument("--trust", action="append", default=[], help=TRUST_HELP)
    load.set_defaults(handler=_load)


def _list(store: Store, args: argparse.Namespace) -> str:
    rows = payloads.model_list(store)
    if args.json:
        return json.dumps(rows, indent=2)
    if not rows:
        return "no registered models"
    lines = [f"{'NAME':<24} {'VERSIONS':>8} {'LATEST':>6}  ALIASES"]
    for row in rows:
        named = ", ".join(f"{a}=v{v}" for a, v in sorted(row["aliases"].items()))
        lines.append(f"{row['name']:<24} {row['versions']:>8} {row['latest']:>6}  {named}")
    return "\n".join(lines)


def _show(store: Store, args: argparse.Namespace) -> str:
    version = registry.resolve(store, args.model)
    detail = payloads.version_detail(store, version)
    names = detail["aliases"]
    if args.json:
        return json.dumps(detail, indent=2, default=str)
    lineage = version.lineage
    lines = [
        f"{version.uri}  {version.class_name}",
        f"run:       {version.run[-8:]} ({lineage.get('run_name', '')}) variable {version.binding}",
        f"aliases:   {', '.join(names) or '-'}",
        f"created:   {_when(version.created)}",
        f"notebook:  {lineage.get('notebook') or '-'}",
        f"params:    {_pairs(lineage.get('params', {}))}",
        f"metrics:   {_pairs(lineage.get('metrics', {}))}",
        f"example:   {'logged' if version.input_example else 'none logged'}",
    ]
    for data in lineage.get("training_data", ()):
        shape = data.get("summary", {}).get("shape")
        lines.append(f"data:      {data['name']} ({data['kind']} {shape or ''}) {data['hash']}")
    return "\n".join(lines)


def _register(store: Store, args: argparse.Namespace) -> str:
    version = registry.register(store, args.run, args.name, args.model,
                                description=args.description)  # fmt: skip
    return f"registered {version.uri} from run {version.run[-8:]} ({version.binding})"


def _history(store: Store, args: argparse.Namespace) -> str:
    at = aliases.parse_when(args.at) if args.at else None
    events = aliases.history(store, args.name, args.alias, at)
    if args.json:
        return json.dumps([e.to_dict() for e in events], indent=2)
    if not events:
        return f"no alias of {args.name} was set" + (f" by {args.at}" if args.at else "")
    return "\n".join(_event_line(e) for e in events)


def _event_line(event: AliasEvent) -> str:
    if event.version == aliases.REMOVED:
        previous = f"v{event.previous} -> removed" if event.previous else "removed"
        return f"{_when(event.time)}  {event.alias:<12} {previous:<12} {event.who}"
    moved = f"v{event.previous} -> v{event.version}" if event.previous else f"-> v{event.version}"
    gates = ", ".join(f"{g.gate} {'ok' if g.passed else 'FAILED'}" for g in event.gates)
    forced = "  FORCED" if event.forced else ""
    return f"{_when(event.time)}  {event.alias:<12} {moved:<12} {event.who}  [{gates}]{forced}"


def _promote(store: Store, args: argparse.Namespace) -> str:
    event = aliases.promote(store, args.name, args.alias, args.version, require=args.require,
                            verify=args.verify, force=args.force)  # fmt: skip
    return f"{args.name}@{args.alias} -> version {event.version}\n{_event_line(event)}"


def _unalias(store: Store, args: argparse.Namespace) -> str:
    event = aliases.remove_alias(store, args.name, args.alias)
    return f"{args.name}@{args.alias} removed\n{_event_line(event)}"


def _describe(store: Store, args: argparse.Namespace) -> str:
    version = store.update_model_version(args.name, args.version, description=args.text)
    return f"{version.uri}: {version.description!r}"


def _tag(store: Store, args: argparse.Namespace) -> str:
    """``KEY=VALUE`` sets, ``KEY`` sets a bare tag, ``KEY=`` removes the key."""
    current = dict(parse_tag(t) for t in store.get_model_version(args.name, args.version).tags)
    for text in args.tags:
        key, value = parse_tag(text)
        if not key:
            raise NbtrailError("a tag needs a key: KEY=VALUE or KEY")
        if text.rstrip().endswith("=") and not value:
            current.pop(key, None)
        else:
            current[key] = value
    tags = [f"{k}={v}" if v else k for k, v in current.items()]
    version = store.update_model_version(args.name, args.version, tags=tags)
    return f"{version.uri}: tags {', '.join(version.tags) or 'none'}"


def _package(store: Store, args: argparse.Namespace) -> str:
    result = packaging.package(store, args.model, args.fmt, args.out, args.trust)
    details = ""
    if "max_abs_diff" in result.details:
        details = f" (onnxruntime parity: max difference {result.details['max_abs_diff']:.3g})"
    return f"wrote {result.path}{details}"


def _load(store: Store, args: argparse.Namespace) -> str:
    version = registry.resolve(store, args.model)
    data = serialize.object_bytes(store, version.object)
    untrusted = serialize.untrusted_types(data)
    model = serialize.loads_model(data, args.trust)
    needed = f"; trusted by you: {', '.join(untrusted)}" if untrusted else ""
    return f"loaded {version.uri}: {type(model).__module__}.{type(model).__qualname__}{needed}"


def _when(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


def _pairs(values: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in values.items()) or "-"
