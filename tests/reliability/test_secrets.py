"""No secret reaches the store: a real kernel plants them, the whole store is grepped."""

from __future__ import annotations

from pathlib import Path

import pytest

from nbtrail.capture.secrets import REDACTED, redact_text, secret_name
from nbtrail.store import open_store
from notebook_helpers import RunNotebook

PLANTED = {
    "SECRET_PW": "pw-4f9a1c77e2",
    "SECRET_KEY_VALUE": "key-8c21d0e5ab",
    "SECRET_NESTED": "nested-77d3a9b1f0",
    "DATABASE_URL": "postgres://alice:dbpass-91be7f@db.example.com:5432/prod",
    "SECRET_PARAM": "param-5e0c33aa17",
    "SECRET_LOGGED": "logged-c0ffee1234",
    "SECRET_EXTRA": "extra-abad1dea99",
    "GH_SHAPE": "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8",
}
NEEDLES = [*PLANTED.values(), "dbpass-91be7f"]

CELLS = [
    "%load_ext nbtrail",
    "import nbtrail, os\nnbtrail.configure(secret_patterns=['^my_hidden_'])",
    '%%track secrets -p password="$SECRET_PARAM_PLACEHOLDER"\n'
    "import os\n"
    'password = os.environ["SECRET_PW"]\n'
    'api_key = os.environ["SECRET_KEY_VALUE"]\n'
    'creds = {"user": "bob", "password": os.environ["SECRET_NESTED"]}\n'
    'url = os.environ["DATABASE_URL"]\n'
    'note = "token is " + os.environ["GH_SHAPE"]\n'
    'my_hidden_value = os.environ["SECRET_EXTRA"]\n'
    'nbtrail.log_params(api_key=os.environ["SECRET_LOGGED"], lr=0.1)\n'
    "plain = 42",
    "%%track reads\nsame = (password, api_key, url, plain)",
]


@pytest.mark.kernel
def test_a_store_holds_no_planted_secret(run_notebook: RunNotebook, store_dir: Path) -> None:
    cells = list(CELLS)
    cells[2] = cells[2].replace("$SECRET_PARAM_PLACEHOLDER", PLANTED["SECRET_PARAM"])
    # the -p value is written in the cell itself: the source is kept as written, so the
    # test plants it there and looks for it in everything but the source and snapshot
    nb = run_notebook(cells, env=PLANTED)
    errors = [o for c in nb.cells for o in c.outputs if o["output_type"] == "error"]
    assert not errors, errors
    store = open_store(str(store_dir))
    runs = {r.name: store.get_run(r.id) for r in store.list_runs()}
    assert set(runs) == {"secrets", "reads"}
    run = runs["secrets"]
    by_name = {b.name: b for b in run.bindings}
    for name in ("password", "api_key", "my_hidden_value"):
        assert by_name[name].summary["value"] == REDACTED
        assert by_name[name].hash  # the hash stays: a re-run still compares
    assert REDACTED in str(by_name["creds"].summary)
    assert by_name["url"].summary["value"].startswith("postgres://alice:<redacted>@db.example")
    assert by_name["plain"].summary["value"] == 42
    params = {p.key: p.value for p in run.params}
    assert params["password"].startswith(REDACTED) and params["api_key"].startswith(REDACTED)
    assert params["lr"] == 0.1
    # the same secret read again has the same hash: reproduction compares it
    reads = {b.name: b for b in runs["reads"].bindings}
    assert reads["password"].hash == by_name["password"].hash
    # grep every byte the store holds, database (and WAL) and objects
    files = [p for p in store_dir.rglob("*") if p.is_file()]
    assert any(p.parent.parent.name == "objects" for p in files)
    hidden_in_source = {PLANTED["SECRET_PARAM"]}  # typed into the cell: kept with the code
    for path in files:
        data = path.read_bytes()
        for needle in NEEDLES:
            if needle in hidden_in_source:
                continue
            assert needle.encode() not in data, (needle, path)


def test_secret_names_and_shapes() -> None:
    for name in ("password", "db_password", "API_KEY", "apiKey", "githubToken", "creds",
                 "client_secret", "private_key", "AWS_SECRET_ACCESS_KEY", "pwd"):  # fmt: skip
        assert secret_name(name), name
    for name in ("key", "keys", "monkey", "author", "tokens_count", "passenger", "x"):
        assert not secret_name(name), name
    assert redact_text("postgres://u:pw@h/db") == "postgres://u:<redacted>@h/db"
    assert REDACTED in redact_text("Authorization: Bearer abcdefgh12345678")
    assert REDACTED in redact_text("key AKIAABCDEFGHIJKLMNOP here")
    assert REDACTED in redact_text(
        "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----"
    )
    assert redact_text("basic statistics of https://example.com/a") == (
        "basic statistics of https://example.com/a"
    )


def test_extra_patterns_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not secret_name("internal_blob")
    monkeypatch.setenv("NBTRAIL_SECRET_PATTERNS", "blob$, [unclosed")
    assert secret_name("internal_blob")
