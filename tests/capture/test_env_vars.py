"""Environment variables: the allow-list, and secrets never read."""

from __future__ import annotations

import pytest

from nbtrail.capture.env_vars import is_secret_name, selected_env_vars
from nbtrail.capture.environment import snapshot


@pytest.mark.parametrize(
    "name",
    [
        "MY_API_TOKEN",
        "AWS_SECRET_ACCESS_KEY",
        "PASSWORD",
        "DB_PASSWD",
        "DB_PWD",
        "GITHUB_PAT",
        "NBTRAIL_TOKEN",
        "NBTRAIL_API_KEY",
        "session_cookie",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "PRIVATE_SSH",
        "HTTP_AUTHORIZATION",
    ],
)
def test_secret_names_are_recognised(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name", ["OMP_NUM_THREADS", "PYTHONHASHSEED", "CUDA_VISIBLE_DEVICES", "NBTRAIL_STORE", "PATH"]
)
def test_ordinary_names_are_not_secret(name: str) -> None:
    assert not is_secret_name(name)


def test_secret_env_vars_are_never_captured(monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = {
        "MY_API_TOKEN": "t0",
        "AWS_SECRET_ACCESS_KEY": "t1",
        "PASSWORD": "t2",
        "NBTRAIL_TOKEN": "t3",
        "OMP_NUM_THREADS_PASSWORD": "t4",
    }
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    monkeypatch.setenv("NUMEXPR_MAX_THREADS", "2")
    monkeypatch.setenv("NBTRAIL_STORE", "/somewhere")
    monkeypatch.setenv("PYTHONHASHSEED", "0")

    captured = snapshot().env_vars
    assert not set(secrets) & set(captured)
    assert not set(secrets.values()) & set(captured.values())
    assert captured["OMP_NUM_THREADS"] == "3"
    assert captured["NUMEXPR_MAX_THREADS"] == "2"
    assert "NBTRAIL_STORE" not in captured  # nbtrail's plumbing, different per execution
    assert captured["PYTHONHASHSEED"] == "0"


def test_unlisted_env_vars_are_not_captured() -> None:
    assert selected_env_vars({"HOME": "/h", "OMP_NUM_THREADS": "1"}) == {"OMP_NUM_THREADS": "1"}
