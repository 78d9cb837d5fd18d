"""The quota: per developer account, per endpoint bucket, on a rolling window.

As docs/spotify-api.md ("Errors, rate limit and quota") describes it: requests are
counted per developer account, shared by every Client ID of that developer, and grouped in
endpoint buckets whose groupings and sizes Spotify may change. Over a bucket's size the reply
is 429 `{"error":{"status":429,"message":"Too many requests","reason":"QUOTA_EXCEEDED"}}` with
a Retry-After of the seconds until that bucket frees; the window is rolling (about 24 h), and
a lockout on one bucket leaves the others working.

The window runs on the simulator's clock: real elapsed time plus 86,400 s per simulated day,
so `set_day(d + 1)` lets a day-long window free up as a real day would.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Mapping

from spotify_etl.simulator.config import SimulatorConfig

SECONDS_PER_DAY = 86_400

# Path template (relative to /v1) or a prefix of one -> bucket; the longest match wins, and a
# template no rule names falls in the bucket of its first segment ("/markets" -> "markets").
# Spotify does not publish its groupings: these follow what users report (docs/spotify-api.md).
DEFAULT_BUCKETS: dict[str, str] = {
    "/albums": "albums",
    "/artists": "artists",
    "/artists/{id}/albums": "artist-albums",
    "/artists/{id}/top-tracks": "artist-top-tracks",
    "/tracks": "tracks",
    "/search": "search",
    "/playlists": "playlists",
    "/me/playlists": "playlists",
    "/users/{id}/playlists": "playlists",
    "/me/tracks": "library",
    "/me/albums": "library",
    "/me/shows": "library",
    "/me/episodes": "library",
    "/me/following": "library",
    "/me/player": "player",
    "/me": "me",
    "/me/top": "me",
    "/browse": "browse",
}


def _longest(rules: Mapping[str, str], template: str) -> str | None:
    matching = [
        (len(prefix), bucket)
        for prefix, bucket in rules.items()
        if template == prefix or template.startswith(prefix.rstrip("/") + "/")
    ]
    return max(matching)[1] if matching else None


def bucket_of(template: str, overrides: Mapping[str, str] | None = None) -> str:
    """The quota bucket of a route template. `overrides` join the default rules (replacing a
    rule for the same prefix); the longest matching prefix decides."""
    found = _longest({**DEFAULT_BUCKETS, **(overrides or {})}, template)
    return found or template.strip("/").split("/")[0]


class Quota:
    """Rolling-window counters per (developer account, bucket). Thread-safe for `snapshot`."""

    def __init__(self, config: SimulatorConfig, day: list[int]) -> None:
        self.config = config
        self._day = day  # shared, mutable: the simulator's current day
        self._start = time.monotonic()
        self._last = 0.0
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, str], deque[float]] = {}
        self.enabled = config.daily_quota is not None or bool(config.bucket_quota)

    def account_of(self, client_id: str) -> str:
        return self.config.developer_accounts.get(client_id, client_id)

    def size(self, bucket: str) -> int | None:
        return self.config.bucket_quota.get(bucket, self.config.daily_quota)

    def now(self) -> float:
        """The simulator's clock; it never runs backwards, even if the day is set back."""
        clock = time.monotonic() - self._start + SECONDS_PER_DAY * self._day[0]
        self._last = max(self._last, clock)
        return self._last

    def _window(self, key: tuple[str, str], now: float) -> deque[float]:
        window = self._windows.setdefault(key, deque())
        while window and window[0] <= now - self.config.quota_window_s:
            window.popleft()
        return window

    def check(self, client_id: str, bucket: str) -> int | None:
        """None if the bucket has room (the request is counted), else the Retry-After."""
        size = self.size(bucket)
        if size is None:
            return None
        with self._lock:
            now = self.now()
            window = self._window((self.account_of(client_id), bucket), now)
            if len(window) >= size:
                return max(1, math.ceil(window[0] + self.config.quota_window_s - now))
            window.append(now)
        return None

    def snapshot(self) -> dict[str, dict[str, dict[str, int | None]]]:
        """{account: {bucket: {"used", "limit", "retry_after_s"}}} for the current window."""
        out: dict[str, dict[str, dict[str, int | None]]] = {}
        with self._lock:
            now = self.now()
            for (account, bucket), _ in sorted(self._windows.items()):
                window, size = self._window((account, bucket), now), self.size(bucket)
                full = size is not None and len(window) >= size
                wait = math.ceil(window[0] + self.config.quota_window_s - now) if full else None
                out.setdefault(account, {})[bucket] = {
                    "used": len(window),
                    "limit": size,
                    "retry_after_s": None if wait is None else max(1, wait),
                }
        return out
