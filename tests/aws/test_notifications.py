"""The template's S3 notifications, applied to a moto server and exercised with real objects.

Snowpipe path: the transformed bucket sends ObjectCreated for data files to the SQS queue
Snowflake gives (here a moto queue). Trigger path: the raw bucket's filter for the transform
function, observed through a queue standing in for the function.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_plus

import boto3
import pytest

from tests.aws import cfn

ACCOUNT = "123456789012"  # moto's default account


def _drain(queue_url: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    bodies: list[dict[str, Any]] = []
    while True:
        reply = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        messages = reply.get("Messages", [])
        if not messages:
            return bodies
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def _created_keys(bodies: list[dict[str, Any]]) -> list[str]:
    """Keys as S3 names them in events: URL-encoded, so decoded here to compare."""
    return [unquote_plus(r["s3"]["object"]["key"]) for b in bodies for r in b.get("Records", [])]


def _queue(name: str) -> tuple[str, str]:
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    return url, arn["QueueArn"]


def _api_filter(rules: list[dict[str, str]]) -> dict[str, Any]:
    return {"Key": {"FilterRules": [{"Name": r["Name"], "Value": r["Value"]} for r in rules]}}


@pytest.mark.parametrize("suffix", [".csv.gz", ".parquet"])
def test_a_new_transformed_file_puts_its_key_on_the_snowpipe_queue(
    moto_env: str, suffix: str
) -> None:
    template = cfn.load()
    queue_url, queue_arn = _queue("sf-snowpipe-AIDAEXAMPLE")
    params = cfn.parameters(template, SnowpipeQueueArn=queue_arn, TransformedFileSuffix=suffix)
    props = cfn.resolve(
        template["Resources"]["TransformedBucket"]["Properties"], params, {"HasSnowpipe": True}
    )
    bucket = props["BucketName"]
    assert bucket == f"spotify-etl-transformed-{ACCOUNT}-us-east-1"
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=bucket)
    notification: Any = {
        "QueueConfigurations": [
            {
                "QueueArn": q["Queue"],
                "Events": [q["Event"]],
                "Filter": _api_filter(q["Filter"]["S3Key"]["Rules"]),
            }
            for q in props["NotificationConfiguration"]["QueueConfigurations"]
        ]
    }
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=notification)
    [test_event] = _drain(queue_url)
    assert test_event["Event"] == "s3:TestEvent"  # what Snowflake sees when it is wired up

    data_key = (
        f"transformed/songs/dt=2026-11-24/20261124T060000Z-0a1b2c3d-tracks-part-00000{suffix}"
    )
    s3.put_object(Bucket=bucket, Key=data_key, Body=b"song_id\n")
    for not_for_snowpipe in (
        "transformed/_batches/dt=2026-11-24/x.json",
        "transformed/_quarantine/dt=2026-11-24/x.jsonl.gz",
        "_state/transform/raw/raw/k@e.json",
        f"elsewhere/songs{suffix}",
    ):
        s3.put_object(Bucket=bucket, Key=not_for_snowpipe, Body=b"{}")
    bodies = _drain(queue_url)
    assert _created_keys(bodies) == [data_key]
    [record] = bodies[0]["Records"]
    assert record["eventName"].startswith("ObjectCreated:")
    assert record["s3"]["bucket"]["name"] == bucket


def test_without_the_snowpipe_parameter_the_bucket_has_no_notification() -> None:
    template = cfn.load()
    props = cfn.resolve(
        template["Resources"]["TransformedBucket"]["Properties"],
        cfn.parameters(template),
        {"HasSnowpipe": False},
    )
    assert "NotificationConfiguration" not in props


def test_the_raw_filter_passes_parts_only(moto_env: str) -> None:
    template = cfn.load()
    event = template["Resources"]["TransformFunction"]["Properties"]["Events"]["RawCreated"]
    assert event["Properties"]["Bucket"] == {"Ref": "RawBucket"}
    raw_props = template["Resources"]["RawBucket"]["Properties"]
    raw_bucket = cfn.resolve(raw_props, cfn.parameters(template), {})["BucketName"]
    queue_url, queue_arn = _queue("stands-in-for-the-transform-function")
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=raw_bucket)
    notification: Any = {
        "QueueConfigurations": [
            {
                "QueueArn": queue_arn,
                "Events": cfn.as_list(event["Properties"]["Events"]),
                "Filter": _api_filter(event["Properties"]["Filter"]["S3Key"]["Rules"]),
            }
        ]
    }
    s3.put_bucket_notification_configuration(
        Bucket=raw_bucket, NotificationConfiguration=notification
    )
    _drain(queue_url)
    part = "raw/playlists/dt=2026-11-24/run=20261124T060000Z-0a1b2c3d/part-00000.jsonl.gz"
    s3.put_object(Bucket=raw_bucket, Key=part, Body=b"")
    for ignored in (
        "raw/_runs/dt=2026-11-24/run=20261124T060000Z-0a1b2c3d/manifest.json",
        "state/extract.json",
        "config/spotify-etl.toml",
    ):
        s3.put_object(Bucket=raw_bucket, Key=ignored, Body=b"")
    assert _created_keys(_drain(queue_url)) == [part]
