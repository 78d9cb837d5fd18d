"""The transform Lambda fed moto's real S3 event payloads for parts a real extraction wrote."""

from __future__ import annotations

import copy
import gzip
import json
import re
import time
from typing import Any
from urllib.parse import unquote_plus

import boto3
import pytest

from spotify_etl.aws import extract_handler, transform_handler
from spotify_etl.aws.events import s3_objects
from spotify_etl.aws.ledger import TransformLedger
from spotify_etl.errors import ConfigError, InputError
from spotify_etl.simulator import Simulator
from spotify_etl.storage import S3Store
from tests.aws.stack import LambdaTestContext, Stack, pipeline_toml


def extract(stack: Stack, sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """One scheduled extraction; returns the S3 events its parts produced."""
    albums, tracks = json.dumps(sim.catalog.album_ids(2)), json.dumps(sim.catalog.track_ids(3))
    stack.put_config(pipeline_toml(sim, f"albums = {albums}\ntracks = {tracks}"))
    stack.use(monkeypatch, "ExtractFunction")
    extract_handler.handler({"source": "aws.events", "time": "2026-11-24T06:00:00Z"}, None)
    stack.use(monkeypatch, "TransformFunction")
    events = stack.drain_raw_events()
    assert events and all(len(e["Records"]) == 1 for e in events)
    return events


def versions(bucket: str) -> list[tuple[str, str]]:
    """Every object version in the bucket: a duplicate write would add one."""
    reply = boto3.client("s3").list_object_versions(Bucket=bucket)
    return sorted((v["Key"], v["VersionId"]) for v in reply.get("Versions", []))


def data_files(bucket: str) -> list[str]:
    return sorted(
        k for k, _ in versions(bucket) if k.startswith("transformed/") and k.endswith(".csv.gz")
    )


def marker(stack: Stack, event: dict[str, Any]) -> dict[str, Any]:
    obj = event["Records"][0]["s3"]["object"]
    key = f"_state/transform/{stack.raw_bucket}/{unquote_plus(obj['key'])}@{obj['eTag']}.json"
    return dict(json.loads(S3Store(stack.transformed_bucket).get(key)))


def test_each_event_transforms_exactly_its_object_once(
    stack: Stack, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = extract(stack, sim, monkeypatch)
    outputs: list[str] = []
    for event in events:
        reply = transform_handler.handler(event, LambdaTestContext())
        assert reply["status"] == "ok" and len(reply["transformed"]) == 1
        assert reply["duplicates"] == []
        outputs += reply["outputs"]
        assert marker(stack, event)["status"] == "done"
    files = data_files(stack.transformed_bucket)
    assert files and sorted(o for o in outputs if o.endswith(".csv.gz")) == [
        f.removeprefix("transformed/") for f in files
    ]
    assert any("/songs/" in f or f.startswith("transformed/songs") for f in files)
    before = versions(stack.transformed_bucket)

    # S3 delivers at least once: the same events again write nothing at all.
    for event in events:
        again = transform_handler.handler(copy.deepcopy(event), LambdaTestContext())
        assert again["transformed"] == [] and len(again["duplicates"]) == 1
    assert versions(stack.transformed_bucket) == before


def test_the_test_event_is_ignored(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    stack.use(monkeypatch, "TransformFunction")
    test_event = {
        "Service": "Amazon S3",
        "Event": "s3:TestEvent",
        "Time": "2026-11-24T06:00:00.000Z",
        "Bucket": stack.raw_bucket,
        "RequestId": "5582815E1AEA5ADF",
        "HostId": "8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE",
    }
    assert transform_handler.handler(test_event, LambdaTestContext())["status"] == "ignored"
    assert versions(stack.transformed_bucket) == []


def test_url_encoded_keys_with_spaces_and_unicode(
    stack: Stack, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    [first, *_] = extract(stack, sim, monkeypatch)
    source = first["Records"][0]["s3"]["object"]
    original = unquote_plus(source["key"])
    odd = original.rsplit("/run=", 1)[0] + "/run=über mix+1 ü/" + original.rsplit("/", 1)[1]
    s3 = boto3.client("s3")
    s3.copy_object(
        Bucket=stack.raw_bucket, Key=odd, CopySource={"Bucket": stack.raw_bucket, "Key": original}
    )
    [event] = stack.drain_raw_events()
    encoded = event["Records"][0]["s3"]["object"]["key"]
    assert " " not in encoded and "ü" not in encoded and "+" in encoded
    reply = transform_handler.handler(event, LambdaTestContext())
    assert reply["transformed"] == [odd] and reply["outputs"]
    assert marker(stack, event)["key"] == odd


def test_an_event_for_a_gone_object_raises_a_clear_error(
    stack: Stack, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = extract(stack, sim, monkeypatch)
    gone_key = events[0]["Records"][0]["s3"]["object"]["key"]
    boto3.client("s3").delete_object(Bucket=stack.raw_bucket, Key=unquote_plus(gone_key))
    both = {"Records": events[0]["Records"] + events[1]["Records"]}
    with pytest.raises(InputError, match=r"raw object gone before it was transformed: s3://") as e:
        transform_handler.handler(both, LambdaTestContext())
    assert unquote_plus(gone_key) in str(e.value) and "\n" not in str(e.value)
    # The object that is there was still transformed, once.
    assert marker(stack, events[1])["status"] == "done"
    assert data_files(stack.transformed_bucket)


def test_an_unreadable_object_fails_and_stays_retryable(
    stack: Stack, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = extract(stack, sim, monkeypatch)
    key = unquote_plus(events[0]["Records"][0]["s3"]["object"]["key"])
    boto3.client("s3").put_object(Bucket=stack.raw_bucket, Key=key, Body=b"not gzip at all")
    [corrupt] = stack.drain_raw_events()
    for _ in range(2):  # Lambda's retry sees the same failure, never a silent "done"
        with pytest.raises(InputError, match="could not be transformed"):
            transform_handler.handler(corrupt, LambdaTestContext())
        assert marker(stack, corrupt)["status"] == "failed"


def test_the_lambda_honours_transform_max_record_bytes(
    stack: Stack, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = extract(stack, sim, monkeypatch)
    # The same config with a small [transform] limit: every API reply is over 1 KiB.
    albums = json.dumps(sim.catalog.album_ids(2))
    small = pipeline_toml(sim, f"albums = {albums}") + "[transform]\nmax_record_bytes = 1024\n"
    stack.put_config(small)
    reply = transform_handler.handler(events[0], LambdaTestContext())
    assert reply["status"] == "ok" and len(reply["transformed"]) == 1
    store = S3Store(stack.transformed_bucket)
    reasons = [
        json.loads(line)["reason"]
        for key in store.list("")
        if "_quarantine/" in key.key
        for line in gzip.decompress(store.get(key.key)).splitlines()
    ]
    assert reasons and all("exceeds the 1,024-byte limit" in r for r in reasons)


def test_a_delivery_while_another_is_running_writes_nothing(
    stack: Stack, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    [event, *_] = extract(stack, sim, monkeypatch)
    ledger = TransformLedger(S3Store(stack.transformed_bucket), transform_handler.MARKER_PREFIX)
    [ref] = s3_objects(event)
    claim = ledger.claim(ref, now=time.time(), deadline=time.time() + 300, owner="other")
    assert claim.verdict == "claimed"
    reply = transform_handler.handler(event, LambdaTestContext())
    assert reply["transformed"] == [] and reply["duplicates"] == [
        unquote_plus(event["Records"][0]["s3"]["object"]["key"])
    ]
    assert data_files(stack.transformed_bucket) == []


def test_an_event_from_another_bucket_is_a_config_error(
    stack: Stack, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    [event, *_] = extract(stack, sim, monkeypatch)
    event["Records"][0]["s3"]["bucket"]["name"] = "someone-elses-bucket"
    with pytest.raises(ConfigError, match="someone-elses-bucket"):
        transform_handler.handler(event, LambdaTestContext())


def test_the_handler_never_lists_the_raw_bucket(
    stack: Stack, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It reads the objects the event names: no ListObjects on the raw bucket, whatever the
    size of the bucket (a listing per event is what the seed did, and what costs at scale)."""
    events = extract(stack, sim, monkeypatch)
    listed: list[tuple[str, str]] = []

    def spy(model: Any, params: dict[str, Any], **_: Any) -> None:
        if model.name.startswith("List"):
            listed.append((model.name, str(params.get("Bucket"))))

    # Clients copy the session's handlers when they are created, so register before the
    # handler builds its S3 clients.
    events_hub = boto3._get_default_session().events
    events_hub.register("before-parameter-build.s3", spy)
    monkeypatch.setattr(S3Store, "list", _no_listing)
    try:
        for event in events:
            assert transform_handler.handler(event, LambdaTestContext())["status"] == "ok"
    finally:
        events_hub.unregister("before-parameter-build.s3", spy)
    assert data_files(stack.transformed_bucket)
    assert [call for call in listed if call[1] == stack.raw_bucket] == []


def _no_listing(self: S3Store, prefix: str = "") -> Any:
    raise AssertionError(f"listed {self.url}/{prefix}")


def test_snowpipe_notification_filter_passes_exactly_the_data_files_transform_wrote(
    stack: Stack, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The template's transformed-bucket filter against the keys a real transform wrote:
    every data file reaches Snowflake's queue; summaries, quarantine and markers never do."""
    from spotify_etl.model import TABLES
    from tests.aws import cfn

    template = cfn.load()
    props = cfn.resolve(
        template["Resources"]["TransformedBucket"]["Properties"],
        cfn.parameters(template, SnowpipeQueueArn="arn:aws:sqs:us-east-1:123456789012:sf-q"),
        {"HasSnowpipe": True},
    )
    [queue] = props["NotificationConfiguration"]["QueueConfigurations"]
    rules = {r["Name"]: r["Value"] for r in queue["Filter"]["S3Key"]["Rules"]}
    for event in extract(stack, sim, monkeypatch):
        transform_handler.handler(event, LambdaTestContext())
    keys = sorted({k for k, _ in versions(stack.transformed_bucket)})
    folders = "|".join(t.folder for t in TABLES)
    data = re.compile(rf"^transformed/({folders})/dt=\d{{4}}-\d{{2}}-\d{{2}}/[^/]+\.csv\.gz$")
    assert any(data.match(k) for k in keys) and any(not data.match(k) for k in keys)
    for key in keys:
        notified = key.startswith(rules["prefix"]) and key.endswith(rules["suffix"])
        assert notified == bool(data.match(key)), key
