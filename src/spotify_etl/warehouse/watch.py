"""Auto-ingest: load transformed files as they appear.

Locally the folder is polled (the load history makes a poll with nothing new cost a listing).
On AWS an SQS queue receives the bucket's s3:ObjectCreated notifications; a message that names
a data file under the transformed prefix triggers a load of everything pending, and messages
are deleted only after that load returned, so a crash means redelivery, never a lost file.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from spotify_etl.config import WarehouseSettings
from spotify_etl.storage import ObjectStore, s3_location
from spotify_etl.warehouse.base import LoadSummary, Warehouse
from spotify_etl.warehouse.loader import LoadRun, load_pending

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

log = logging.getLogger(__name__)
OnSummary = Callable[[LoadSummary], None]


def watch_folder(
    store: ObjectStore,
    wh: Warehouse,
    *,
    on_summary: OnSummary,
    interval_s: float = 5.0,
    settings: WarehouseSettings | None = None,
    load: LoadRun | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Poll until `stop` is set; report each poll that loaded, refused or failed something."""
    stop = stop or threading.Event()
    while not stop.is_set():
        summary = load_pending(store, wh, settings, load)
        if summary.loaded or summary.failed or summary.refused:
            on_summary(summary)
        stop.wait(interval_s)


def notified_keys(body: str, bucket: str, prefix: str) -> Iterator[str]:
    """Keys (relative to the transformed root) of created objects named in an S3 event."""
    try:
        event = json.loads(body)
    except ValueError:
        log.warning("ignoring a queue message that is not JSON")
        return
    if isinstance(event, dict) and "Message" in event and isinstance(event["Message"], str):
        yield from notified_keys(event["Message"], bucket, prefix)  # delivered through SNS
        return
    records = event.get("Records", []) if isinstance(event, dict) else []
    for record in records:
        if not str(record.get("eventName", "")).startswith("ObjectCreated"):
            continue
        s3 = record.get("s3", {})
        if s3.get("bucket", {}).get("name") != bucket:
            continue
        key = unquote_plus(str(s3.get("object", {}).get("key", "")))
        if prefix and not key.startswith(prefix + "/"):
            continue
        relative = key[len(prefix) + 1 :] if prefix else key
        if relative and not relative.startswith("_"):
            yield relative


def sqs_client() -> SQSClient:
    import boto3

    endpoint = os.environ.get("SPOTIFY_ETL_SQS_ENDPOINT_URL") or os.environ.get(
        "SPOTIFY_ETL_S3_ENDPOINT_URL"
    )
    return boto3.client("sqs", endpoint_url=endpoint or None)


def watch_queue(
    store: ObjectStore,
    wh: Warehouse,
    queue_url: str,
    *,
    on_summary: OnSummary,
    settings: WarehouseSettings | None = None,
    load: LoadRun | None = None,
    wait_s: int = 20,
    until_idle: bool = False,
    stop: threading.Event | None = None,
    client: Any = None,
) -> None:
    """Long-poll the queue; load on notifications for this store's bucket and prefix.

    `until_idle` returns once a receive comes back empty (drain the queue and exit).
    """
    bucket, prefix = s3_location(store.url)  # ConfigError unless the store is on S3
    sqs = client or sqs_client()
    stop = stop or threading.Event()
    while not stop.is_set():
        reply = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_s
        )
        messages = reply.get("Messages", [])
        if not messages:
            if until_idle:
                return
            continue
        relevant = [
            key for m in messages for key in notified_keys(m.get("Body", ""), bucket, prefix)
        ]
        if relevant:
            log.info("%d new object(s) notified; loading", len(relevant))
            summary = load_pending(store, wh, settings, load)
            on_summary(summary)
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)
            ],
        )
