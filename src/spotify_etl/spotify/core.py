"""The client's generic half: wiring (auth, pacing, retry, session) and the raw mechanics.

No endpoint is named here; `client.SpotifyClient` adds Spotify's paths on top.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import httpx

from spotify_etl.config import SpotifySettings
from spotify_etl.spotify.auth import Authenticator, TokenClient
from spotify_etl.spotify.buckets import QuotaBuckets
from spotify_etl.spotify.metering import Meter
from spotify_etl.spotify.pacing import RollingWindowLimiter
from spotify_etl.spotify.paging import follow_pages
from spotify_etl.spotify.profile import ProfileName, ProfileState
from spotify_etl.spotify.responses import ApiResponse
from spotify_etl.spotify.retry import RetryPolicy
from spotify_etl.spotify.runner import map_in_threads
from spotify_etl.spotify.session import Session
from spotify_etl.spotify.stopping import StopSignal
from spotify_etl.spotify.templates import Endpoint
from spotify_etl.spotify.tokens import TokenStore

T = TypeVar("T")
R = TypeVar("R")
C = TypeVar("C", bound="ClientCore")


class ClientCore:
    """Thread-safe: one instance serves every thread of a run."""

    def __init__(
        self,
        settings: SpotifySettings,
        client_id: str,
        client_secret: str | None,
        *,
        token_store: TokenStore | None = None,
        transport: httpx.BaseTransport | None = None,
        before_request: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._profile = ProfileState()
        self._probe_lock = threading.Lock()  # one profile probe at a time
        policy = RetryPolicy.from_settings(settings)
        in_flight = settings.requests_in_flight
        stop = StopSignal(sleep)
        limiter = RollingWindowLimiter(
            settings.window_s, settings.window_requests, clock=clock, sleep=stop.sleep
        )
        self._meter = Meter(limiter, QuotaBuckets(), stop.check, before_request)
        self._http = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(settings.timeout_s),
            limits=httpx.Limits(max_connections=in_flight * 2, max_keepalive_connections=in_flight),
            headers={"Accept": "application/json", "User-Agent": "spotify-etl"},
            follow_redirects=False,
            event_hooks=self._meter.event_hooks,
        )
        tokens = TokenClient(
            self._http,
            settings.resolved_accounts_base() + "/api/token",
            policy,
            sleep=stop.sleep,
            record=self._meter.record,
        )
        self._auth = Authenticator(tokens, client_id, client_secret, token_store, clock=clock)
        self._session = Session(
            self._http,
            settings.resolved_api_base(),
            self._auth,
            policy,
            self._meter,
            stop,
            profile=lambda: self._profile.name,
            in_flight=in_flight,
        )

    # -- lifecycle and state -----------------------------------------------------------
    @property
    def profile(self) -> ProfileName:
        return self._profile.name

    def assume_profile(self, profile: ProfileName) -> None:
        """Start from the profile an earlier run saw (saves its probes); replies still rule."""
        self._profile.assume(profile)

    @property
    def stats(self) -> dict[tuple[str, int], int]:
        """Requests by (endpoint template, HTTP status); status 0 = no reply; token requests
        are counted under "accounts:token"."""
        return self._meter.stats

    @property
    def limiter(self) -> RollingWindowLimiter:
        return self._meter.limiter

    @property
    def quota(self) -> QuotaBuckets:
        """The quota buckets locked so far (restore a saved lock with `quota.restore`)."""
        return self._meter.quota

    @property
    def has_user(self) -> bool:
        return self._auth.has_user

    def add_before_request(self, hook: Callable[[str], None]) -> None:
        """Also call `hook(endpoint)` before every Web API request, after any existing hook.

        How a caller that did not build the client (tests, the Lambda) enforces its budget.
        """
        self._meter.add_before_request(hook)

    def close(self) -> None:
        self._http.close()

    def __enter__(self: C) -> C:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- generic mechanics -------------------------------------------------------------
    def get(
        self, path_or_url: str, params: dict[str, Any] | None = None, *, user: bool = False
    ) -> ApiResponse:
        return self._get(Endpoint.of(path_or_url, self._session.api_base), params, user=user)

    def pages(
        self,
        path_or_url: str,
        params: dict[str, Any] | None = None,
        *,
        user: bool = False,
        max_items: int | None = None,
    ) -> Iterator[ApiResponse]:
        endpoint = Endpoint.of(path_or_url, self._session.api_base)
        return self._pages(endpoint, params, user=user, max_items=max_items)

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """fn over items in settings.requests_in_flight threads; results in input order."""
        return map_in_threads(fn, items, self.settings.requests_in_flight)

    def _get(
        self, endpoint: Endpoint, params: dict[str, Any] | None = None, *, user: bool = False
    ) -> ApiResponse:
        reply = self._session.get(endpoint, params, user=user)
        self._profile.observe(reply.body)
        return reply

    def _pages(
        self,
        endpoint: Endpoint,
        params: dict[str, Any] | None,
        *,
        user: bool,
        max_items: int | None = None,
        max_offset: int | None = None,
        first: ApiResponse | None = None,
    ) -> Iterator[ApiResponse]:
        def fetch(url: str, query: dict[str, Any] | None) -> ApiResponse:
            return self._get(endpoint.following(url), query, user=user)

        return follow_pages(
            fetch, endpoint.path, params, max_items=max_items, max_offset=max_offset, first=first
        )

    def _market(self, market: str | None) -> dict[str, str]:
        chosen = market or self.settings.market
        return {"market": chosen} if chosen else {}
