"""``--since 1d``: a duration back from now, a date, an ISO time, or epoch seconds."""

from __future__ import annotations

import datetime as dt
import re
import time

from nbtrail.errors import NbtrailError

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhdw])$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_since(value: str | float | None, now: float | None = None) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = value.strip()
    match = _DURATION.match(text)
    if match:
        return (now if now is not None else time.time()) - float(match[1]) * _SECONDS[match[2]]
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise NbtrailError(
            f"not a time: {value!r} (use 30m, 12h, 1d, 2w, a date or an ISO time)"
        ) from None
    if when.tzinfo is None:
        when = when.astimezone()  # local time, as a person typed it
    return when.timestamp()
