"""The one retry policy: what each reply or failure means and what the client does next.

The policy is data plus two pure functions (`decide`, `backoff_s`), so every rule is in one
place and testable without a server. The session executes the decisions.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass, field
from typing import Any

from spotify_etl.config import SpotifySettings


class Action(enum.Enum):
    OK = "ok"
    BACKOFF = "backoff"  # transient: wait with exponential backoff and jitter, retry
    WAIT = "wait"  # rate limited within the cap: wait Retry-After, retry
    REFRESH = "refresh"  # 401: renew the token once, retry once
    SKIP = "skip"  # 403/404: this item cannot be had; record the reason
    STOP_QUOTA = "stop_quota"  # daily quota: stop now, never sleep
    STOP_RATE = "stop_rate"  # Retry-After beyond the cap: stop now, resume later
    FATAL = "fatal"  # 400 and anything unexpected: a bug, raise


@dataclass(frozen=True)
class Decision:
    action: Action
    wait_s: float | None = None  # Retry-After, when the server gave one
    message: str = ""  # the API's own error message (never holds a secret)
    reason: str | None = None  # the API's error reason code, e.g. QUOTA_EXCEEDED


@dataclass(frozen=True)
class RetryPolicy:
    """Which replies are retried, how long to wait, and when to give up."""

    max_attempts: int = 6  # transient failures (5xx, timeouts, broken bodies) per request
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0
    retry_after_cap_s: float = 60.0  # a longer Retry-After stops the run instead of sleeping
    max_rate_limit_waits: int = 20  # 429s within the cap per request before giving up
    # A 429 "normally" carries Retry-After
    # (docs/spotify-api.md, "Errors, rate limit and quota"): without one (or with one we
    # cannot parse) wait 2 s, 4 s, 8 s ... up to the 30-second rolling window, after which
    # every request of ours has left the window the server counts.
    rate_limit_fallback_s: float = 2.0
    rate_limit_fallback_max_s: float = 30.0
    # QUOTA_EXCEEDED without Retry-After: the quota window is rolling, "about 24 h"
    # (docs/spotify-api.md), so a bucket locked without a time is taken as locked for a whole
    # window.
    quota_fallback_s: float = 86400.0
    retry_statuses: frozenset[int] = field(
        default_factory=lambda: frozenset({408, 500, 502, 503, 504})
    )
    skip_statuses: frozenset[int] = field(default_factory=lambda: frozenset({403, 404, 410}))
    quota_reasons: frozenset[str] = field(default_factory=lambda: frozenset({"QUOTA_EXCEEDED"}))

    @classmethod
    def from_settings(cls, settings: SpotifySettings) -> RetryPolicy:
        return cls(
            max_attempts=settings.max_attempts,
            backoff_base_s=settings.backoff_base_s,
            backoff_max_s=settings.backoff_max_s,
            retry_after_cap_s=settings.retry_after_cap_s,
        )

    def decide(self, status: int, retry_after: str | None, body: Any) -> Decision:
        """Classify one HTTP reply (the body already parsed, or None)."""
        if 200 <= status < 300:
            return Decision(Action.OK)
        message, reason = error_details(body)
        wait = parse_retry_after(retry_after)
        if status == 429:
            if reason in self.quota_reasons:
                locked = wait if wait is not None else self.quota_fallback_s
                return Decision(Action.STOP_QUOTA, locked, message, reason)
            if wait is not None and wait > self.retry_after_cap_s:
                return Decision(Action.STOP_RATE, wait, message, reason)
            return Decision(Action.WAIT, wait, message, reason)
        if status == 401:
            return Decision(Action.REFRESH, None, message, reason)
        if status in self.skip_statuses:
            return Decision(Action.SKIP, None, message, reason)
        if status in self.retry_statuses or status >= 500:
            return Decision(Action.BACKOFF, wait, message, reason)
        return Decision(Action.FATAL, None, message, reason)

    def rate_limit_wait_s(self, retry_after_s: float | None, waits: int) -> float:
        """How long to pause after the `waits`-th 429 (1-based) of one request."""
        if retry_after_s is not None:
            return retry_after_s
        grown: float = self.rate_limit_fallback_s * 2.0 ** (waits - 1)
        return min(self.rate_limit_fallback_max_s, grown)

    def backoff_s(self, attempt: int, rng: random.Random | None = None) -> float:
        """Exponential backoff with (equal) jitter before retry number `attempt` (1-based)."""
        ceiling = min(self.backoff_max_s, self.backoff_base_s * (2 ** (attempt - 1)))
        return (rng or random).uniform(ceiling / 2, ceiling)


def parse_retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None  # HTTP-date form: Spotify never sends it; fall back to backoff
    return max(0.0, seconds)


def error_details(body: Any) -> tuple[str, str | None]:
    """(message, reason) from a Web API or accounts-service error body; tolerant of junk."""
    if not isinstance(body, dict):
        return "", None
    error = body.get("error")
    if isinstance(error, dict):
        message = error.get("message")
        reason = error.get("reason")
        return (
            str(message) if message is not None else "",
            str(reason) if reason is not None else None,
        )
    if isinstance(error, str):  # accounts service: {"error": "invalid_grant", ...}
        description = body.get("error_description")
        return (str(description) if description else error), error
    return "", None
