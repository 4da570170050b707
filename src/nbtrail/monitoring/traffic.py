"""Per-day traffic of a served version from its log: requests, errors, median latency."""

from __future__ import annotations

from typing import Any

from nbtrail.serving.reader import LogQuery, read_requests


def daily_traffic(query: LogQuery) -> list[dict[str, Any]]:
    frame = read_requests(query, errors=True)
    if frame.empty:
        return []
    requests = frame.drop_duplicates("request_id")
    day = requests["time"].dt.strftime("%Y-%m-%d")
    rows = []
    for key, group in requests.groupby(day, sort=True):
        rows.append(
            {
                "day": key,
                "requests": len(group),
                "errors": int((group["status"] != 200).sum()),
                "p50_ms": float(group["latency_ms"].median()),
            }
        )
    return rows
