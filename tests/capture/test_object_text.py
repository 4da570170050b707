"""Long object columns that share string objects hash exactly as a direct conversion would."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nbtrail.capture import _object_text
from nbtrail.capture.hashing import content_hash

ROWS = 400_000  # above the length where the shared-object route is considered


def direct_hash(value: object, monkeypatch: pytest.MonkeyPatch) -> str:
    with monkeypatch.context() as patch:
        patch.setattr(_object_text, "MAX_SHARE", -1.0)  # never deduplicate
        return content_hash(value)


def labels(rows: int, seed: int = 0) -> np.ndarray:
    words = np.array(["", "ä", "東京", "x" * 300, None, np.nan, pd.NA, *map(str, range(500))],
                     dtype=object)  # fmt: skip
    return words[np.random.default_rng(seed).integers(0, len(words), rows)]


def test_shared_objects_take_the_shared_route_and_hash_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    values = labels(ROWS)
    built = _object_text.shared_text_array(values, from_pandas=True)
    assert built is not None and built.null_count == pd.isna(values).sum()
    assert built.to_pylist()[:50] == [None if pd.isna(v) else v for v in values[:50]]
    frame = pd.DataFrame({"label": values, "n": np.arange(ROWS)})
    assert content_hash(frame) == direct_hash(frame, monkeypatch)
    series = pd.Series(values[::-1].copy())
    assert content_hash(series) == direct_hash(series, monkeypatch)
    changed = values.copy()
    changed[ROWS // 2] = "changed"
    assert content_hash(pd.Series(changed)) != content_hash(pd.Series(values))


def test_distinct_objects_and_mixed_types_go_direct(monkeypatch: pytest.MonkeyPatch) -> None:
    ids = np.array([f"id{i}" for i in range(ROWS)], dtype=object)
    assert _object_text.shared_text_array(ids, from_pandas=True) is None
    mixed = labels(ROWS)
    mixed[::7] = 3  # an int among the strings: not a text column
    assert _object_text.shared_text_array(mixed, from_pandas=True) is None
    assert content_hash(pd.Series(mixed)) == direct_hash(pd.Series(mixed), monkeypatch)
    # equal strings in distinct objects hash like the shared ones
    copies = np.array([(v + "!")[:-1] if isinstance(v, str) else v for v in labels(ROWS)],
                      dtype=object)  # fmt: skip
    assert _object_text.shared_text_array(copies, from_pandas=True) is None  # all distinct
    assert content_hash(pd.Series(copies)) == content_hash(pd.Series(labels(ROWS)))


def test_shared_objects_that_are_not_strings_go_direct_at_once() -> None:
    numbers = np.array([1.5, 2.5, (1, 2), None], dtype=object)[
        np.random.default_rng(0).integers(0, 4, ROWS)
    ]
    assert not _object_text._sampled_text(numbers, _object_text._profile.sample_rows(ROWS))
    assert _object_text.shared_text_array(numbers, from_pandas=True) is None
    assert _object_text._sampled_text(labels(ROWS), _object_text._profile.sample_rows(ROWS))
