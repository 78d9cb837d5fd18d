"""Scripted stand-ins for unit tests of the HTTP mechanics (httpx.MockTransport)."""

from __future__ import annotations

import json
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any

import httpx

from spotify_etl.config import SpotifySettings
from spotify_etl.spotify import SpotifyClient, TokenStore

API = "http://spotify.test/v1"
CLIENT_ID = "unit-client-id"
CLIENT_SECRET = "unit-client-secret-0123456789"

Reply = httpx.Response | Callable[[httpx.Request], httpx.Response] | Exception


def error(status: int, message: str, reason: str | None = None, **headers: str) -> httpx.Response:
    body: dict[str, Any] = {"status": status, "message": message}
    if reason:
        body["reason"] = reason
    return httpx.Response(status, json={"error": body}, headers=headers)


class FakeTime:
    """A clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class FakeSpotify:
    """Token endpoint plus replies queued per path; unscripted paths answer {"id": path}."""

    def __init__(self, token_lifetime_s: int = 3600) -> None:
        self.scripts: dict[str, deque[Reply]] = defaultdict(deque)
        self.requests: list[httpx.Request] = []
        self.token_forms: list[dict[str, str]] = []
        self.token_lifetime_s = token_lifetime_s
        self.token_replies: deque[Reply] = deque()

    def script(self, path: str, *replies: Reply) -> None:
        self.scripts[path].extend(replies)

    @property
    def api_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path != "/api/token"]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/api/token":
            form = dict(httpx.QueryParams(request.content.decode()))
            self.token_forms.append(form)
            if self.token_replies:
                return self._play(self.token_replies.popleft(), request)
            number = len(self.token_forms)
            reply: dict[str, Any] = {
                "access_token": f"access-token-{number:04d}",
                "token_type": "Bearer",
                "expires_in": self.token_lifetime_s,
            }
            if form.get("grant_type") == "refresh_token":
                reply["refresh_token"] = f"rotated-refresh-{number:04d}"
            return httpx.Response(200, json=reply)
        path = request.url.path.removeprefix("/v1/")
        queue = self.scripts.get(path)
        if queue:
            return self._play(queue.popleft(), request)
        return httpx.Response(200, json={"id": path})

    @staticmethod
    def _play(reply: Reply, request: httpx.Request) -> httpx.Response:
        if isinstance(reply, Exception):
            raise reply
        if callable(reply):
            return reply(request)
        return reply


def make_client(
    fake: FakeSpotify,
    time: FakeTime,
    *,
    secret: str | None = CLIENT_SECRET,
    before_request: Callable[[str], None] | None = None,
    token_store: TokenStore | None = None,
    **settings: Any,
) -> SpotifyClient:
    options: dict[str, Any] = {"api_base": API, "backoff_base_s": 0.5, "requests_in_flight": 1}
    options.update(settings)
    return SpotifyClient(
        SpotifySettings(**options),
        CLIENT_ID,
        secret,
        transport=httpx.MockTransport(fake),
        before_request=before_request,
        sleep=time.sleep,
        clock=time.clock,
        token_store=token_store,
    )


def page(items: list[Any], next_url: str | None, total: int | None = None) -> httpx.Response:
    body = {"items": items, "next": next_url, "total": total if total is not None else len(items)}
    return httpx.Response(200, content=json.dumps(body).encode())
