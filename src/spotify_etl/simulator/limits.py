"""The rate window, reproducible faults and request statistics (the quota is in quota.py)."""

from __future__ import annotations

import math
import threading
import time
from collections import deque

from spotify_etl.simulator.config import SimulatorConfig
from spotify_etl.simulator.ids import h

FAULT_KINDS = ("error", "malformed", "truncated", "dropped", "latency", "retry_after_dropped")


class Limiter:
    """The rolling request window (docs/spotify-api.md: 30 s, size unpublished) per client id."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self._windows: dict[str, deque[float]] = {}

    def check(self, client_id: str) -> int | None:
        """None if the request may pass (and it is counted), else the Retry-After."""
        cfg = self.config
        if cfg.window_requests is None:
            return None
        now = time.monotonic()
        window = self._windows.setdefault(client_id, deque())
        while window and window[0] <= now - cfg.window_seconds:
            window.popleft()
        if len(window) >= cfg.window_requests:
            return max(1, math.ceil(window[0] + cfg.window_seconds - now))
        window.append(now)
        return None


class Faults:
    """Which fault (if any) hits the n-th Web API request: a pure function of the seed and n."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self._n = 0
        self._refusals = 0
        self.enabled = any(
            (config.drop_rate, config.truncated_rate, config.malformed_rate, config.error_rate)
        )

    def draw(self) -> tuple[str | None, int]:
        """(kind, status): kind is dropped | truncated | malformed | error or None."""
        self._n += 1
        if not self.enabled:
            return None, 200
        cfg = self.config
        u = h(cfg.fault_seed, self._n) / 2.0**64
        for kind, rate in (
            ("dropped", cfg.drop_rate),
            ("truncated", cfg.truncated_rate),
            ("malformed", cfg.malformed_rate),
            ("error", cfg.error_rate),
        ):
            if u < rate:
                return kind, (500, 502, 503)[h(cfg.fault_seed, self._n, 1) % 3]
            u -= rate
        return None, 200

    def drop_retry_after(self) -> bool:
        """Whether this 429 goes out without Retry-After: a function of the seed and its count."""
        self._refusals += 1
        rate = self.config.retry_after_drop_rate
        return rate > 0 and h(self.config.fault_seed, self._refusals, 2) / 2.0**64 < rate


class Stats:
    """Request counts by endpoint template and status, safe to read from another thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._total = 0
            self._by_endpoint: dict[str, dict[str, int]] = {}
            self._by_bucket: dict[str, dict[str, int]] = {}
            self._by_status: dict[str, int] = {}
            self._faults = dict.fromkeys(FAULT_KINDS, 0)
            self._tokens: dict[str, int] = {}

    def record(
        self, endpoint: str, status: str, fault: str | None = None, bucket: str | None = None
    ) -> None:
        with self._lock:
            self._total += 1
            counts = self._by_endpoint.setdefault(endpoint, {})
            counts[status] = counts.get(status, 0) + 1
            if bucket is not None:
                counts = self._by_bucket.setdefault(bucket, {})
                counts[status] = counts.get(status, 0) + 1
            self._by_status[status] = self._by_status.get(status, 0) + 1
            if fault:
                self._faults[fault] += 1

    def record_fault(self, fault: str) -> None:
        with self._lock:
            self._faults[fault] += 1

    def record_token(self, grant_type: str) -> None:
        with self._lock:
            self._tokens[grant_type] = self._tokens.get(grant_type, 0) + 1

    def snapshot(self) -> dict[str, object]:
        with self._lock:
            return {
                "total": self._total,
                "by_endpoint": {k: dict(v) for k, v in sorted(self._by_endpoint.items())},
                "by_status": dict(sorted(self._by_status.items())),
                "by_bucket": {k: dict(v) for k, v in sorted(self._by_bucket.items())},
                "faults": dict(self._faults),
                "tokens_issued": dict(self._tokens),
            }
