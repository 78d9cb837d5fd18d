"""The ObjectStore members callers use instead of a store's class, on a local folder and on
S3 (a real moto server): modified, local_path, local_file, key_of, list_existing."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from spotify_etl.errors import ConfigError, InputError
from spotify_etl.storage import LocalStore, ObjectStore, S3Store, open_store
from spotify_etl.transform.dating import modified_at

BUCKET = "spotify-etl-test-protocol"
KEY = "raw/dt=2026-12-02/part-1.json.gz"


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    if request.param == "local":
        return open_store(str(tmp_path / "lake"))
    request.getfixturevalue("moto_env")
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    return open_store(f"s3://{BUCKET}/lake")


def test_every_store_has_every_member_of_the_protocol() -> None:
    members = {
        name
        for name, _ in inspect.getmembers(ObjectStore)
        if not name.startswith("_") and name in ObjectStore.__dict__
    } | {"url"}
    assert {"modified", "local_path", "local_file", "key_of", "list_existing"} <= members
    for cls in (LocalStore, S3Store):
        assert members <= set(dir(cls)) | {"url"}, cls


def test_modified_is_when_the_object_was_written(store: ObjectStore) -> None:
    # S3 keeps whole seconds: allow the second the write began in.
    before = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)
    store.put(KEY, b"x")
    stamp = store.modified(KEY)
    assert stamp.tzinfo is not None and stamp.utcoffset() == timedelta(0)
    assert before <= stamp <= datetime.now(UTC) + timedelta(seconds=1)
    # The transform dates a bare file by it (naive UTC, as the raw zone's names are).
    assert modified_at(store, KEY) == stamp.replace(tzinfo=None).isoformat(sep=" ")
    with pytest.raises(InputError, match="object not found"):
        store.modified("raw/missing.json")
    assert modified_at(store, "raw/missing.json") is None


def test_local_path_holds_the_bytes_under_the_object_name(store: ObjectStore) -> None:
    store.put(KEY, b"payload")
    with store.local_path(KEY) as path:
        assert path.name == "part-1.json.gz"  # suffixes kept: readers go by them
        assert path.read_bytes() == b"payload"
    local = store.local_file(KEY)
    if local is None:  # S3: a temporary download, gone on exit
        assert not path.exists() and not path.parent.exists()
    else:  # a folder: the object itself, untouched
        assert local == path and path.read_bytes() == b"payload"


def test_local_path_of_two_keys_with_one_name_do_not_collide(store: ObjectStore) -> None:
    store.put("a/x.csv.gz", b"a")
    store.put("b/x.csv.gz", b"b")
    with store.local_path("a/x.csv.gz") as a, store.local_path("b/x.csv.gz") as b:
        assert a != b and (a.read_bytes(), b.read_bytes()) == (b"a", b"b")


def test_local_path_of_a_missing_object(store: ObjectStore) -> None:
    if store.local_file("raw/missing") is None:  # S3: nothing to download
        with pytest.raises(InputError), store.local_path("raw/missing"):
            pass
    else:  # a folder names the path; the tool reading it reports the file missing
        with store.local_path("raw/missing") as path:
            assert not path.exists()


def test_key_of_inverts_uri(store: ObjectStore) -> None:
    assert store.key_of(store.uri(KEY)) == KEY
    assert store.key_of(store.uri("")) == ""
    assert (store.key_of(store.uri("sub/")) or "").rstrip("/") == "sub"
    assert store.key_of("s3://another-bucket/lake/x") is None
    assert store.key_of("/somewhere/else/entirely") is None


def test_key_of_tells_a_zone_inside_another(tmp_path: Path, moto_env: str) -> None:
    raw = open_store(str(tmp_path / "raw"))
    assert raw.key_of(open_store(str(tmp_path / "raw" / "out")).uri("")) == "out"
    assert raw.key_of(open_store(str(tmp_path / "rawer")).uri("")) is None
    lake = open_store(f"s3://{BUCKET}/lake")
    assert lake.key_of(open_store(f"s3://{BUCKET}/lake/out").uri("")) == "out/"
    assert lake.key_of(open_store(f"s3://{BUCKET}/lakeside").uri("")) is None
    assert lake.key_of(raw.uri("")) is None and raw.key_of(lake.uri("")) is None


def test_list_existing_lists_what_is_there(store: ObjectStore) -> None:
    store.put("b.csv.gz", b"1")
    store.put("a/c.csv.gz", b"22")
    assert [(o.key, o.size) for o in store.list_existing("transformed")] == [
        ("a/c.csv.gz", 2),
        ("b.csv.gz", 1),
    ]


def test_list_existing_of_a_missing_folder_or_bucket_is_a_config_error(
    tmp_path: Path, moto_env: str
) -> None:
    with pytest.raises(ConfigError, match=r"^transformed folder not found: /"):
        list(open_store(str(tmp_path / "nowhere")).list_existing("transformed"))
    with pytest.raises(ConfigError, match="transformed bucket not found: s3://no-such-bucket"):
        list(open_store("s3://no-such-bucket/t").list_existing("transformed"))
    # Plain `list` stays lenient: a raw zone not yet written to is empty, not an error.
    assert list(open_store(str(tmp_path / "nowhere")).list("")) == []
