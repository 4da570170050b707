"""Which names a cell reads and writes, found from its AST before it runs.

Statements are walked in order, so a name the cell assigns before using it is
not an input (``df = load(); df.mean()`` reads nothing). Names that are the
receiver of a method call or of an item/attribute assignment are also
*possibly mutated* (``model.fit(X, y)``, ``df["c"] = 0``): the tracker hashes
them again afterwards and records them as outputs when their content changed.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field

_BUILTINS = frozenset(dir(builtins))
_TOP_LEVEL_AWAIT = getattr(ast, "PyCF_ALLOW_TOP_LEVEL_AWAIT", 0)


@dataclass(frozen=True)
class CellNames:
    reads: tuple[str, ...]  # names read before the cell assigns them, in order
    writes: tuple[str, ...]  # names bound at module level, in order
    mutated: tuple[str, ...]  # read names the cell may change in place
    strings: tuple[str, ...] = ()  # string literals: candidate file paths


def parse_cell(code: str) -> ast.Module:
    """Parse transformed cell code, allowing top-level ``await`` as IPython does."""
    tree = compile(code, "<cell>", "exec", flags=ast.PyCF_ONLY_AST | _TOP_LEVEL_AWAIT)
    assert isinstance(tree, ast.Module)
    return tree


def analyse_cell(code: str) -> CellNames:
    """Reads, writes and possible mutations of a cell (Python code, magics expanded)."""
    return analyse_tree(parse_cell(code))


def analyse_tree(tree: ast.Module) -> CellNames:
    """:func:`analyse_cell` for a cell already parsed."""
    visitor = _ModuleVisitor()
    for statement in tree.body:
        visitor.visit(statement)
    reads = [n for n in visitor.reads if n not in _BUILTINS or n in visitor.shadowed]
    mutated = [n for n in visitor.mutated if n in visitor.reads]
    strings = dict.fromkeys(
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    )
    return CellNames(tuple(reads), tuple(visitor.writes), tuple(mutated), tuple(strings))


@dataclass
class _Ordered:
    items: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    def add(self, name: str) -> None:
        if name not in self.seen:
            self.seen.add(name)
            self.items.append(name)


class _ModuleVisitor(ast.NodeVisitor):
    """Walks module-level code in execution order."""

    def __init__(self) -> None:
        self._reads = _Ordered()
        self._writes = _Ordered()
        self._mutated = _Ordered()
        self.shadowed: set[str] = set()

    @property
    def reads(self) -> list[str]:
        return self._reads.items

    @property
    def writes(self) -> list[str]:
        return self._writes.items

    @property
    def mutated(self) -> list[str]:
        return self._mutated.items

    def _load(self, name: str) -> None:
        if name not in self._writes.seen:
            self._reads.add(name)

    def _store(self, name: str) -> None:
        self._writes.add(name)
        if name in _BUILTINS:
            self.shadowed.add(name)

    # -- bindings -----------------------------------------------------------
    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self._load(node.id)
        else:
            self._store(node.id)

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        for target in node.targets:
            self.visit(target)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
        self.visit(node.target)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.target, ast.Name):
            self._load(node.target.id)
            self.visit(node.value)
            self._store(node.target.id)
        else:
            self.visit(node.target)
            self.visit(node.value)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        self._store(node.target.id)

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self.visit(node.iter)
        self.visit(node.target)
        for statement in [*node.body, *node.orelse]:
            self.visit(statement)

    visit_AsyncFor = visit_For

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name != "*":
                self._store(alias.asname or alias.name.split(".")[0])

    visit_ImportFrom = visit_Import

    def visit_Global(self, node: ast.Global) -> None:
        return None

    # -- mutation -----------------------------------------------------------
    def visit_Attribute(self, node: ast.Attribute) -> None:
        if not isinstance(node.ctx, ast.Load):
            self._mark_mutated(node.value)
        self.visit(node.value)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if not isinstance(node.ctx, ast.Load):
            self._mark_mutated(node.value)
        self.visit(node.value)
        self.visit(node.slice)

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Attribute):
            self._mark_mutated(node.func.value)
        self.generic_visit(node)

    def _mark_mutated(self, node: ast.expr) -> None:
        while isinstance(node, ast.Attribute | ast.Subscript):
            node = node.value
        if isinstance(node, ast.Name) and node.id not in self._writes.seen:
            self._mutated.add(node.id)
            self._reads.add(node.id)

    # -- nested scopes: their free names are reads of the module namespace --
    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            self.visit(decorator)
        for default in [*node.args.defaults, *node.args.kw_defaults]:
            if default is not None:
                self.visit(default)
        self._store(node.name)
        self._free_names(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expr in [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]:
            self.visit(expr)
        self._store(node.name)
        self._free_names(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._free_names(node)

    def _comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp) -> None:
        self._free_names(node)

    visit_ListComp = visit_SetComp = visit_GeneratorExp = _comprehension

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self._free_names(node)

    def _free_names(self, scope: ast.AST) -> None:
        """Names a nested scope loads but never binds: reads of the cell's namespace."""
        bound: set[str] = set()
        loaded: list[str] = []
        for child in ast.walk(scope):
            if isinstance(child, ast.Name):
                (loaded.append if isinstance(child.ctx, ast.Load) else bound.add)(child.id)
            elif isinstance(child, ast.arg):
                bound.add(child.arg)
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                if child is not scope:
                    bound.add(child.name)
            elif isinstance(child, ast.alias):
                bound.add(child.asname or child.name.split(".")[0])
        for name in loaded:
            if name not in bound:
                self._load(name)
