"""HTTP mechanics: one GET with auth, pacing and the retry policy applied. No Spotify paths.

Every Web API request passes its quota bucket (locked buckets raise at once), `before_request`
(the caller's budget), the token, the limiter, then the policy's verdict on the reply. A
`QUOTA_EXCEEDED` locks only its bucket (buckets.py). A stop (a Retry-After beyond the cap, too
many 429s) is remembered: the other threads' waits are cut short and later calls raise the
same StopRun, so a run stops within moments instead of sleeping for hours.
"""

from __future__ import annotations

import collections
import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn
from urllib.parse import urlsplit

import httpx

from spotify_etl.errors import AuthError, FatalError, RetryableError, SkippableError, StopRun
from spotify_etl.spotify.auth import Authenticator
from spotify_etl.spotify.buckets import QuotaBuckets
from spotify_etl.spotify.pacing import RollingWindowLimiter
from spotify_etl.spotify.responses import ApiResponse, BadRequest
from spotify_etl.spotify.retry import Action, Decision, RetryPolicy

log = logging.getLogger(__name__)


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


class Session:
    def __init__(
        self,
        http: httpx.Client,
        api_base: str,
        auth: Authenticator,
        policy: RetryPolicy,
        limiter: RollingWindowLimiter,
        *,
        before_request: Callable[[str], None] | None,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        profile: Callable[[], str],
        in_flight: int = 4,
        quota: QuotaBuckets | None = None,
    ) -> None:
        self.http = http
        self.api_base = api_base.rstrip("/")
        self.auth = auth
        self.policy = policy
        self.limiter = limiter
        self._before_request = before_request
        self._sleep_fn = sleep
        self._clock = clock
        self._profile = profile
        self.quota = quota or QuotaBuckets()
        self._stats: collections.Counter[tuple[str, int]] = collections.Counter()
        self._stats_lock = threading.Lock()
        self._stop = threading.Event()
        self._stop_error: StopRun | None = None
        # Bounds requests on the wire however many threads (or nested maps) call us.
        self._in_flight = threading.BoundedSemaphore(in_flight)

    # -- bookkeeping -------------------------------------------------------------------
    def record(self, endpoint: str, status: int) -> None:
        """Count one request; status 0 means no reply (timeout, dropped connection)."""
        with self._stats_lock:
            self._stats[(endpoint, status)] += 1

    @property
    def stats(self) -> dict[tuple[str, int], int]:
        with self._stats_lock:
            return dict(self._stats)

    def sleep(self, seconds: float) -> None:
        """Sleep unless the run is stopping; then raise its StopRun."""
        self.check_stopped()
        if seconds > 0:
            if self._sleep_fn is time.sleep:
                self._stop.wait(seconds)
            else:
                self._sleep_fn(seconds)
        self.check_stopped()

    def check_stopped(self) -> None:
        if self._stop_error is not None:
            error = self._stop_error
            raise StopRun(error.message, reason=error.reason, retry_after_s=error.retry_after_s)

    def _stop_with(self, error: StopRun) -> NoReturn:
        """Stop the run: every thread's next sleep or request raises the same StopRun."""
        if self._stop_error is None:
            self._stop_error = error
        self._stop.set()
        raise error

    # -- requests ----------------------------------------------------------------------
    def resolve(self, path_or_url: str) -> tuple[str, dict[str, str]]:
        """An absolute URL without query, and the query's parameters."""
        url = path_or_url
        if not url.startswith(("http://", "https://")):
            url = f"{self.api_base}/{url.lstrip('/')}"
        elif _origin(url) != _origin(self.api_base):
            # A `next` link to another host would receive our bearer token: refuse.
            raise FatalError(f"refusing to follow a link outside {self.api_base}: {url}")
        parsed = httpx.URL(url)
        return str(parsed.copy_with(query=None, fragment=None)), dict(parsed.params)

    def get(
        self,
        endpoint: str,
        path_or_url: str,
        params: dict[str, Any] | None = None,
        *,
        user: bool = False,
    ) -> ApiResponse:
        url, query = self.resolve(path_or_url)
        merged = {**query, **{k: str(v) for k, v in (params or {}).items() if v is not None}}
        transient = waits = 0
        refreshed = False
        while True:
            self.check_stopped()
            self.quota.check(endpoint)
            if self._before_request is not None:
                self._before_request(endpoint)
            token = self.auth.token(user=user)
            try:
                with self._in_flight:
                    sent_at = self.limiter.acquire()
                    self.check_stopped()
                    reply = self.http.get(
                        url, params=merged, headers={"Authorization": f"Bearer {token}"}
                    )
            except httpx.TransportError as exc:
                self.record(endpoint, 0)
                transient += 1
                self._backoff(transient, None, f"{type(exc).__name__}", endpoint, url)
                continue
            self.record(endpoint, reply.status_code)
            if reply.status_code != 429:
                self.limiter.on_passed(sent_at)  # the window's length, from the 429s' spacing
            body, readable = _parse(reply)
            decision = self.policy.decide(reply.status_code, reply.headers.get("Retry-After"), body)
            if decision.action is Action.OK:
                if readable:
                    return ApiResponse(
                        method="GET",
                        url=url,
                        params=dict(reply.request.url.params),
                        status=reply.status_code,
                        fetched_at=datetime.now(UTC),
                        body=body,
                        endpoint=endpoint,
                        profile=self._profile(),
                    )
                transient += 1
                self._backoff(transient, None, "malformed JSON body", endpoint, url)
            elif decision.action is Action.BACKOFF:
                transient += 1
                failure = f"HTTP {reply.status_code}"
                self._backoff(transient, decision.wait_s, failure, endpoint, url)
            elif decision.action is Action.WAIT:
                waits += 1
                if waits > self.policy.max_rate_limit_waits:
                    self._stop_with(
                        StopRun(
                            f"still rate limited after {waits - 1} waits on {endpoint}",
                            reason="rate_limit",
                            retry_after_s=decision.wait_s,
                        )
                    )
                pause = self.policy.rate_limit_wait_s(decision.wait_s, waits)
                self.limiter.on_rate_limited(decision.wait_s, sent_at, pause_s=pause)
            elif decision.action is Action.STOP_QUOTA:
                wait = decision.wait_s if decision.wait_s is not None else 0.0
                self.quota.exhaust(endpoint, wait or self.policy.quota_fallback_s)
            elif decision.action is Action.REFRESH:
                # A fresh token that merely lapsed in transit (seconds-long lifetimes, a slow
                # queue) may be renewed again within the attempt budget; a refused one may not.
                lapsed = "expired" in decision.message.lower()
                if refreshed and lapsed and transient + 1 < self.policy.max_attempts:
                    transient += 1
                elif refreshed:
                    raise AuthError(
                        f"Spotify refused a fresh access token on {endpoint} "
                        f"(401: {decision.message or 'unauthorised'})",
                        hint="check the app's credentials or run `spotify-etl auth login`",
                    )
                refreshed = True
                self.auth.invalidate(token)
            else:
                self._fail(decision, reply.status_code, endpoint, url)

    def _backoff(
        self, attempt: int, retry_after: float | None, failure: str, endpoint: str, url: str
    ) -> None:
        if attempt >= self.policy.max_attempts:
            raise RetryableError(
                f"GET {url} ({endpoint}) failed after {attempt} attempts; last: {failure}"
            )
        wait = self.policy.backoff_s(attempt)
        if retry_after is not None and retry_after <= self.policy.retry_after_cap_s:
            wait = max(wait, retry_after)
        log.debug("GET %s: %s; retry %d in %.2f s", url, failure, attempt, wait)
        self.sleep(wait)

    def _fail(self, decision: Decision, status: int, endpoint: str, url: str) -> NoReturn:
        said = decision.message or f"HTTP {status}"
        if decision.action is Action.SKIP:
            raise SkippableError(f"GET {url}: {status} {said}", reason=said, status=status)
        if decision.action is Action.STOP_RATE:
            wait = decision.wait_s
            resume = ""
            if wait is not None:
                at = datetime.now(UTC) + timedelta(seconds=wait)
                resume = f"; resume after {at:%Y-%m-%d %H:%M} UTC (in {wait / 3600:.1f} h)"
            text = f"Spotify asks to wait {wait or 0:.0f} s, beyond the cap{resume}"
            self._stop_with(StopRun(text, reason="rate_limit", retry_after_s=wait))
        raise BadRequest(
            f"Spotify answered HTTP {status} to GET {url} ({endpoint}): {said}; "
            "this is a bug in the request",
            status=status,
            api_message=decision.message,
        )


def _parse(reply: httpx.Response) -> tuple[Any, bool]:
    if not reply.content:
        return None, reply.status_code == 204
    try:
        return reply.json(), True
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None, False
