"""Exactly-once transform per raw object version: marker objects with conditional writes.

S3 delivers notifications at least once, and Lambda retries failed invocations. Each raw
object version (bucket, key, ETag) gets one marker object in the transformed bucket:

    started  -> written with If-None-Match: * ; exactly one invocation wins the claim
    done     -> written with If-Match on the claim's ETag after the outputs are written
    failed   -> written with If-Match when the transform raised; the retry may claim again

A `started` marker whose owner's deadline (its Lambda time limit) has passed is stale: the
owner timed out, so the next delivery takes it over with If-Match. Why markers and not a
DynamoDB table: S3 conditional writes are strongly consistent, the marker lives beside the
output it vouches for (same bucket, same lifecycle, same IAM scope), there is no table to
provision, and the local pipeline runs the same code on a local folder.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Literal

from spotify_etl.aws.events import S3ObjectRef
from spotify_etl.errors import InputError, PreconditionFailed
from spotify_etl.storage import ObjectStore

log = logging.getLogger(__name__)

Verdict = Literal["claimed", "done", "in_progress"]


@dataclass(frozen=True)
class Claim:
    verdict: Verdict
    ref: S3ObjectRef
    marker_key: str
    marker_etag: str = ""  # ours when verdict == "claimed"


class TransformLedger:
    """Markers under `prefix` in `store` (the transformed bucket, outside the output keys)."""

    def __init__(self, store: ObjectStore, prefix: str = "_state/transform/") -> None:
        self.store = store
        self.prefix = prefix.rstrip("/") + "/"

    def marker_key(self, ref: S3ObjectRef) -> str:
        return f"{self.prefix}{ref.bucket}/{ref.key}@{ref.etag}.json"

    def _body(self, ref: S3ObjectRef, status: str, **extra: Any) -> bytes:
        doc = {"status": status, "bucket": ref.bucket, "key": ref.key, "etag": ref.etag, **extra}
        return json.dumps(doc, sort_keys=True, ensure_ascii=False).encode()

    def _read(self, key: str) -> tuple[dict[str, Any], str] | None:
        info = self.store.head(key)
        if info is None:
            return None
        try:
            doc = json.loads(self.store.get(key))
        except InputError:
            return None  # deleted between head and get
        except ValueError:
            doc = {"status": "corrupt"}
        return (doc if isinstance(doc, dict) else {"status": "corrupt"}), info.etag

    def claim(self, ref: S3ObjectRef, *, now: float, deadline: float, owner: str) -> Claim:
        """Try to become the one invocation that transforms this object version."""
        key = self.marker_key(ref)
        body = self._body(ref, "started", claimed_at=now, deadline=deadline, owner=owner)
        for _ in range(5):  # each loop is a lost race against a writer that moved on
            try:
                return Claim("claimed", ref, key, self.store.put(key, body, if_none_match=True))
            except PreconditionFailed:
                pass
            current = self._read(key)
            if current is None:
                continue
            doc, etag = current
            status = doc.get("status")
            if status == "done":
                return Claim("done", ref, key)
            if status == "started" and float(doc.get("deadline", 0)) > now:
                return Claim("in_progress", ref, key)
            # failed, corrupt, or started by an invocation that has timed out: take over.
            log.info("taking over transform marker %s (status %s)", key, status)
            try:
                return Claim("claimed", ref, key, self.store.put(key, body, if_match=etag))
            except PreconditionFailed:
                continue
        return Claim("in_progress", ref, key)

    def complete(self, claim: Claim, *, outputs: list[str], now: float) -> None:
        body = self._body(claim.ref, "done", completed_at=now, outputs=outputs)
        try:
            self.store.put(claim.marker_key, body, if_match=claim.marker_etag)
        except PreconditionFailed:
            # Another invocation took over after our deadline passed; its outputs have the
            # same keys as ours (they are derived from the raw key), so nothing is doubled.
            log.warning("transform marker %s changed under us; leaving it", claim.marker_key)

    def fail(self, claim: Claim, *, error: str, now: float) -> None:
        body = self._body(claim.ref, "failed", failed_at=now, error=error)
        try:
            self.store.put(claim.marker_key, body, if_match=claim.marker_etag)
        except PreconditionFailed:
            log.warning("transform marker %s changed under us; leaving it", claim.marker_key)
