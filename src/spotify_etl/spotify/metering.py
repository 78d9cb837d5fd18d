"""What every Web API request on the wire passes, as httpx event hooks: stop, quota, budget, pace.

httpx runs a client's request hooks before each request it sends, retries by an auth flow
included, and its response hooks on each reply. `Meter.on_request` is the gate: the run's stop
signal, the request's quota bucket (a locked one raises QuotaExhausted, spending nothing), the
`before_request` hooks (a caller's budget), then a slot from the rolling-window limiter.
`Meter.on_response` counts the reply and tells the limiter it passed. A call's first send
passes the gate in `Meter.admit`, before the auth flow asks for a token (a spent budget or a
locked bucket costs no token request); its hook then only takes the limiter's slot.

A Web API request names its endpoint template in the request extension `ENDPOINT`; requests
without one (the accounts service's token endpoint) pass untouched: tokens spend no budget.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable

import httpx

from spotify_etl.spotify.buckets import QuotaBuckets
from spotify_etl.spotify.pacing import RollingWindowLimiter, Ticket

ENDPOINT = "spotify_etl.endpoint"  # request extension: the endpoint template, e.g. "albums/{id}"
_TICKET = "spotify_etl.ticket"  # request extension: the limiter's ticket for this send
_ADMITTED = "spotify_etl.admitted"  # request extension: the gate was passed by `admit`


class Meter:
    """Thread-safe: one instance serves every thread of a client."""

    def __init__(
        self,
        limiter: RollingWindowLimiter,
        quota: QuotaBuckets,
        check_stopped: Callable[[], None],
        before_request: Callable[[str], None] | None = None,
    ) -> None:
        self.limiter = limiter
        self.quota = quota
        self._check_stopped = check_stopped
        self._hooks: list[Callable[[str], None]] = [before_request] if before_request else []
        self._hooks_lock = threading.Lock()
        self._stats: collections.Counter[tuple[str, int]] = collections.Counter()
        self._stats_lock = threading.Lock()

    @property
    def event_hooks(self) -> dict[str, list[Callable[..., object]]]:
        """The hooks to build the httpx.Client with."""
        return {"request": [self.on_request], "response": [self.on_response]}

    def add_before_request(self, hook: Callable[[str], None]) -> None:
        """Also call `hook(endpoint)` before every Web API request, after the existing ones."""
        with self._hooks_lock:
            self._hooks.append(hook)

    # -- counting ----------------------------------------------------------------------
    def record(self, endpoint: str, status: int) -> None:
        """Count one request; status 0 means no reply (timeout, dropped connection)."""
        with self._stats_lock:
            self._stats[(endpoint, status)] += 1

    @property
    def stats(self) -> dict[tuple[str, int], int]:
        with self._stats_lock:
            return dict(self._stats)

    # -- the hooks ---------------------------------------------------------------------
    def admit(self, endpoint: str) -> dict[str, object]:
        """Pass the gate before a call's first send, so that a refused budget or bucket costs
        no token either; returns the request extensions that mark the send admitted."""
        self._gate(endpoint)
        return {ENDPOINT: endpoint, _ADMITTED: True}

    def _gate(self, endpoint: str) -> None:
        self._check_stopped()
        self.quota.check(endpoint)
        with self._hooks_lock:
            hooks = list(self._hooks)
        for hook in hooks:
            hook(endpoint)

    def on_request(self, request: httpx.Request) -> None:
        endpoint = request.extensions.get(ENDPOINT)
        if endpoint is None:
            return
        # Popped: a retry the auth flow builds from this request passes the gate itself.
        if not request.extensions.pop(_ADMITTED, False):
            self._gate(endpoint)
        request.extensions[_TICKET] = self.limiter.acquire()
        self._check_stopped()  # the limiter may have waited while another thread stopped

    def on_response(self, response: httpx.Response) -> None:
        endpoint = response.request.extensions.get(ENDPOINT)
        if endpoint is None:
            return
        self.record(endpoint, response.status_code)
        if response.status_code != 429:
            self.limiter.on_passed(ticket(response))  # the window's length, from the spacing


def ticket(response: httpx.Response) -> Ticket:
    """The limiter's ticket of the request this reply answers."""
    sent: Ticket = response.request.extensions[_TICKET]
    return sent
