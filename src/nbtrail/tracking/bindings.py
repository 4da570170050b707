"""Which namespace values become a run's inputs and outputs, and their records."""

from __future__ import annotations

import types
from collections.abc import Collection, Mapping
from typing import Any

from nbtrail.capture.hashing import content_hash
from nbtrail.capture.names import CellNames
from nbtrail.capture.values import describe_value
from nbtrail.records import Binding


def is_data_name(name: str, value: Any) -> bool:
    """Whether a name is worth a binding: not private, not library code.

    Modules and functions or classes imported from packages are how a cell
    works, not what it works on; the environment snapshot already pins them.
    Functions and classes the notebook defines itself are kept.
    """
    if name.startswith("_"):
        return False
    if isinstance(value, types.ModuleType):
        return False
    if isinstance(value, type | types.FunctionType | types.BuiltinFunctionType):
        return getattr(value, "__module__", None) == "__main__"
    return True


def binding(name: str, direction: str, value: Any) -> Binding:
    record = describe_value(value)
    return Binding(name, direction, record.kind, record.hash, record.summary)  # type: ignore[arg-type]


def input_bindings(names: CellNames, namespace: Mapping[str, Any]) -> dict[str, Binding]:
    """The values a cell reads that exist before it runs."""
    return {
        name: binding(name, "in", namespace[name])
        for name in names.reads
        if name in namespace and is_data_name(name, namespace[name])
    }


def output_bindings(
    names: CellNames,
    inputs: Mapping[str, Binding],
    namespace: Mapping[str, Any],
    names_before: Collection[str],
) -> list[Binding]:
    """Names the cell bound, names that appeared, and read names whose content it changed."""
    # Names bound where the AST cannot see (magics, exec) still count.
    appeared = [n for n in namespace if n not in names_before]
    written = dict.fromkeys([*names.writes, *appeared])
    out = [
        binding(name, "out", namespace[name])
        for name in written
        if name in namespace and is_data_name(name, namespace[name])
    ]
    for name in names.mutated:
        before = inputs.get(name)
        if before is None or name not in namespace or name in names.writes:
            continue
        if same_content(namespace[name], before.hash):
            continue  # hash only: a summary is needed just for what changed
        out.append(binding(name, "out", namespace[name]))
    return out


def same_content(value: Any, digest: str | None) -> bool:
    """Whether ``value`` still hashes to ``digest`` (unknown counts as the same)."""
    try:
        return content_hash(value).hash == digest
    except Exception:
        return digest is None
