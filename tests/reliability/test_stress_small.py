"""The stress run (``make stress``), small: concurrent writers and SIGKILLed kernels."""

from __future__ import annotations

from pathlib import Path

import pytest

from reliability.stress import kills, writers

pytestmark = pytest.mark.kernel


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    figures = writers(tmp_path / ".nbtrail", processes=3, cells=30)
    assert figures["stored"] == figures["expected"] == figures["distinct_ids"] == 90
    assert figures["finished"] == 90 and figures["per_writer_min"] == 30
    assert figures["warnings"] == 0


def test_killed_kernels_lose_no_acknowledged_run(tmp_path: Path) -> None:
    figures = kills(tmp_path / ".nbtrail", tmp_path, count=3, cells=3)
    assert figures["lost"] == 0 and figures["acknowledged_not_finished"] == 0
    assert figures["integrity_failures"] == 0 and figures["bad_objects"] == 0
    assert figures["left_running"] == 0
    assert figures["interrupted"] >= 1  # a kill lands inside a tracked cell
