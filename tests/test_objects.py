"""Object folders on fsspec URLs: content-addressed, atomic, readable as local files."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from nbtrail.errors import ObjectNotFound
from nbtrail.store import open_store
from nbtrail.store.objects import ObjectFolder, RemoteObjects, open_objects

DIGEST = "0123456789abcdef" * 2


def test_a_path_is_a_local_folder_and_a_url_goes_through_fsspec(tmp_path: Path) -> None:
    assert isinstance(open_objects(str(tmp_path)), ObjectFolder)
    assert isinstance(open_objects(f"file://{tmp_path}"), RemoteObjects)


def test_a_shared_path_url_writes_through_a_rename(tmp_path: Path) -> None:
    objects = open_objects(f"file://{tmp_path / 'objects'}")
    assert not objects.has(DIGEST)
    objects.put_bytes(b"first", DIGEST)
    objects.put_bytes(b"second", DIGEST)  # content-addressed: the first copy stays
    target = tmp_path / "objects" / DIGEST[:2] / DIGEST[2:]
    assert objects.has(DIGEST) and target.read_bytes() == b"first"
    assert objects.existing_path(DIGEST) == target  # read where it is, no copy
    assert sorted(p.name for p in target.parent.iterdir()) == [DIGEST[2:]]  # no temp left
    source = tmp_path / "data.csv"
    source.write_text("a,b\n")
    objects.put_file(source, "f" * 32)
    assert objects.existing_path("f" * 32).read_text() == "a,b\n"


def test_an_object_store_url_is_read_through_a_local_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NBTRAIL_CACHE", str(tmp_path / "cache"))
    objects = open_objects(f"memory://nbtrail-{uuid.uuid4().hex}/objects")
    objects.put_bytes(b"model bytes", DIGEST)
    assert objects.has(DIGEST)
    local = objects.existing_path(DIGEST)
    assert local.is_relative_to(tmp_path / "cache") and local.read_bytes() == b"model bytes"
    with pytest.raises(ObjectNotFound):
        objects.existing_path("e" * 32)
    with pytest.raises(ObjectNotFound, match="not an object hash"):
        objects.has("../../etc/passwd")


def test_a_postgresql_store_keeps_objects_at_the_configured_url(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NBTRAIL_OBJECTS", f"file://{tmp_path / 'team-objects'}")
    store = open_store(pg_url)
    store.put_object(b"figure", DIGEST)
    assert store.has_object(DIGEST)
    assert store.object_path(DIGEST).read_bytes() == b"figure"
    assert (tmp_path / "team-objects" / DIGEST[:2] / DIGEST[2:]).is_file()


@pytest.mark.parametrize("scheme", ["file", "memory"])
def test_remote_folders_list_and_remove_objects_for_gc(scheme: str, tmp_path: Path) -> None:
    root = tmp_path / "objects" if scheme == "file" else f"nbtrail-{uuid.uuid4().hex}/objects"
    objects = open_objects(f"{scheme}://{root}")
    objects.put_bytes(b"12345", DIGEST)
    objects.put_bytes(b"xy", "f" * 32)
    listed = {digest: (mtime, size) for digest, mtime, size in objects.listing()}
    assert {d: size for d, (_, size) in listed.items()} == {DIGEST: 5, "f" * 32: 2}
    assert all(mtime > 1e9 for mtime, _ in listed.values())
    objects.remove(DIGEST)
    assert not objects.has(DIGEST) and objects.has("f" * 32)
