"""The one filter language: MLflow's run-search syntax, plus OR, NOT and free text.

Every surface (``nbtrail runs --filter``, ``nbtrail.runs(filter=...)``,
``GET runs?filter=``, the sidebar and the widgets, ``--require`` gates) parses
with this module, so an expression means the same everywhere. It is the
subset of MLflow's ``search_runs`` syntax people already type::

    params.lr = '0.05' AND metrics.accuracy > 0.95
    tags.stage = 'candidate' AND attributes.status = 'failed'
    name LIKE 'forest%' AND notebook = 'train.ipynb'

plus what MLflow lacks: ``OR``, ``NOT``, parentheses, ``IS [NOT] NULL`` (has
the key or not) and free text (a word or quoted string that is not a
condition matches names, notebooks, notes, tags and params). Juxtaposed terms
are joined by AND, so ``forest metrics.accuracy > 0.9`` works.

Grammar::

    expr       := and ("OR" and)*
    and        := unary (["AND"] unary)*
    unary      := "NOT" unary | "(" expr ")" | condition | text
    condition  := field OP value | field [NOT] IN "(" value ("," value)* ")"
                | field [NOT] (LIKE | ILIKE) string | field IS [NOT] NULL
    field      := (params|metrics|tags|attributes) "." key | attribute
    key        := word | `quoted` | "quoted"
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Literal

from nbtrail.errors import NbtrailError

FieldKind = Literal["param", "metric", "tag", "attribute"]
Value = str | float

PREFIXES: dict[str, FieldKind] = {
    "params": "param", "param": "param",
    "metrics": "metric", "metric": "metric",
    "tags": "tag", "tag": "tag",
    "attributes": "attribute", "attribute": "attribute", "attr": "attribute",
}  # fmt: skip

#: Attribute -> its value type. ``text`` compares as text, ``number`` and
#: ``time`` as numbers (a time also takes an ISO date such as '2026-11-01').
ATTRIBUTES: dict[str, Literal["text", "number", "time"]] = {
    "run_id": "text", "name": "text", "status": "text", "notebook": "text",
    "cell_id": "text", "batch": "text", "session": "text", "parent": "text",
    "note": "text", "lifecycle": "text", "started": "time", "ended": "time",
    "duration": "number", "execution_count": "number",
}  # fmt: skip

#: MLflow's spellings and short forms of the same attributes.
ATTRIBUTE_ALIASES = {
    "id": "run_id", "run_name": "name", "start_time": "started", "end_time": "ended",
    "cell": "cell_id", "lifecycle_stage": "lifecycle",
}  # fmt: skip

COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")
KEYWORDS = {"AND", "OR", "NOT", "IN", "LIKE", "ILIKE", "IS", "NULL", "ASC", "DESC"}

_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<string>'(?:[^']|'')*'|"(?:[^"]|"")*")
    | (?P<backquoted>`[^`]*`)
    | (?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\w.]))
    | (?P<op><=|>=|!=|<>|==|=|<|>)
    | (?P<punct>[(),])
    | (?P<word>[^\s'"`()<>=!,]+)
    """,
    re.VERBOSE,
)


class FilterError(NbtrailError):
    """A filter that cannot be parsed or means nothing; the message names the position."""


@dataclass(frozen=True)
class Token:
    kind: str  # string, backquoted, number, op, punct, word, end
    text: str
    pos: int  # 1-based column in the expression

    @property
    def keyword(self) -> str | None:
        return self.text.upper() if self.kind == "word" and self.text.upper() in KEYWORDS else None


@dataclass(frozen=True)
class Field:
    kind: FieldKind
    key: str  # for attributes, the canonical name (ATTRIBUTES)

    def __str__(self) -> str:
        scope = {"param": "params", "metric": "metrics", "tag": "tags"}.get(self.kind)
        if scope is None:
            return self.key
        plain = re.fullmatch(r"[^\s'\"`()<>=!,]+", self.key) and "`" not in self.key
        return f"{scope}.{self.key}" if plain else f"{scope}.`{self.key}`"


@dataclass(frozen=True)
class Comparison:
    field: Field
    op: str  # = != < <= > >= LIKE ILIKE NOT LIKE NOT ILIKE IN NOT IN IS NULL IS NOT NULL
    values: tuple[Value, ...]  # one for comparisons and LIKE, many for IN, none for IS
    pos: int


@dataclass(frozen=True)
class Text:
    """Free text: a substring of a name, notebook, note, tag or param (any case)."""

    text: str


@dataclass(frozen=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    part: Node


Node = Comparison | Text | And | Or | Not


def tokenize(expression: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(expression):
        match = _TOKEN.match(expression, pos)
        if match is None:  # an unclosed quote: nothing else fails to match
            raise FilterError(f"filter: unclosed quote at position {pos + 1}")
        kind = match.lastgroup or "space"
        if kind != "space":
            tokens.append(Token(kind, match.group(), pos + 1))
        pos = match.end()
    tokens.append(Token("end", "", len(expression) + 1))
    return tokens


def parse(expression: str) -> Node | None:
    """The expression's tree, ``None`` for an empty one; FilterError names the position."""
    if len(expression) > 10_000:
        raise FilterError("filter: longer than 10,000 characters")
    parser = _Parser(tokenize(expression))
    if parser.peek().kind == "end":
        return None
    node = parser.expr()
    if parser.peek().kind != "end":
        token = parser.peek()
        raise FilterError(f"filter: unexpected {token.text!r} at position {token.pos}")
    return node


def parse_field(text: str, pos: int = 1) -> Field:
    """``params.lr``, ``metrics.`val loss```, ``status``, ``attributes.start_time``."""
    tokens = tokenize(text)
    parser = _Parser(tokens)
    field = parser.field(parser.take())
    if parser.peek().kind != "end":
        raise FilterError(f"filter: unexpected {parser.peek().text!r} at position {pos}")
    return field


def parse_order(text: str) -> tuple[Field, bool | None]:
    """``"metrics.accuracy DESC"`` -> (field, True); no ASC/DESC -> (field, None)."""
    words = text.strip().rsplit(None, 1)
    descending: bool | None = None
    if len(words) == 2 and words[1].upper() in ("ASC", "DESC"):
        text, descending = words[0], words[1].upper() == "DESC"
    if not text.strip():
        raise FilterError("order: name a column, e.g. 'metrics.accuracy DESC'")
    return parse_field(text.strip()), descending


def time_value(value: Value, pos: int) -> float:
    """Seconds since the epoch from a number or an ISO 8601 date (UTC when no zone)."""
    if isinstance(value, float):
        return value
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise FilterError(
            f"filter: {value!r} at position {pos} is not a date (use e.g. '2026-11-01')"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.timestamp()


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.at = 0

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.at + ahead, len(self.tokens) - 1)]

    def take(self) -> Token:
        token = self.peek()
        self.at = min(self.at + 1, len(self.tokens) - 1)
        return token

    def expect(self, text: str, what: str) -> Token:
        token = self.take()
        if token.text.upper() != text:
            found = "the end" if token.kind == "end" else repr(token.text)
            raise FilterError(f"filter: expected {what} at position {token.pos}, found {found}")
        return token

    def expr(self) -> Node:
        parts = [self.conjunction()]
        while self.peek().keyword == "OR":
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def conjunction(self) -> Node:
        parts = [self.unary()]
        while True:
            token = self.peek()
            if token.keyword == "AND":
                self.take()
            elif token.kind == "end" or token.text == ")" or token.keyword == "OR":
                break
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self) -> Node:
        token = self.peek()
        if token.keyword == "NOT":
            self.take()
            return Not(self.unary())
        if token.text == "(" and token.kind == "punct":
            self.take()
            node = self.expr()
            self.expect(")", "')'")
            return node
        if token.kind in ("word", "backquoted") and not token.keyword and self._starts_condition():
            return self.condition()
        if token.kind in ("word", "string", "number") and token.keyword is None:
            self.take()
            return Text(_unquote(token) if token.kind == "string" else token.text)
        found = "the end" if token.kind == "end" else repr(token.text)
        raise FilterError(f"filter: expected a condition at position {token.pos}, found {found}")

    def _starts_condition(self) -> bool:
        """A word followed by an operator (or a scope prefix) begins a condition."""
        first, second = self.peek(), self.peek(1)
        scope, dot, _ = first.text.partition(".")
        if first.kind == "word" and dot and scope.lower() in PREFIXES:
            return True  # params.lr, params.`key with spaces`
        return second.kind == "op" or second.keyword in ("IN", "LIKE", "ILIKE", "IS", "NOT")

    def field(self, token: Token) -> Field:
        text = token.text
        if token.kind == "backquoted":
            return _attribute(text[1:-1], token.pos)
        scope, dot, key = text.partition(".")
        if dot and scope.lower() in PREFIXES:
            if not key:  # params.`key with spaces` / params."key"
                quoted = self.take()
                if quoted.kind not in ("backquoted", "string"):
                    raise FilterError(
                        f"filter: expected a key after {text!r} at position {quoted.pos}"
                    )
                key = quoted.text[1:-1]
            kind = PREFIXES[scope.lower()]
            return _attribute(key, token.pos) if kind == "attribute" else Field(kind, key)
        if dot:
            raise FilterError(
                f"filter: unknown scope {scope!r} at position {token.pos} "
                "(use params., metrics., tags. or attributes.)"
            )
        return _attribute(text, token.pos)

    def condition(self) -> Comparison:
        start = self.take()
        field = self.field(start)
        token = self.take()
        op = token.text.upper()
        if token.kind == "op":
            op = {"==": "=", "<>": "!="}.get(op, op)
            return Comparison(field, op, (self.value(),), start.pos)
        negated = op == "NOT"
        if negated:
            token = self.take()
            op = token.text.upper()
        if op in ("LIKE", "ILIKE"):
            pattern = self.take()
            if pattern.kind != "string":
                raise FilterError(f"filter: {op} needs a quoted pattern at position {pattern.pos}")
            return Comparison(
                field, ("NOT " if negated else "") + op, (_unquote(pattern),), start.pos
            )
        if op == "IN":
            return Comparison(field, "NOT IN" if negated else "IN", self.value_list(), start.pos)
        if op == "IS" and not negated:
            is_not = self.peek().keyword == "NOT"
            if is_not:
                self.take()
            self.expect("NULL", "NULL")
            return Comparison(field, "IS NOT NULL" if is_not else "IS NULL", (), start.pos)
        found = "the end" if token.kind == "end" else repr(token.text)
        raise FilterError(
            f"filter: expected an operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, IS) after "
            f"{str(field)!r} at position {token.pos}, found {found}"
        )

    def value(self) -> Value:
        token = self.take()
        if token.kind == "string":
            return _unquote(token)
        if token.kind == "number":
            return float(token.text)
        if token.kind == "word" and token.text.lower() in ("true", "false"):
            return token.text.lower()  # a boolean param's text, as JSON spells it
        if token.kind == "word" and token.keyword is None:
            return token.text  # status = failed: an unquoted word after an operator is text
        found = "the end" if token.kind == "end" else repr(token.text)
        raise FilterError(
            f"filter: expected a value ('text' or a number) at position {token.pos}, found {found}"
        )

    def value_list(self) -> tuple[Value, ...]:
        self.expect("(", "'(' after IN")
        values = [self.value()]
        while self.peek().text == ",":
            self.take()
            values.append(self.value())
        self.expect(")", "')' closing IN")
        return tuple(values)


def _attribute(name: str, pos: int) -> Field:
    canonical = ATTRIBUTE_ALIASES.get(name.lower(), name.lower())
    if canonical not in ATTRIBUTES:
        known = ", ".join(sorted(ATTRIBUTES))
        raise FilterError(f"filter: unknown attribute {name!r} at position {pos} (known: {known})")
    return Field("attribute", canonical)


def _unquote(token: Token) -> str:
    quote = token.text[0]
    return token.text[1:-1].replace(quote * 2, quote)
