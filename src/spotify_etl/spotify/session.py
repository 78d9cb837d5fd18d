"""One Web API GET with the retry policy applied: the loop that acts on the policy's verdicts.

The layers below it each do one thing: `bearer.BearerAuth` (an httpx auth flow) attaches the
token and renews it on a 401; `metering.Meter` (httpx event hooks) passes every request on the
wire through the stop signal, its quota bucket, the caller's budget and the limiter, and counts
the replies. What is left here is the policy (retry.py): back off on transient failures, wait
on a 429 within the cap, lock the bucket on `QUOTA_EXCEEDED` (buckets.py; only that bucket),
stop the run on a Retry-After beyond the cap (stopping.py), raise the rest. No Spotify paths.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn
from urllib.parse import urlsplit

import httpx

from spotify_etl.errors import AuthError, FatalError, RetryableError, SkippableError, StopRun
from spotify_etl.spotify.auth import Authenticator
from spotify_etl.spotify.bearer import BearerAuth
from spotify_etl.spotify.metering import Meter, ticket
from spotify_etl.spotify.responses import ApiResponse, BadRequest
from spotify_etl.spotify.retry import Action, Decision, RetryPolicy
from spotify_etl.spotify.stopping import StopSignal
from spotify_etl.spotify.templates import Endpoint

log = logging.getLogger(__name__)


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


class _Attempts:
    """One call's spending: transient failures (5xx, no reply, broken body) and 429 waits."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.transient = 0
        self.waits = 0

    def spare(self) -> bool:
        """Spend one transient attempt if it is not the last one (an expired token's renewal)."""
        if self.transient + 1 < self.limit:
            self.transient += 1
            return True
        return False


class Session:
    def __init__(
        self,
        http: httpx.Client,
        api_base: str,
        auth: Authenticator,
        policy: RetryPolicy,
        meter: Meter,
        stop: StopSignal,
        *,
        profile: Callable[[], str],
        in_flight: int = 4,
    ) -> None:
        self.http = http
        self.api_base = api_base.rstrip("/")
        self.auth = auth
        self.policy = policy
        self.meter = meter
        self.stop = stop
        self._profile = profile
        # Bounds requests on the wire however many threads (or nested maps) call us.
        self._in_flight = threading.BoundedSemaphore(in_flight)

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
        self, endpoint: Endpoint, params: dict[str, Any] | None = None, *, user: bool = False
    ) -> ApiResponse:
        url, query = self.resolve(endpoint.path)
        merged = {**query, **{k: str(v) for k, v in (params or {}).items() if v is not None}}
        attempts = _Attempts(self.policy.max_attempts)
        bearer = BearerAuth(self.auth, user=user, spare=attempts.spare)
        name = endpoint.template
        while True:
            extensions = self.meter.admit(name)
            try:
                with self._in_flight:
                    reply = self.http.get(url, params=merged, auth=bearer, extensions=extensions)
            except httpx.TransportError as exc:
                self.meter.record(name, 0)
                attempts.transient += 1
                self._backoff(attempts.transient, None, f"{type(exc).__name__}", name, url)
                continue
            body, readable = _parse(reply)
            decision = self.policy.decide(reply.status_code, reply.headers.get("Retry-After"), body)
            if decision.action is Action.OK and readable:
                return ApiResponse(
                    method="GET",
                    url=url,
                    params=dict(reply.request.url.params),
                    status=reply.status_code,
                    fetched_at=datetime.now(UTC),
                    body=body,
                    endpoint=name,
                    profile=self._profile(),
                )
            self._act(decision, reply, attempts, name, url)

    def _act(
        self, decision: Decision, reply: httpx.Response, attempts: _Attempts, name: str, url: str
    ) -> None:
        """Carry out a verdict other than a readable OK: return to retry, or raise."""
        if decision.action is Action.OK:
            attempts.transient += 1
            self._backoff(attempts.transient, None, "malformed JSON body", name, url)
        elif decision.action is Action.BACKOFF:
            attempts.transient += 1
            failure = f"HTTP {reply.status_code}"
            self._backoff(attempts.transient, decision.wait_s, failure, name, url)
        elif decision.action is Action.WAIT:
            attempts.waits += 1
            if attempts.waits > self.policy.max_rate_limit_waits:
                self.stop.stop(
                    StopRun(
                        f"still rate limited after {attempts.waits - 1} waits on {name}",
                        reason="rate_limit",
                        retry_after_s=decision.wait_s,
                    )
                )
            pause = self.policy.rate_limit_wait_s(decision.wait_s, attempts.waits)
            # The server's Retry-After (None without one) apart from our own fallback pause:
            # a fallback taken for the server's word teaches the limiter a wrong window.
            self.meter.limiter.on_rate_limited(decision.wait_s, ticket(reply), pause_s=pause)
        elif decision.action is Action.STOP_QUOTA:
            wait = decision.wait_s if decision.wait_s is not None else 0.0
            self.meter.quota.exhaust(name, wait or self.policy.quota_fallback_s)
        elif decision.action is Action.REFRESH:
            # The auth flow renewed the token already and Spotify refused the new one too.
            raise AuthError(
                f"Spotify refused a fresh access token on {name} "
                f"(401: {decision.message or 'unauthorised'})",
                hint="check the app's credentials or run `spotify-etl auth login`",
            )
        else:
            self._fail(decision, reply.status_code, name, url)

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
        self.stop.sleep(wait)

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
            self.stop.stop(StopRun(text, reason="rate_limit", retry_after_s=wait))
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
