"""Spotify's quota buckets as this client guesses them, and which of them are locked until when.

Development mode counts its quota per developer account in endpoint buckets on a rolling
~24 h window; Spotify does not publish the groupings and may change them (docs/spotify-api.md,
"Errors, rate limit and quota"). Users saw `/me/tracks` or artist albums locked for a day
while album, track, search and playlist calls went on working. `bucket_of` is this client's
own guess from those reports (the simulator keeps its own, configurable, map): a wrong guess
costs at most one refused request per bucket, since the refusal locks the guessed bucket.

A `QUOTA_EXCEEDED` locks the request's bucket until its Retry-After (or the policy's fallback);
later requests to that bucket raise QuotaExhausted at once, spending nothing, while the other
buckets go on. `restore` takes locks remembered from an earlier run (extract state).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import NoReturn

from spotify_etl.errors import QuotaExhausted

log = logging.getLogger(__name__)

BUCKETS = (
    "albums",
    "artists",
    "artist-albums",
    "artist-top-tracks",
    "tracks",
    "search",
    "playlists",
    "library",
    "player",
    "me",
    "browse",
)
_LIBRARY = ("tracks", "albums", "shows", "episodes", "following")
_SAME_NAME = ("albums", "tracks", "search", "playlists", "browse")


def bucket_of(endpoint: str) -> str:
    """The bucket of an endpoint template ("artists/{id}/albums" -> "artist-albums").

    An endpoint outside the map is its own bucket, named by its first segment.
    """
    parts = endpoint.strip("/").split("/")
    head = parts[0]
    if head == "artists":
        tail = parts[2] if len(parts) > 2 else ""
        return {"albums": "artist-albums", "top-tracks": "artist-top-tracks"}.get(tail, "artists")
    if head in _SAME_NAME:
        return head
    if head == "users":  # /users/{id}/playlists; a user profile counts with /me
        return "playlists" if parts[2:3] == ["playlists"] else "me"
    if head == "me":
        second = parts[1] if len(parts) > 1 else ""
        if second == "playlists":
            return "playlists"
        if second in _LIBRARY:
            return "library"
        if second == "player":
            return "player"
        return "me"
    return head


class QuotaBuckets:
    """Thread-safe: the buckets locked by a QUOTA_EXCEEDED, each until its resume time."""

    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self._clock = clock or (lambda: datetime.now(UTC))
        self._until: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def use_clock(self, clock: Callable[[], datetime]) -> None:
        """Judge resume times by `clock` (an extraction run's own notion of now)."""
        self._clock = clock

    def restore(self, locked: Mapping[str, datetime]) -> None:
        """Locks remembered from an earlier run; those already past are dropped."""
        now = self._clock()
        with self._lock:
            for bucket, until in locked.items():
                if until > now and until > self._until.get(bucket, now):
                    self._until[bucket] = until

    def locked(self) -> dict[str, datetime]:
        """Buckets still locked now, with their resume times."""
        now = self._clock()
        with self._lock:
            return {b: t for b, t in sorted(self._until.items()) if t > now}

    def check(self, endpoint: str) -> None:
        """Raise QuotaExhausted, spending nothing, when the endpoint's bucket is locked."""
        bucket = bucket_of(endpoint)
        now = self._clock()
        with self._lock:
            until = self._until.get(bucket)
        if until is not None and until > now:
            _raise_exhausted(bucket, until, now)

    def exhaust(self, endpoint: str, retry_after_s: float) -> NoReturn:
        """Lock the endpoint's bucket for `retry_after_s` and raise QuotaExhausted for this
        request."""
        bucket = bucket_of(endpoint)
        now = self._clock()
        until = now + timedelta(seconds=retry_after_s)
        with self._lock:
            first = bucket not in self._until or self._until[bucket] <= now
            until = max(until, self._until.get(bucket, until))
            self._until[bucket] = until
        if first:
            log.warning(
                "Spotify quota used up for the %s bucket (%s): its work waits until %s UTC; "
                "the other buckets go on",
                bucket,
                endpoint,
                f"{until:%Y-%m-%d %H:%M}",
            )
        _raise_exhausted(bucket, until, now)


def _raise_exhausted(bucket: str, until: datetime, now: datetime) -> NoReturn:
    wait = max(0.0, (until - now).total_seconds())
    raise QuotaExhausted(
        f"Spotify's quota for the {bucket} bucket is used up; resume after "
        f"{until:%Y-%m-%d %H:%M} UTC (in {wait / 3600:.1f} h)",
        bucket=bucket,
        resume_at=until,
        retry_after_s=wait,
    )
