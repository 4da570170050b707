"""``nbtrail.inference_log`` and ``nbtrail.log_labels``."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from nbtrail.models import registry
from nbtrail.serving.labels import write_labels
from nbtrail.serving.layout import LOG_ENV, log_root
from nbtrail.serving.reader import LogQuery, read_requests, with_labels
from nbtrail.serving.since import parse_since
from nbtrail.store import Store, open_store


def _store(store: Store | str | None) -> Store:
    return store if isinstance(store, Store) else open_store(store)


def inference_log(
    uri: str,
    since: str | float | None = None,
    *,
    store: Store | str | None = None,
    log_dir: str | os.PathLike[str] | None = None,
) -> Any:
    """What the served version ``uri`` saw: input columns, ``prediction``, ``request_id``,
    ``row``, ``time``, ``latency_ms``, ``version`` (and ``label`` once labels were logged).

    ``since``: ``"1d"``, ``"12h"``, ``"30m"``, a date or ISO time, or epoch seconds.
    """
    opened = _store(store)
    version = registry.resolve(opened, uri)
    root = log_root(opened, log_dir)
    query = LogQuery(root, version.name, {version.version}, parse_since(since))
    frame = read_requests(query)
    return with_labels(frame.drop(columns=["status"], errors="ignore"), root)


def log_labels(
    request_ids: Sequence[str],
    labels: Sequence[Any],
    *,
    store: Store | str | None = None,
    log_dir: str | os.PathLike[str] | None = None,
) -> int:
    """Attach ground truth to logged predictions (``REQUEST_ID`` or ``REQUEST_ID#ROW``)."""
    configured = log_dir or os.environ.get(LOG_ENV)
    root = log_root(None if configured else _store(store), configured)
    return write_labels(root, request_ids, labels)
