from __future__ import annotations

from pathlib import Path

import pytest

from spotify_etl.errors import ConfigError, InputError, PreconditionFailed
from spotify_etl.storage import LocalStore, S3Store, open_store


def test_local_put_get_list_delete(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    etag = store.put("a/b/c.txt", b"hello")
    assert store.get("a/b/c.txt") == b"hello"
    info = store.head("a/b/c.txt")
    assert info is not None and info.etag == etag and info.size == 5
    store.put("a/d.txt", b"x")
    assert [o.key for o in store.list("a/")] == ["a/b/c.txt", "a/d.txt"]
    assert [o.key for o in store.list("a/b")] == ["a/b/c.txt"]
    store.delete("a/d.txt")
    assert store.head("a/d.txt") is None
    assert not list(tmp_path.glob("**/*.tmp"))


def test_local_conditional_writes(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    first = store.put("state.json", b"1", if_none_match=True)
    with pytest.raises(PreconditionFailed):
        store.put("state.json", b"2", if_none_match=True)
    second = store.put("state.json", b"2", if_match=first)
    with pytest.raises(PreconditionFailed):
        store.put("state.json", b"3", if_match=first)
    assert store.get("state.json") == b"2"
    assert store.head("state.json").etag == second  # type: ignore[union-attr]
    # listing never shows lock or temp files
    assert [o.key for o in store.list()] == ["state.json"]


def test_local_missing_and_escape(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    with pytest.raises(InputError, match="not found"):
        store.get("nope")
    with pytest.raises(ConfigError):
        store.put("../outside", b"x")


def test_open_store_picks_adapter(tmp_path: Path) -> None:
    assert isinstance(open_store(str(tmp_path)), LocalStore)
    s3 = open_store("s3://bucket/some/prefix")
    assert isinstance(s3, S3Store) and s3.uri("k") == "s3://bucket/some/prefix/k"
    with pytest.raises(ConfigError):
        open_store("gs://bucket")
    with pytest.raises(ConfigError):
        open_store("s3://")


def test_local_list_of_a_missing_root_is_empty(tmp_path: Path) -> None:
    (tmp_path / "sibling.txt").write_text("not in the store")
    store = LocalStore(tmp_path / "missing")
    assert list(store.list()) == []
    assert list(store.list("a/")) == []
    LocalStore(tmp_path / "root").put("ab/c.txt", b"1")
    assert [o.key for o in LocalStore(tmp_path / "root").list("a")] == ["ab/c.txt"]
