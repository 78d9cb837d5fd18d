"""One request in, one reply out: routing, auth, limits, faults, stats. No I/O here.

Order of checks for the Web API, as the real service behaves: unknown path (404) and wrong
method (405), then the bearer token (401), then the rate window and the quota of the
endpoint's bucket (429), then injected faults, then the profile (403 for removed endpoints)
and the handler.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import msgspec

from spotify_etl.simulator import routes
from spotify_etl.simulator.accounts import Accounts
from spotify_etl.simulator.catalog import Catalog
from spotify_etl.simulator.config import SimulatorConfig
from spotify_etl.simulator.context import ApiError, Ctx
from spotify_etl.simulator.limits import Faults, Limiter, Stats
from spotify_etl.simulator.playlists import Playlists
from spotify_etl.simulator.quota import Quota, bucket_of
from spotify_etl.simulator.render import Renderer
from spotify_etl.simulator.search import Search

JSON = "application/json; charset=utf-8"
_encode = msgspec.json.Encoder().encode


@dataclass
class Reply:
    status: int
    body: bytes = b""
    content_type: str = JSON
    headers: list[tuple[str, str]] = field(default_factory=list)
    fault: str | None = None  # dropped | truncated | malformed: the transport acts on it
    delay_s: float = 0.0


def _json(status: int, payload: Any, headers: list[tuple[str, str]] | None = None) -> Reply:
    return Reply(status, _encode(payload), JSON, headers or [])


def _error(exc: ApiError, headers: list[tuple[str, str]] | None = None) -> Reply:
    return _json(exc.status, exc.body(), headers)


class App:
    def __init__(self, config: SimulatorConfig, base_url: str = "") -> None:
        self.config = config
        self.base_url = base_url
        self.catalog = Catalog(config.seed, config.scale)
        self.playlists = Playlists(self.catalog)
        self.search = Search(self.catalog, self.playlists)
        self._day = [config.day]
        self.stats = Stats()
        self.accounts = Accounts(config, self._day, self.stats.record_token)
        self.limiter = Limiter(config)
        self.quota = Quota(config, self._day)
        self.buckets = {
            r.template: bucket_of(r.template, config.bucket_groups) for r in routes.ROUTES
        }
        self.faults = Faults(config)
        self._renderers: dict[str, Renderer] = {}

    @property
    def day(self) -> int:
        return self._day[0]

    def set_day(self, day: int) -> None:
        if day < 0:
            raise ValueError("the simulated day cannot be negative")
        self._day[0] = day

    def stats_snapshot(self) -> dict[str, object]:
        return {**self.stats.snapshot(), "quota": self.quota.snapshot()}

    def _renderer(self, host: str) -> Renderer:
        found = self._renderers.get(host)
        if found is None:
            if len(self._renderers) >= 4:  # each holds its own memoised objects
                self._renderers.clear()
            api = f"http://{host}/v1" if host else f"{self.base_url}/v1"
            found = Renderer(self.catalog, self.playlists, api, self.config.development)
            self._renderers[host] = found
        return found

    # ---- entry point -----------------------------------------------------------------
    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Reply:
        path, _, query_string = target.partition("?")
        if len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/") or "/"
        if path.startswith("/v1/") or path == "/v1":
            return self._web_api(method, path[3:], query_string, headers)
        if path.startswith("/_simulator/"):
            return self._internal(method, path, query_string)
        if path in ("/api/token", "/authorize"):
            return self._accounts(method, path, query_string, headers, body)
        self.stats.record("unmatched", "404")
        return _error(ApiError(404, "Service not found"))

    def _accounts(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes
    ) -> Reply:
        want = "POST" if path == "/api/token" else "GET"
        endpoint = f"{want} {path}"
        if method != want:
            self.stats.record(endpoint, "405")
            return _error(ApiError(405, "Method not allowed"), [("Allow", want)])
        if path == "/api/token":
            status, payload, extra = self.accounts.token(body, headers.get("authorization", ""))
        else:
            status, payload, extra = self.accounts.authorize(dict(parse_qsl(query)))
        self.stats.record(endpoint, str(status))
        if isinstance(payload, str):
            return Reply(status, payload.encode(), "text/plain; charset=utf-8", extra)
        return _json(status, payload, [*extra, ("Cache-Control", "no-store")])

    def _web_api(self, method: str, path: str, query: str, headers: dict[str, str]) -> Reply:
        found = routes.match(path)
        if found is None:
            self.stats.record("unmatched", "404")
            return _error(ApiError(404, "Service not found"))
        route, params = found
        endpoint = f"GET /v1{route.template}"
        if method not in ("GET", "HEAD"):
            self.stats.record(f"{method} /v1{route.template}", "405")
            return _error(ApiError(405, "Method not allowed"), [("Allow", "GET, HEAD")])
        bucket = self.buckets[route.template]
        reply = self._authorised_call(route, params, path, query, headers, bucket)
        delay = self.config.latency_ms / 1000.0
        shown = str(reply.status) if reply.fault in (None, "error") else reply.fault
        self.stats.record(endpoint, shown, reply.fault, bucket)
        if delay:
            reply.delay_s = delay
            self.stats.record_fault("latency")
        return reply

    def _authorised_call(
        self,
        route: routes.Route,
        params: list[str],
        path: str,
        query: str,
        headers: dict[str, str],
        bucket: str,
    ) -> Reply:
        auth = headers.get("authorization", "")
        if not auth:
            return _error(ApiError(401, "No token provided"))
        grant = self.accounts.lookup(auth[7:].strip()) if auth[:7].lower() == "bearer " else None
        if grant is None:
            return _error(ApiError(401, "Invalid access token"))
        if grant.expires_at <= time.monotonic():
            return _error(ApiError(401, "The access token expired"))
        refused: ApiError | None = None
        retry_after = self.limiter.check(grant.client_id)
        if retry_after is not None:
            refused = ApiError(429, "API rate limit exceeded")
        elif self.quota.enabled:
            retry_after = self.quota.check(grant.client_id, bucket)
            if retry_after is not None:  # Spotify's exact body (docs/spotify-api.md)
                refused = ApiError(429, "Too many requests", reason="QUOTA_EXCEEDED")
        if refused is not None:
            if self.faults.drop_retry_after():
                self.stats.record_fault("retry_after_dropped")
                return _error(refused)
            return _error(refused, [("Retry-After", str(retry_after))])
        fault, status = self.faults.draw()
        if fault == "error":
            reply = _json(status, {"error": {"status": status, "message": "Server error"}})
            reply.fault = fault
            return reply
        if route.availability == routes.GONE or (
            route.availability == routes.EXTENDED and self.config.development
        ):
            reply = _error(ApiError(403, "Forbidden"))
        else:
            reply = self._call(route, params, path, query, headers, grant)
        if fault is not None:
            reply.fault = fault
        return reply

    def _call(
        self,
        route: routes.Route,
        params: list[str],
        path: str,
        query: str,
        headers: dict[str, str],
        grant: Any,
    ) -> Reply:
        assert route.handler is not None
        ctx = Ctx(
            config=self.config,
            catalog=self.catalog,
            playlists=self.playlists,
            search=self.search,
            render=self._renderer(headers.get("host", "")),
            day=self.day,
            query=dict(parse_qsl(query, keep_blank_values=True)),
            grant=grant,
            path=path,
        )
        try:
            return _json(200, route.handler(ctx, *params))
        except ApiError as exc:
            return _error(exc)

    # ---- /_simulator -----------------------------------------------------------------
    def _internal(self, method: str, path: str, query: str) -> Reply:
        args = dict(parse_qsl(query))
        if path == "/_simulator/stats" and method == "GET":
            return _json(200, self.stats_snapshot())
        if path == "/_simulator/stats/reset" and method == "POST":
            self.stats.reset()
            return Reply(204)
        if path == "/_simulator/day" and method in ("GET", "POST"):
            if method == "POST":
                try:
                    self.set_day(int(args.get("day", "")))
                except ValueError:
                    return _error(ApiError(400, "day must be a non-negative integer"))
            return _json(200, {"day": self.day})
        if path == "/_simulator/catalog" and method == "GET":
            raw = args.get("n") or "5"
            if not raw.isdigit():
                return _error(ApiError(400, "n must be a non-negative integer"))
            return _json(200, self.catalog_sample(int(raw)))
        return _error(ApiError(404, "Service not found"))

    def catalog_sample(self, n: int) -> dict[str, object]:
        c = self.catalog
        return {
            "profile": self.config.profile,
            "seed": self.config.seed,
            "day": self.day,
            "counts": {"artists": c.n_artists, "albums": c.n_albums, "tracks": c.n_tracks},
            "me_user_id": c.me_user_id,
            "artist_ids": c.artist_ids(n),
            "album_ids": c.album_ids(n, self.day),
            "track_ids": c.track_ids(n, self.day),
            "playlist_ids_me": c.playlist_ids(n, "me"),
            "playlist_ids_other": c.playlist_ids(n, "other"),
            "editorial_playlist_ids": c.editorial_playlist_ids(n),
            "search_terms": c.search_terms(n),
        }
