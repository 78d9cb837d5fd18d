"""Lambda: S3 ObjectCreated in the raw bucket -> run_transform on exactly those objects.

Reads only the objects the event names (never lists the bucket), each version once: the
ledger's markers make a duplicate delivery a no-op. Writes to the transformed bucket, which
has no notification back to this function, so it cannot trigger itself. Anything that leaves
an object untransformed raises, so Lambda retries it and the dead-letter queue keeps it.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from spotify_etl.aws.environment import LambdaSettings
from spotify_etl.aws.events import S3ObjectRef, s3_objects
from spotify_etl.aws.ledger import Claim, TransformLedger
from spotify_etl.aws.metrics import UNREADABLE_OBJECTS, emit
from spotify_etl.aws.runtime import Invocation, configure_logging
from spotify_etl.config import TransformSettings
from spotify_etl.errors import ConfigError, InputError
from spotify_etl.storage import ObjectStore, s3_location
from spotify_etl.transform import TransformSummary
from spotify_etl.transform.runner import TransformRun, run_transform

log = logging.getLogger(__name__)

MARKER_PREFIX = "_state/transform/"


def _store_key(raw: ObjectStore, ref: S3ObjectRef) -> str:
    key = raw.key_of(f"s3://{ref.bucket}/{ref.key}")
    if key is not None:
        return key
    if ref.bucket != s3_location(raw.url)[0]:
        raise ConfigError(f"event for bucket {ref.bucket!r}; this function transforms {raw.url}")
    raise ConfigError(f"s3://{ref.bucket}/{ref.key} is outside the raw zone {raw.url}")


def _describe(refs: list[S3ObjectRef]) -> str:
    shown = ", ".join(f"s3://{r.bucket}/{r.key}" for r in refs[:3])
    return shown + (f" and {len(refs) - 3} more" if len(refs) > 3 else "")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    configure_logging()
    refs = s3_objects(event)
    if not refs:
        log.info("no created objects in the event (s3:TestEvent or another event type)")
        return {"status": "ignored", "transformed": [], "duplicates": [], "outputs": []}
    settings = LambdaSettings.from_env()
    invocation = Invocation.of(context)
    raw, out = settings.raw_store(), settings.transformed_store()
    ledger = TransformLedger(settings.marker_store(), MARKER_PREFIX)
    # The [transform] section whole, as the CLI passes it: format, max_record_bytes, workers.
    # One process all the same: an event names one object, far below the pool's break-even,
    # and Lambda has no /dev/shm for a process pool's semaphores.
    transform = settings.pipeline_config().transform.model_copy(update={"workers": 1})

    claims: dict[str, Claim] = {}  # store key -> our claim
    gone: list[S3ObjectRef] = []
    duplicates: list[str] = []
    for ref in refs:
        key = _store_key(raw, ref)
        info = raw.head(key)
        if info is None:
            gone.append(ref)
            continue
        if info.etag != ref.etag:
            # Overwritten since the event: the newer version has an event of its own.
            log.warning("skipping superseded version %s of s3://%s/%s", ref.etag, ref.bucket, key)
            duplicates.append(key)
            continue
        claim = ledger.claim(
            ref, now=time.time(), deadline=invocation.deadline, owner=invocation.request_id
        )
        if claim.verdict == "claimed":
            claims[key] = claim
        else:
            log.info("s3://%s/%s@%s already %s", ref.bucket, key, ref.etag, claim.verdict)
            duplicates.append(key)

    summary, failed = (
        _transform(raw, out, ledger, claims, transform) if claims else (TransformSummary(), set())
    )
    emit(
        {
            "ObjectsTransformed": len(claims) - len(failed),
            "DuplicateDeliveries": len(duplicates),
            UNREADABLE_OBJECTS: len(summary.unreadable),
            "GoneObjects": len(gone),
            "RowsWritten": sum(c.rows_out for c in summary.tables.values()),
            "RowsQuarantined": summary.rows_quarantined,
        },
        dimensions={"Stage": "transform"},
        namespace=settings.namespace,
        properties={"request_id": invocation.request_id, "keys": sorted(claims)},
    )
    if summary.unreadable:
        first = summary.unreadable[0]
        raise InputError(
            f"{len(summary.unreadable)} raw object(s) could not be transformed; first: "
            f"{first.key}: {first.reason}",
            hint="see _quarantine/ in the transformed bucket; Lambda will retry",
        )
    if gone:
        raise InputError(
            f"raw object gone before it was transformed: {_describe(gone)}",
            hint="deleted or expired after the event was sent; nothing to transform",
        )
    return {
        "status": "ok",
        "transformed": sorted(claims),
        "duplicates": duplicates,
        "outputs": summary.output_keys,
    }


def _transform(
    raw: ObjectStore,
    out: ObjectStore,
    ledger: TransformLedger,
    claims: dict[str, Claim],
    transform: TransformSettings,
) -> tuple[TransformSummary, set[str]]:
    """run_transform on the claimed keys; every claim ends done or failed, never started."""
    try:
        summary = run_transform(raw, out, transform, TransformRun(keys=list(claims)))
    except BaseException as exc:
        for claim in claims.values():
            ledger.fail(claim, error=type(exc).__name__, now=time.time())
        raise
    outputs = {batch.source_key: batch.outputs for batch in summary.batches}
    failed = {u.key for u in summary.unreadable}
    for batch in summary.batches:
        if batch.unreadable:
            failed.add(batch.source_key)  # a carried part it needed was unreadable
    for key, claim in claims.items():
        if key in failed:
            ledger.fail(claim, error="unreadable", now=time.time())
        else:
            ledger.complete(claim, outputs=outputs.get(key, []), now=time.time())
    return summary, failed
