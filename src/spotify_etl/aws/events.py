"""Lambda event payloads, parsed into what the handlers act on.

S3 notifications arrive directly (`{"Records": [{"eventSource": "aws:s3", ...}]}`) or wrapped
in SQS/SNS messages; both shapes are accepted so the trigger can change without code changes.
Object keys in S3 events are URL-encoded with '+' for spaces: they are decoded here, once.
`s3:TestEvent` (sent when a notification is configured) is recognised and yields nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from spotify_etl.errors import InputError


@dataclass(frozen=True)
class S3ObjectRef:
    """One object named by an S3 ObjectCreated record (key decoded, ETag unquoted)."""

    bucket: str
    key: str
    etag: str
    size: int
    event_name: str


def _as_dict(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError(f"not an S3 event: {what} is {type(value).__name__}, not an object")
    return value


def _is_test_event(payload: dict[str, Any]) -> bool:
    return payload.get("Event") == "s3:TestEvent"


def _unwrap(record: dict[str, Any]) -> list[dict[str, Any]]:
    """An SQS or SNS record carries an S3 event (or a test event) as a JSON string."""
    source = record.get("eventSource") or record.get("EventSource")
    if source == "aws:sqs":
        body = record.get("body", "")
    elif source == "aws:sns":
        body = _as_dict(record.get("Sns"), "Sns").get("Message", "")
    else:
        return [record]
    try:
        inner = _as_dict(json.loads(body), "message body")
    except json.JSONDecodeError:
        raise InputError(f"{source} message body is not JSON") from None
    if _is_test_event(inner):
        return []
    records = inner.get("Records")
    if not isinstance(records, list):
        raise InputError(f"{source} message does not carry S3 event records")
    return [r for rec in records for r in _unwrap(_as_dict(rec, "record"))]


def _object_ref(record: dict[str, Any]) -> S3ObjectRef | None:
    if record.get("eventSource") != "aws:s3":
        raise InputError(f"not an S3 event record: eventSource={record.get('eventSource')!r}")
    name = str(record.get("eventName", ""))
    if not name.startswith("ObjectCreated:"):
        return None  # removals, restores, replication: nothing to transform
    s3 = _as_dict(record.get("s3"), "s3")
    bucket = _as_dict(s3.get("bucket"), "s3.bucket").get("name")
    obj = _as_dict(s3.get("object"), "s3.object")
    key, etag = obj.get("key"), obj.get("eTag")
    if not isinstance(bucket, str) or not isinstance(key, str) or not bucket or not key:
        raise InputError("S3 event record without a bucket name or object key")
    if not isinstance(etag, str) or not etag:
        raise InputError(f"S3 event record without an eTag for s3://{bucket}/{unquote_plus(key)}")
    return S3ObjectRef(
        bucket=bucket,
        key=unquote_plus(key),
        etag=etag.strip('"'),
        size=int(obj.get("size") or 0),
        event_name=name,
    )


def s3_objects(event: object) -> list[S3ObjectRef]:
    """The created objects an event names, in order, without repeats; [] for a test event."""
    payload = _as_dict(event, "the event")
    if _is_test_event(payload):
        return []
    records = payload.get("Records")
    if not isinstance(records, list):
        raise InputError("not an S3 event: no 'Records' list")
    refs: dict[tuple[str, str, str], S3ObjectRef] = {}
    for record in records:
        for inner in _unwrap(_as_dict(record, "record")):
            ref = _object_ref(inner)
            if ref is not None:
                refs.setdefault((ref.bucket, ref.key, ref.etag), ref)
    return list(refs.values())


@dataclass(frozen=True)
class ShardTask:
    """One slice of an extraction run: shard `index` of `count`."""

    index: int
    count: int
    scheduled_at: str | None = None

    def body(self) -> str:
        return json.dumps(
            {"shard": [self.index, self.count], "scheduled_at": self.scheduled_at},
            separators=(",", ":"),
        )


def _shard_task(payload: dict[str, Any]) -> ShardTask:
    shard = payload.get("shard")
    if not (
        isinstance(shard, list)
        and len(shard) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in shard)
        and 0 <= shard[0] < shard[1]
    ):
        raise InputError(f"shard message must hold 'shard': [index, count], got {shard!r}")
    scheduled_at = payload.get("scheduled_at")
    return ShardTask(shard[0], shard[1], scheduled_at if isinstance(scheduled_at, str) else None)


@dataclass(frozen=True)
class ExtractTrigger:
    """What started the extract function: the schedule (or a manual invoke) or shard messages."""

    scheduled_at: str | None
    shards: tuple[ShardTask, ...] = ()


def extract_trigger(event: object) -> ExtractTrigger:
    """A scheduled event, `{}` (manual), `{"shard": [i, n]}`, or SQS shard records."""
    payload = _as_dict(event, "the event")
    records = payload.get("Records")
    if isinstance(records, list):
        tasks = []
        for record in records:
            rec = _as_dict(record, "record")
            if rec.get("eventSource") != "aws:sqs":
                source = rec.get("eventSource")
                raise InputError(f"extract expects SQS shard records, got {source!r}")
            try:
                body = json.loads(rec.get("body", ""))
            except json.JSONDecodeError:
                raise InputError("shard message body is not JSON") from None
            tasks.append(_shard_task(_as_dict(body, "shard message")))
        return ExtractTrigger(scheduled_at=None, shards=tuple(tasks))
    if "shard" in payload:
        return ExtractTrigger(scheduled_at=None, shards=(_shard_task(payload),))
    when = payload.get("time")
    return ExtractTrigger(scheduled_at=when if isinstance(when, str) else None)
