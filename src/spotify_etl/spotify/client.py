"""SpotifyClient: the Web API's paths and their 2026 quirks, on top of the catalog client.

This module and catalog.py (albums, artists and tracks by id, in batches where the profile has
them) are the only ones that know endpoint names, batch sizes and page limits. Where the
development profile removed something, the method tries what the profile is known (or
expected) to allow and falls back once, remembering the outcome for the run.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Literal

from spotify_etl.errors import SkippableError
from spotify_etl.spotify.catalog import CatalogClient
from spotify_etl.spotify.profile import (
    NARROW_PAGE,
    PLAYLIST_ITEMS_PAGE,
    PLAYLIST_TRACKS_PAGE,
    WIDE_PAGE,
)
from spotify_etl.spotify.responses import ApiResponse, BadRequest
from spotify_etl.spotify.templates import Endpoint

SEARCH_MAX_OFFSET = 1000  # offset + limit may not pass 1000
SEARCH = Endpoint.at("search")
RECENTLY_PLAYED = Endpoint.at("me/player/recently-played")


class SpotifyClient(CatalogClient):
    """A thread-safe Spotify Web API client; see the package docstring for the contract.

    SpotifyClient(settings, client_id, client_secret, *, token_store=None, transport=None,
    before_request=None, sleep=time.sleep, clock=time.monotonic)
    """

    # -- playlists ---------------------------------------------------------------------
    def playlist(self, id: str, fields: str | None = None) -> ApiResponse:
        params = {"fields": fields, **self._market(None)} if fields else self._market(None)
        return self._get(Endpoint.at("playlists/{id}", id), params)

    def playlist_items(self, id: str) -> Iterator[ApiResponse]:
        """The playlist's item pages, with the user's token when one is stored."""
        user = self._auth.has_user
        market = self._market(None)
        items = Endpoint.at("playlists/{id}/items", id)
        first: ApiResponse | None = None
        endpoint = items

        def probe() -> None:
            nonlocal first, endpoint
            if self._profile.has("playlist_tracks") is False:
                return
            tracks = Endpoint.at("playlists/{id}/tracks", id)
            try:
                first = self._get(tracks, {"limit": PLAYLIST_TRACKS_PAGE, **market}, user=user)
                self._profile.learn("playlist_tracks", True)
                endpoint = tracks
            except SkippableError:
                # Removed, or this playlist is out of reach: /items tells which.
                first = self._get(items, {"limit": PLAYLIST_ITEMS_PAGE, **market}, user=user)
                self._profile.learn("playlist_tracks", False)

        if self._profile.learned("playlist_tracks"):
            probe()
        else:
            # Until one answer settles it, concurrent callers would each spend a probe.
            with self._probe_lock:
                probe()
        limit = PLAYLIST_TRACKS_PAGE if endpoint is not items else PLAYLIST_ITEMS_PAGE
        params = {"limit": limit, **market}
        yield from self._pages(endpoint, params, user=user, first=first)

    # -- paged collections -------------------------------------------------------------
    def album_tracks(self, id: str) -> Iterator[ApiResponse]:
        params = {"limit": WIDE_PAGE, **self._market(None)}
        return self._pages(Endpoint.at("albums/{id}/tracks", id), params, user=False)

    def artist_albums(
        self, id: str, include_groups: Sequence[str], market: str | None = None
    ) -> Iterator[ApiResponse]:
        params: dict[str, Any] = {**self._market(market)}
        if include_groups:
            params["include_groups"] = ",".join(include_groups)
        return self._sized_pages(Endpoint.at("artists/{id}/albums", id), params, None)

    def search(
        self, q: str, type: str, total: int, market: str | None = None
    ) -> Iterator[ApiResponse]:
        """Pages of results until `total` items (at most 1000, Spotify's offset limit)."""
        total = max(1, min(total, SEARCH_MAX_OFFSET))
        params: dict[str, Any] = {"q": q, "type": type, **self._market(market)}
        return self._sized_pages(SEARCH, params, total)

    def _sized_pages(
        self, endpoint: Endpoint, params: dict[str, Any], total: int | None
    ) -> Iterator[ApiResponse]:
        """Pages of 50 where allowed, else 10: one probe at most per run, then remembered."""
        wide = self._profile.has("wide_pages")
        limit = NARROW_PAGE if wide is False else WIDE_PAGE
        if total is not None:
            limit = min(limit, total)
        first: ApiResponse | None = None
        if limit > NARROW_PAGE and wide is None:
            try:
                first = self._get(endpoint, {**params, "limit": limit})
                self._profile.learn("wide_pages", True)
            except BadRequest:
                # "Invalid limit" in development; learn it only if the narrow page works.
                limit = NARROW_PAGE if total is None else min(NARROW_PAGE, total)
                first = self._get(endpoint, {**params, "limit": limit})
                self._profile.learn("wide_pages", False)
        max_offset = SEARCH_MAX_OFFSET if endpoint == SEARCH else None
        yield from self._pages(
            endpoint,
            {**params, "limit": limit},
            user=False,
            max_items=total,
            max_offset=max_offset,
            first=first,
        )

    # -- the authorised user -----------------------------------------------------------
    def me(self) -> ApiResponse:
        return self._get(Endpoint.at("me"), user=True)

    def my_playlists(self) -> Iterator[ApiResponse]:
        return self._pages(Endpoint.at("me/playlists"), {"limit": WIDE_PAGE}, user=True)

    def saved_tracks(self) -> Iterator[ApiResponse]:
        params = {"limit": WIDE_PAGE, **self._market(None)}
        return self._pages(Endpoint.at("me/tracks"), params, user=True)

    def recently_played(self) -> Iterator[ApiResponse]:
        # Spotify keeps only the last 50 plays; the cursor's `next` would walk into nothing.
        params = {"limit": WIDE_PAGE}
        return self._pages(RECENTLY_PLAYED, params, user=True, max_items=WIDE_PAGE)

    def top(
        self, kind: Literal["artists", "tracks"], time_range: str = "medium_term"
    ) -> Iterator[ApiResponse]:
        params = {"limit": WIDE_PAGE, "time_range": time_range}
        return self._pages(Endpoint.at(f"me/top/{kind}"), params, user=True)
