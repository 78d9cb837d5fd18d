"""SpotifyClient: the Web API's paths and their 2026 quirks, on top of the generic core.

This is the only module that knows endpoint names, batch sizes and page limits. Where the
development profile removed something, the method tries what the profile is known (or
expected) to allow and falls back once, remembering the outcome for the run.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Literal

from spotify_etl.errors import SkippableError
from spotify_etl.spotify.core import ClientCore
from spotify_etl.spotify.profile import (
    NARROW_PAGE,
    PLAYLIST_ITEMS_PAGE,
    PLAYLIST_TRACKS_PAGE,
    WIDE_PAGE,
)
from spotify_etl.spotify.responses import ApiResponse, BadRequest, Skipped
from spotify_etl.spotify.templates import Endpoint

Kind = Literal["albums", "artists", "tracks"]
BATCH_SIZE: dict[str, int] = {"albums": 20, "artists": 50, "tracks": 50}
SEARCH_MAX_OFFSET = 1000  # offset + limit may not pass 1000
SEARCH = Endpoint.at("search")
RECENTLY_PLAYED = Endpoint.at("me/player/recently-played")


class SpotifyClient(ClientCore):
    """A thread-safe Spotify Web API client; see the package docstring for the contract.

    SpotifyClient(settings, client_id, client_secret, *, token_store=None, transport=None,
    before_request=None, sleep=time.sleep, clock=time.monotonic)
    """

    # -- entities ----------------------------------------------------------------------
    def album(self, id: str) -> ApiResponse:
        return self._get(Endpoint.at("albums/{id}", id), self._market(None))

    def artist(self, id: str) -> ApiResponse:
        return self._get(Endpoint.at("artists/{id}", id))

    def track(self, id: str) -> ApiResponse:
        return self._get(Endpoint.at("tracks/{id}", id), self._market(None))

    def several(self, kind: Kind, ids: Sequence[str]) -> Iterator[ApiResponse | Skipped]:
        """Full objects for ids: batch replies (body {kind: [...]}) where the profile has them,
        else one reply per id ("<kind>/{id}"). Unknown or malformed ids come back as Skipped;
        they never abort the rest."""
        if kind not in BATCH_SIZE:
            raise ValueError(f"several(): kind must be albums, artists or tracks, not {kind!r}")
        todo = list(dict.fromkeys(ids))
        while todo and self._profile.has("batch") is not False:
            chunk, rest = todo[: BATCH_SIZE[kind]], todo[BATCH_SIZE[kind] :]
            params = {"ids": ",".join(chunk), **(self._market(None) if kind != "artists" else {})}
            try:
                reply = self._session.get(Endpoint.at(kind), params)
            except SkippableError:
                # A removed endpoint answers 403/404 as a whole; unknown ids would be nulls.
                self._profile.learn("batch", False)
                break
            except BadRequest as exc:
                if not _invalid_id(exc):
                    raise
                # One malformed id spoils its batch: ask for these one by one instead.
                todo = rest
                yield from self.map(lambda id_: self._one(kind, id_), chunk)
                continue
            self._profile.learn("batch", True)
            todo = rest
            yield reply
            found = reply.body.get(kind) if isinstance(reply.body, dict) else None
            objects = found if isinstance(found, list) else []
            for index, id_ in enumerate(chunk):
                if index >= len(objects) or objects[index] is None:
                    yield Skipped(id_, kind[:-1], None, "unknown id (null in the batch reply)")
        yield from self.map(lambda id_: self._one(kind, id_), todo)

    def _one(self, kind: Kind, id_: str) -> ApiResponse | Skipped:
        try:
            if kind == "albums":
                return self.album(id_)
            if kind == "artists":
                return self.artist(id_)
            return self.track(id_)
        except SkippableError as exc:
            return Skipped(id_, kind[:-1], exc.status, exc.reason)
        except BadRequest as exc:
            if not _invalid_id(exc):
                raise
            return Skipped(id_, kind[:-1], exc.status, exc.api_message)

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


def _invalid_id(exc: BadRequest) -> bool:
    return "invalid id" in exc.api_message.lower()
