"""storage.S3Store against a real moto server: the S3 half of the ObjectStore contract."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest

from spotify_etl.errors import InputError, PreconditionFailed
from spotify_etl.storage import S3Store, open_store

BUCKET = "spotify-etl-test-raw"


@pytest.fixture
def store(moto_env: str) -> S3Store:
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    return S3Store(BUCKET, "lake/")


def test_put_get_head_list_delete_under_a_prefix(store: S3Store) -> None:
    etag = store.put("raw/a b/ü.json", b"hello")
    assert store.get("raw/a b/ü.json") == b"hello"
    with store.open("raw/a b/ü.json") as fh:
        assert fh.read() == b"hello"
    info = store.head("raw/a b/ü.json")
    assert info is not None and (info.key, info.size, info.etag) == ("raw/a b/ü.json", 5, etag)
    store.put("raw/z.json", b"z")
    store.put("other.json", b"o")
    assert [o.key for o in store.list("raw/")] == ["raw/a b/ü.json", "raw/z.json"]
    assert [o.etag for o in store.list("raw/z")] == [store.head("raw/z.json").etag]  # type: ignore[union-attr]
    # The prefix is the store's: the object really lives under lake/.
    raw = boto3.client("s3").list_objects_v2(Bucket=BUCKET)
    assert sorted(o["Key"] for o in raw["Contents"]) == [
        "lake/other.json",
        "lake/raw/a b/ü.json",
        "lake/raw/z.json",
    ]
    store.delete("raw/z.json")
    assert store.head("raw/z.json") is None
    assert store.uri("raw/z.json") == f"s3://{BUCKET}/lake/raw/z.json"


def test_etag_is_the_content_md5_like_the_local_store(store: S3Store) -> None:
    assert store.put("k", b"1") == "c4ca4238a0b923820dcc509a6f75849b"


def test_missing_object_is_an_input_error(store: S3Store) -> None:
    with pytest.raises(InputError, match=f"object not found: s3://{BUCKET}/lake/nope"):
        store.get("nope")
    assert store.head("nope") is None


def test_if_none_match_creates_once(store: S3Store) -> None:
    store.put("lock", b"first", if_none_match=True)
    with pytest.raises(PreconditionFailed):
        store.put("lock", b"second", if_none_match=True)
    assert store.get("lock") == b"first"


def test_if_match_is_compare_and_swap(store: S3Store) -> None:
    first = store.put("state.json", b"1")
    second = store.put("state.json", b"2", if_match=first)
    with pytest.raises(PreconditionFailed):
        store.put("state.json", b"3", if_match=first)  # stale ETag
    assert store.get("state.json") == b"2"
    assert store.head("state.json").etag == second  # type: ignore[union-attr]


def test_if_match_on_a_missing_object_fails_the_precondition(store: S3Store) -> None:
    # S3 answers 404 NoSuchKey here; callers must see the same outcome as LocalStore.
    with pytest.raises(PreconditionFailed):
        store.put("never-written", b"x", if_match="c4ca4238a0b923820dcc509a6f75849b")
    assert store.head("never-written") is None


def test_concurrent_creators_exactly_one_wins(store: S3Store) -> None:
    def attempt(i: int) -> bool:
        try:
            store.put("marker", str(i).encode(), if_none_match=True)
        except PreconditionFailed:
            return False
        return True

    with ThreadPoolExecutor(max_workers=8) as pool:
        wins = list(pool.map(attempt, range(16)))
    assert wins.count(True) == 1


def test_list_follows_pagination(store: S3Store) -> None:
    client = boto3.client("s3")
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(
            pool.map(
                lambda i: client.put_object(Bucket=BUCKET, Key=f"lake/p/{i:05d}", Body=b""),
                range(1003),
            )
        )
    keys = [o.key for o in store.list("p/")]
    assert len(keys) == 1003 and keys[0] == "p/00000" and keys[-1] == "p/01002"


def test_open_store_uses_the_endpoint_from_the_environment(moto_env: str) -> None:
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    store = open_store(f"s3://{BUCKET}/x")
    store.put("k", b"v")
    assert boto3.client("s3").get_object(Bucket=BUCKET, Key="x/k")["Body"].read() == b"v"
