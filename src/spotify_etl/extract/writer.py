"""Raw zone writer: envelopes into gzip JSON Lines parts, one open part per source kind.

A part is rolled when its uncompressed JSON Lines reach `part_max_bytes` (a bound that does
not depend on how well the bodies compress, so readers know what a part costs in memory),
and on `flush()` (before every state save, so the state never names a part that is not in
the store). Each part is
written with one atomic put: readers never see half of one. Thread-safe.
"""

from __future__ import annotations

import gzip
import io
import threading
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import msgspec

from spotify_etl.rawzone import SOURCE_KINDS, Envelope, part_key
from spotify_etl.spotify.responses import ApiResponse
from spotify_etl.storage import ObjectStore

_encoder = msgspec.json.Encoder()


class _OpenPart:
    def __init__(self, key: str) -> None:
        self.key = key
        self.buffer = io.BytesIO()
        # mtime=0: the same envelopes give the same bytes.
        self.gzip = gzip.GzipFile(fileobj=self.buffer, mode="wb", compresslevel=6, mtime=0)
        self.records = 0
        self.size = 0  # uncompressed bytes

    def write(self, line: bytes) -> None:
        self.gzip.write(line)
        self.gzip.write(b"\n")
        self.records += 1
        self.size += len(line) + 1

    def close(self) -> bytes:
        self.gzip.close()
        return self.buffer.getvalue()


def fetched_at_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def split_url(url: str) -> str:
    """The URL without its query string (params are kept apart in the envelope)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def request_params(url: str, params: dict[str, Any] | None) -> dict[str, Any]:
    """The query of a `next` URL and the explicit params, as one dict."""
    merged: dict[str, Any] = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    merged.update(params or {})
    return merged


class RawWriter:
    def __init__(
        self,
        store: ObjectStore,
        *,
        run_id: str,
        dt: str,
        part_max_bytes: int = 8 * 1024 * 1024,
    ) -> None:
        self.store = store
        self.run_id = run_id
        self.dt = dt
        self.part_max_bytes = part_max_bytes
        self.written: list[str] = []  # keys of parts in the store, in write order
        self.records = 0
        self._open: dict[str, _OpenPart] = {}
        self._next_part: dict[str, int] = {}
        self._lock = threading.Lock()

    def reply_envelope(
        self,
        reply: ApiResponse,
        source_kind: str,
        *,
        source_id: str | None = None,
        carry_forward: dict[str, Any] | None = None,
        snapshot_id: str | None = None,
    ) -> Envelope:
        """The envelope of one API reply, its request's params merged from its URL."""
        return self.envelope(
            source_kind=source_kind,
            method=reply.method,
            url=reply.url,
            params=request_params(reply.url, reply.params),
            status=reply.status,
            fetched_at=reply.fetched_at,
            body=reply.body,
            profile=reply.profile,
            source_id=source_id,
            carry_forward=carry_forward,
            snapshot_id=snapshot_id,
        )

    def envelope(
        self,
        *,
        source_kind: str,
        method: str,
        url: str,
        params: dict[str, Any],
        status: int,
        fetched_at: datetime,
        body: Any,
        profile: str | None = None,
        body_text: str | None = None,
        source_id: str | None = None,
        carry_forward: dict[str, Any] | None = None,
        snapshot_id: str | None = None,
    ) -> Envelope:
        return Envelope(
            method=method,
            url=split_url(url),
            params=params,
            status=status,
            fetched_at=fetched_at_text(fetched_at),
            profile=profile or "unknown",
            run_id=self.run_id,
            source_kind=source_kind,
            dt=self.dt,
            body=body,
            body_text=body_text,
            source_id=source_id,
            carry_forward=carry_forward,
            snapshot_id=snapshot_id,
        )

    def write(self, envelope: Envelope) -> str:
        """Buffer one envelope; returns the key of the part it will be stored in."""
        if envelope.source_kind not in SOURCE_KINDS:
            raise ValueError(f"unknown source kind {envelope.source_kind!r}")
        line = _encoder.encode(envelope)
        with self._lock:
            part = self._open.get(envelope.source_kind)
            if part is None:
                number = self._next_part.get(envelope.source_kind, 0)
                self._next_part[envelope.source_kind] = number + 1
                key = part_key(envelope.source_kind, self.dt, self.run_id, number)
                part = self._open[envelope.source_kind] = _OpenPart(key)
            part.write(line)
            self.records += 1
            key = part.key
            if part.size >= self.part_max_bytes:
                self._close(envelope.source_kind)
            return key

    def _close(self, kind: str) -> None:
        part = self._open.pop(kind)
        self.store.put(part.key, part.close())
        self.written.append(part.key)

    def flush(self) -> None:
        """Store every open part now (a later write starts a new part)."""
        with self._lock:
            for kind in sorted(self._open):
                self._close(kind)
