"""Quota buckets as extraction sees them: locks kept across runs, and the work that waits.

A `QuotaExhausted` stops only the work of its bucket (docs/spotify-api.md: a lockout is per bucket).
The engine records each such item here under a key (a playlist id, a listing key, or
"<kind>:<id>" for an entity) and leaves it where the checkpoint keeps it: pending ids,
listing progress, playlists not done. The run goes on with everything else and, at the end,
stops (exit 75) only if something is still waiting, resuming after the earliest lock.

The locks themselves live in the client (spotify/buckets.py); `restore` hands it the ones an
earlier run saved in the state, judged by the run's clock, and `saved` takes them back.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from spotify_etl.errors import QuotaExhausted
from spotify_etl.extract.state import State, iso, parse_iso

if TYPE_CHECKING:
    from spotify_etl.spotify import SpotifyClient

log = logging.getLogger(__name__)


class Deferred:
    """Thread-safe: the keys of the work that waits, each with its bucket and resume time."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[str, datetime]] = {}
        self._lock = threading.Lock()

    def add(self, key: str, exc: QuotaExhausted) -> None:
        with self._lock:
            self._items[key] = (exc.bucket, exc.resume_at)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._items

    def __bool__(self) -> bool:
        with self._lock:
            return bool(self._items)

    def by_bucket(self) -> dict[str, int]:
        """How many items wait on each bucket."""
        with self._lock:
            return dict(sorted(Counter(bucket for bucket, _ in self._items.values()).items()))

    def resume_at(self) -> datetime | None:
        """When the first waiting bucket unlocks: the earliest time a rerun can do more."""
        with self._lock:
            return min((at for _, at in self._items.values()), default=None)


def restore(client: SpotifyClient, state: State, now: datetime) -> None:
    """Give the client the locks of earlier runs, on this run's clock (`now` moving on)."""
    started = time.monotonic()
    client.quota.use_clock(lambda: now + timedelta(seconds=time.monotonic() - started))
    client.quota.restore({bucket: parse_iso(until) for bucket, until in state.quota.items()})
    for bucket, until in client.quota.locked().items():
        log.info("quota: the %s bucket is locked until %s UTC; its work waits", bucket, until)


def saved(client: SpotifyClient) -> dict[str, str]:
    """The locks to keep in the state: bucket -> ISO UTC until."""
    return {bucket: iso(until) for bucket, until in client.quota.locked().items()}


def resume_at(client: SpotifyClient, deferred: Deferred) -> datetime | None:
    """When the first bucket that work waits on unlocks (its latest lock, as saved)."""
    locked = client.quota.locked()
    times = [locked[bucket] for bucket in deferred.by_bucket() if bucket in locked]
    return min(times) if times else deferred.resume_at()


def stop_message(client: SpotifyClient, deferred: Deferred) -> str:
    waiting = ", ".join(f"{n} in {bucket}" for bucket, n in deferred.by_bucket().items())
    at = resume_at(client, deferred)
    when = f"{at:%Y-%m-%d %H:%M} UTC" if at else "the next run"
    return (
        f"Spotify's quota is used up for some endpoint buckets; every other bucket's work is "
        f"done. Waiting: {waiting}; resume after {when}"
    )


def manifest_block(client: SpotifyClient, deferred: Deferred) -> dict[str, Any]:
    """For the run manifest: locked buckets with their resume times, and what waits on each."""
    return {"locked": saved(client), "waiting": deferred.by_bucket()}
