"""Lambda event payloads in the shapes AWS sends them."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote_plus

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spotify_etl.aws.events import ShardTask, extract_trigger, s3_objects
from spotify_etl.errors import InputError


def s3_record(key: str, etag: str = "abc123", name: str = "ObjectCreated:Put") -> dict[str, Any]:
    """One record as S3 writes it (key URL-encoded with '+' for spaces)."""
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": "us-east-1",
        "eventTime": "2026-11-24T06:00:01.000Z",
        "eventName": name,
        "userIdentity": {"principalId": "AWS:AIDAEXAMPLE"},
        "requestParameters": {"sourceIPAddress": "10.0.0.1"},
        "responseElements": {"x-amz-request-id": "C3D13FE58DE4C810", "x-amz-id-2": "FMyUVURIY8"},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": "raw-created",
            "bucket": {
                "name": "raw-bucket",
                "ownerIdentity": {"principalId": "A3NL1KOZZKExample"},
                "arn": "arn:aws:s3:::raw-bucket",
            },
            "object": {
                "key": quote_plus(key, safe="/"),
                "size": 1024,
                "eTag": etag,
                "sequencer": "0055AED6DCD90281E5",
            },
        },
    }


def test_keys_are_url_decoded() -> None:
    key = "raw/playlists/dt=2026-11-24/run=x/Beyoncé & Jay Z+1.jsonl.gz"
    event = {"Records": [s3_record(key)]}
    assert "+" in event["Records"][0]["s3"]["object"]["key"]
    [ref] = s3_objects(event)
    assert (ref.bucket, ref.key, ref.etag, ref.size) == ("raw-bucket", key, "abc123", 1024)


def test_test_event_yields_nothing() -> None:
    test_event = {
        "Service": "Amazon S3",
        "Event": "s3:TestEvent",
        "Time": "2026-11-24T06:00:00.000Z",
        "Bucket": "raw-bucket",
        "RequestId": "5582815E1AEA5ADF",
        "HostId": "8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE",
    }
    assert s3_objects(test_event) == []
    sqs = {"Records": [{"eventSource": "aws:sqs", "body": json.dumps(test_event)}]}
    assert s3_objects(sqs) == []


def test_sqs_and_sns_wrapped_events_are_unwrapped() -> None:
    inner = json.dumps({"Records": [s3_record("raw/a b.jsonl.gz")]})
    sqs = {"Records": [{"eventSource": "aws:sqs", "messageId": "1", "body": inner}]}
    sns = {"Records": [{"EventSource": "aws:sns", "Sns": {"Message": inner}}]}
    assert [r.key for r in s3_objects(sqs)] == ["raw/a b.jsonl.gz"]
    assert [r.key for r in s3_objects(sns)] == ["raw/a b.jsonl.gz"]


def test_duplicates_within_one_event_collapse_and_other_events_are_ignored() -> None:
    event = {
        "Records": [
            s3_record("raw/a.jsonl.gz", '"e1"'),
            s3_record("raw/a.jsonl.gz", "e1"),
            s3_record("raw/a.jsonl.gz", "e2"),  # a new version is a new object
            s3_record("raw/gone.jsonl.gz", name="ObjectRemoved:Delete"),
        ]
    }
    assert [(r.key, r.etag) for r in s3_objects(event)] == [
        ("raw/a.jsonl.gz", "e1"),
        ("raw/a.jsonl.gz", "e2"),
    ]


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"Records": "nope"},
        {"Records": [{"eventSource": "aws:dynamodb"}]},
        {"Records": [{"eventSource": "aws:sqs", "body": "not json"}]},
        {"Records": [{**s3_record("k"), "s3": {"bucket": {"name": "b"}, "object": {}}}]},
        {"Records": [{**s3_record("k"), "s3": {"bucket": {"name": "b"}, "object": {"key": "k"}}}]},
        [],
    ],
)
def test_malformed_events_are_input_errors(event: object) -> None:
    with pytest.raises(InputError):
        s3_objects(event)


@given(st.text(min_size=1, max_size=60).filter(lambda k: "\x00" not in k))
def test_any_key_round_trips_through_s3_encoding(key: str) -> None:
    # Law: decode(S3's encoding of key) == key, for every key S3 can hold.
    [ref] = s3_objects({"Records": [s3_record(key)]})
    assert ref.key == key


def test_scheduled_event_and_manual_invoke() -> None:
    scheduled = {
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-11-24T06:00:00Z",
        "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/daily"],
        "detail": {},
    }
    trigger = extract_trigger(scheduled)
    assert trigger.scheduled_at == "2026-11-24T06:00:00Z" and trigger.shards == ()
    assert extract_trigger({}).shards == ()
    assert extract_trigger({"shard": [1, 3]}).shards == (ShardTask(1, 3),)


def test_shard_messages_round_trip_through_sqs() -> None:
    tasks = [ShardTask(i, 3, "2026-11-24T06:00:00Z") for i in range(3)]
    event = {"Records": [{"eventSource": "aws:sqs", "body": t.body()} for t in tasks]}
    assert extract_trigger(event).shards == tuple(tasks)


@pytest.mark.parametrize("shard", [[3, 3], [-1, 2], [0], "0/2", [True, 2], [0.5, 2]])
def test_bad_shard_is_an_input_error(shard: object) -> None:
    with pytest.raises(InputError, match="shard"):
        extract_trigger({"shard": shard})
