"""The exactly-once marker protocol, on the real S3 conditional writes of a moto server."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import pytest

from spotify_etl.aws.events import S3ObjectRef
from spotify_etl.aws.ledger import Claim, TransformLedger
from spotify_etl.storage import LocalStore, ObjectStore, S3Store

REF = S3ObjectRef("raw-bucket", "raw/tracks/dt=2026-11-24/run=r/part-00000.jsonl.gz", "e1", 9, "")


@pytest.fixture(params=["s3", "local"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    if request.param == "local":
        return LocalStore(tmp_path)
    request.getfixturevalue("moto_env")
    boto3.client("s3").create_bucket(Bucket="out-bucket")
    return S3Store("out-bucket")


def test_first_claim_wins_then_done_is_final(store: ObjectStore) -> None:
    ledger = TransformLedger(store)
    first = ledger.claim(REF, now=100, deadline=400, owner="a")
    assert first.verdict == "claimed"
    assert ledger.claim(REF, now=101, deadline=401, owner="b").verdict == "in_progress"
    ledger.complete(first, outputs=["songs/x.csv.gz"], now=150)
    assert ledger.claim(REF, now=999, deadline=1300, owner="c").verdict == "done"
    doc = json.loads(store.get(first.marker_key))
    assert doc["status"] == "done" and doc["outputs"] == ["songs/x.csv.gz"]
    assert first.marker_key == "_state/transform/raw-bucket/" + REF.key + "@e1.json"


def test_a_new_object_version_is_a_new_claim(store: ObjectStore) -> None:
    ledger = TransformLedger(store)
    ledger.complete(ledger.claim(REF, now=1, deadline=2, owner="a"), outputs=[], now=1)
    newer = S3ObjectRef(REF.bucket, REF.key, "e2", 9, "")
    assert ledger.claim(newer, now=3, deadline=4, owner="a").verdict == "claimed"


def test_failed_claim_can_be_retried(store: ObjectStore) -> None:
    ledger = TransformLedger(store)
    claim = ledger.claim(REF, now=100, deadline=400, owner="a")
    ledger.fail(claim, error="RetryableError", now=120)
    retry = ledger.claim(REF, now=130, deadline=430, owner="b")
    assert retry.verdict == "claimed"
    assert json.loads(store.get(retry.marker_key))["owner"] == "b"


def test_stale_claim_of_a_timed_out_invocation_is_taken_over(store: ObjectStore) -> None:
    ledger = TransformLedger(store)
    dead = ledger.claim(REF, now=100, deadline=400, owner="a")
    taken = ledger.claim(REF, now=401, deadline=700, owner="b")
    assert taken.verdict == "claimed"
    # The timed-out owner cannot overwrite the new owner's marker afterwards.
    ledger.complete(dead, outputs=["late"], now=402)
    assert json.loads(store.get(taken.marker_key))["status"] == "started"
    ledger.complete(taken, outputs=["ok"], now=403)
    assert json.loads(store.get(taken.marker_key))["outputs"] == ["ok"]


def test_concurrent_deliveries_claim_once(store: ObjectStore) -> None:
    ledger = TransformLedger(store)

    def attempt(i: int) -> Claim:
        return ledger.claim(REF, now=1, deadline=9, owner=f"worker-{i}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        claims = list(pool.map(attempt, range(9)))
    verdicts = [c.verdict for c in claims]
    assert verdicts.count("claimed") == 1 and verdicts.count("in_progress") == 8


def test_corrupt_marker_is_taken_over(store: ObjectStore) -> None:
    ledger = TransformLedger(store)
    store.put(ledger.marker_key(REF), b"{not json")
    assert ledger.claim(REF, now=1, deadline=2, owner="a").verdict == "claimed"
