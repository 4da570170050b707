"""What a run must never store: values bound to secret names, credential-shaped text.

Two tests, both cheap and deliberately eager:

- a *name* test (variables, dictionary keys, params): its words (split at
  ``_``, digits and camelCase) include ``password``, ``secret``, ``token``,
  ``credential``..., or a pair such as ``api key`` / ``private key``;
- a *shape* test on text anywhere in a record: URLs with a password, bearer
  tokens, private-key blocks and the well-known key formats (AWS, GitHub,
  GitLab, Slack, Stripe, OpenAI, Google, JWTs).

A value so found is stored as ``"<redacted>"``; its content hash stays, so a
re-run still tells the same secret from a different one. Extra name patterns
(regular expressions, matched case-insensitively anywhere in the name) come from
``nbtrail.configure(secret_patterns=[...])`` or ``$NBTRAIL_SECRET_PATTERNS``
(comma-separated).
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import re
from collections.abc import Callable, Collection, Iterable
from typing import Any

REDACTED = "<redacted>"
PATTERNS_ENV = "NBTRAIL_SECRET_PATTERNS"
#: Shorter values bound to secret names are not searched for elsewhere (too common).
MIN_SECRET = 4

_SECRET_WORDS = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "passphrase",
        "secret",
        "secrets",
        "token",
        "apikey",
        "credential",
        "credentials",
        "cred",
        "creds",
        "bearer",
        "cookie",
        "dsn",
        "jwt",
        "otp",
        "privatekey",
        "auth",
    }
)
_SECRET_PAIRS = frozenset(
    {
        ("api", "key"),
        ("private", "key"),
        ("access", "key"),
        ("secret", "key"),
        ("signing", "key"),
        ("client", "secret"),
        ("session", "key"),
        ("conn", "str"),
        ("connection", "string"),
    }
)
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")

# Credential shapes. Each group 1 is what is kept around the redaction.
_SHAPES: tuple[re.Pattern[str], ...] = (
    # scheme://user:password@host -> the password goes
    re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]*:)[^\s@/]+(?=@)"),
    re.compile(r"((?i:bearer)\s+)[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"((?i:authorization)[\"']?\s*[:=]\s*[\"']?(?:\w+\s+)?)[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(
        r"()-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)"
    ),
    re.compile(r"()\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    re.compile(r"()\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})"),
    re.compile(r"()\bglpat-[A-Za-z0-9_-]{20,}"),
    re.compile(r"()\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    re.compile(r"()\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}"),
    re.compile(r"()\bsk-[A-Za-z0-9_-]{20,}"),
    re.compile(r"()\bAIza[0-9A-Za-z_-]{35}"),
    re.compile(r"()\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
)
# A cheap first look: text without any of these cannot match a shape.
_HINTS = re.compile(
    r"://|bearer|authorization|PRIVATE KEY|AKIA|ASIA|gh[pousr]_|github_pat|glpat|xox"
    r"|_live_|_test_|sk-|AIza|eyJ",
    re.IGNORECASE,
)

_extra_patterns: tuple[str, ...] = ()


def configure_patterns(patterns: Iterable[str] | None) -> None:
    """Extra secret-name patterns for this process (``None`` resets)."""
    global _extra_patterns
    _extra_patterns = tuple(patterns or ())
    _extra_regex.cache_clear()
    is_secret_name.cache_clear()


@functools.cache
def _extra_regex(env_value: str) -> re.Pattern[str] | None:
    patterns = [*_extra_patterns, *(p.strip() for p in env_value.split(",") if p.strip())]
    valid = []
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error:
            continue  # a bad pattern must not break tracking; the rest still apply
        valid.append(f"(?:{pattern})")
    return re.compile("|".join(valid), re.IGNORECASE) if valid else None


def _env_patterns() -> str:
    return os.environ.get(PATTERNS_ENV, "")


def secret_name(name: Any) -> bool:
    """Whether a variable, key or param name looks like it holds a secret."""
    return name_test()(name)


def name_test() -> Callable[[Any], bool]:
    """:func:`secret_name` with the extra patterns read now: one lookup per record."""
    extra = _extra_regex(_env_patterns())

    def test(name: Any) -> bool:
        if not isinstance(name, str) or not name:
            return False
        return is_secret_name(name) or (extra is not None and extra.search(name) is not None)

    return test


@functools.lru_cache(maxsize=4096)
def is_secret_name(name: str) -> bool:
    """The built-in name test (cached: cells read the same names again and again)."""
    words = [w.lower() for w in _WORD.findall(name)]
    if any(w in _SECRET_WORDS for w in words):
        return True
    if any(pair in _SECRET_PAIRS for pair in itertools.pairwise(words)):
        return True
    joined = "".join(words)
    return any(word in joined for word in ("password", "passwd", "apikey", "privatekey", "secret"))


def redact_text(text: str, known: Collection[str] = ()) -> str:
    """``text`` with credential-shaped parts and ``known`` secret values redacted."""
    for secret in known:
        if secret in text:
            text = text.replace(secret, REDACTED)
    if not _HINTS.search(text):
        return text
    for shape in _SHAPES:
        text = shape.sub(lambda m: m.group(1) + REDACTED, text)
    return text


# Anything the name test or a shape could match contains one of these, lowercased.
# Plain substrings: one big case-blind regex takes ~1 ms on a small record.
_ANY_WORD = (
    *sorted(_SECRET_WORDS),
    *("://", "bearer", "authorization", "private key", "akia", "asia", "github_pat"),
    *("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "glpat", "xox", "_live_", "_test_", "sk-"),
    *("aiza", "eyj"),
)
_ANY_PAIR = tuple(_SECRET_PAIRS)


def may_hold_secret(text: str, known: Collection[str] = ()) -> bool:
    """Whether ``text`` (a record as JSON) could hold anything to redact: a cheap test.

    False means :func:`redact` would change nothing; True means: look closer.
    """
    if _extra_regex(_env_patterns()) is not None:
        return True
    low = text.lower()
    if any(word in low for word in _ANY_WORD):
        return True
    if any(first in low and second in low for first, second in _ANY_PAIR):
        return True
    return any(secret in text or json.dumps(secret)[1:-1] in text for secret in known)


def looks_secret(text: str) -> bool:
    return redact_text(text) != text


def redact(
    value: Any, known: Collection[str] = (), is_secret: Callable[[Any], bool] | None = None
) -> Any:
    """A JSON-like value with secret-named keys, credential-shaped text and ``known``
    secret values redacted (``is_secret``: a :func:`name_test` to reuse)."""
    test = is_secret or name_test()
    if isinstance(value, str):
        return redact_text(value, known)
    if isinstance(value, dict):
        return {
            k: (REDACTED if test(k) and v not in (None, "") else redact(v, known, test))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(v, known, test) for v in value]
    return value


def secret_values(name: str, value: Any, depth: int = 2) -> list[str]:
    """The strings a namespace value holds under secret names (itself, or dict entries).

    They are redacted wherever else they show up in a record: a tuple holding a
    password, a log line printing it.
    """
    found: list[str] = []
    if secret_name(name):
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        if isinstance(value, str) and len(value) >= MIN_SECRET:
            found.append(value)
    if depth and isinstance(value, dict) and len(value) <= 1000:
        for key, item in value.items():
            if isinstance(key, str):
                found += secret_values(key, item, depth - 1)
    return found
