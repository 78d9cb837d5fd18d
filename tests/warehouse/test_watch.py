"""Auto-ingest: a polled folder, and an SQS queue fed by S3 notifications (real moto server)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from spotify_etl.model import ARTIST, SONGS
from spotify_etl.storage import LocalStore, S3Store
from spotify_etl.warehouse import LoadSummary, Warehouse, load_pending
from spotify_etl.warehouse.watch import notified_keys, watch_folder, watch_queue
from tests.warehouse.dataset import ARTISTS, SONG_ROWS, stamped, write_dataset
from tests.warehouse.filegen import csv_text, key_for


def test_watch_folder_loads_files_as_they_appear(
    wh: Warehouse, store: LocalStore, transformed: Path
) -> None:
    from tests.warehouse.filegen import write_csv

    seen: list[LoadSummary] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=watch_folder,
        args=(store, wh),
        kwargs={"on_summary": seen.append, "interval_s": 0.05, "stop": stop},
    )
    thread.start()
    try:
        write_csv(transformed, SONGS, "2026-11-24", stamped(SONG_ROWS))
        deadline = time.monotonic() + 30
        while not seen and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert seen and seen[0].rows == {"SONGS": 6}


def _event(bucket: str, key: str, name: str = "ObjectCreated:Put") -> str:
    return json.dumps(
        {
            "Records": [
                {"eventName": name, "s3": {"bucket": {"name": bucket}, "object": {"key": key}}}
            ]
        }
    )


def test_notified_keys_filters_bucket_prefix_and_event() -> None:
    assert list(notified_keys(_event("b", "t/songs/dt%3D2026-11-24/x.csv.gz"), "b", "t")) == [
        "songs/dt=2026-11-24/x.csv.gz"
    ]
    assert list(notified_keys(_event("other", "t/songs/x"), "b", "t")) == []
    assert list(notified_keys(_event("b", "elsewhere/songs/x"), "b", "t")) == []
    assert list(notified_keys(_event("b", "t/_quarantine/x"), "b", "t")) == []
    assert list(notified_keys(_event("b", "t/songs/x", "ObjectRemoved:Delete"), "b", "t")) == []
    assert list(notified_keys(json.dumps({"Event": "s3:TestEvent"}), "b", "t")) == []
    assert list(notified_keys("not json", "b", "t")) == []
    via_sns = json.dumps({"Type": "Notification", "Message": _event("b", "songs/x.csv.gz")})
    assert list(notified_keys(via_sns, "b", "")) == ["songs/x.csv.gz"]


@pytest.fixture
def moto_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        monkeypatch.setenv("SPOTIFY_ETL_S3_ENDPOINT_URL", url)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        yield url
    finally:
        server.stop()


def test_sqs_watch_loads_notified_files_from_s3(wh: Warehouse, moto_endpoint: str) -> None:
    import boto3

    s3 = boto3.client("s3", endpoint_url=moto_endpoint)
    sqs: Any = boto3.client("sqs", endpoint_url=moto_endpoint)
    s3.create_bucket(Bucket="lake")
    queue_url = sqs.create_queue(QueueName="transformed-created")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    s3.put_bucket_notification_configuration(
        Bucket="lake",
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "QueueArn": arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {
                        "Key": {"FilterRules": [{"Name": "prefix", "Value": "transformed/"}]}
                    },
                }
            ]
        },
    )
    store = S3Store("lake", "transformed")
    import gzip

    store.put(
        key_for(SONGS, "2026-11-24"), gzip.compress(csv_text(SONGS, stamped(SONG_ROWS)).encode())
    )
    store.put(
        key_for(ARTIST, "2026-11-24"), gzip.compress(csv_text(ARTIST, stamped(ARTISTS)).encode())
    )
    store.put("_batches/dt=2026-11-24/run.json", b"{}")
    seen: list[LoadSummary] = []
    watch_queue(store, wh, queue_url, on_summary=seen.append, wait_s=1, until_idle=True, client=sqs)
    assert seen and sum(len(s.loaded) for s in seen) == 2
    assert wh.table_counts()["SONGS"] == 6 and wh.table_counts()["ARTIST"] == 3
    left = sqs.get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    assert left == {
        "ApproximateNumberOfMessages": "0",
        "ApproximateNumberOfMessagesNotVisible": "0",
    }
    # S3 listing ETags are the checksums: offering the bucket again loads nothing.
    assert load_pending(store, wh).skipped == 2


def test_load_from_s3_matches_load_from_a_folder(
    wh: Warehouse, moto_endpoint: str, tmp_path: Path
) -> None:
    import boto3

    from spotify_etl.warehouse import open_warehouse

    boto3.client("s3", endpoint_url=moto_endpoint).create_bucket(Bucket="lake")
    write_dataset(tmp_path / "local")
    local = LocalStore(tmp_path / "local")
    remote = S3Store("lake", "t")
    for info in local.list():
        remote.put(info.key, local.get(info.key))
    assert load_pending(remote, wh).exit_code == 0
    other = open_warehouse(f"duckdb:///{tmp_path / 'local.duckdb'}")
    load_pending(local, other)
    for table in wh.table_counts():
        sql = f"SELECT * FROM {table} ORDER BY ALL"
        assert wh.execute(sql)[1] == other.execute(sql)[1]
    other.close()


def test_a_mistyped_or_unreachable_bucket_is_one_clear_error(
    wh: Warehouse, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from spotify_etl.errors import ConfigError, RetryableError

    with pytest.raises(ConfigError, match=r"transformed bucket not found: s3://no-such-lake/t$"):
        load_pending(S3Store("no-such-lake", "t"), wh)
    monkeypatch.setenv("SPOTIFY_ETL_S3_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens
    with pytest.raises(RetryableError, match=r"cannot list s3://lake/t: Could not connect"):
        load_pending(S3Store("lake", "t"), wh)
