"""Catalog entities as Web API JSON objects, per profile.

The development profile leaves out what docs/spotify-api.md lists as removed there (popularity,
followers, available_markets, label, genres, track preview_url); the extended profile keeps the
older surface.
Links (`href`, paging `next`) point at the simulator's own address.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import msgspec

from spotify_etl.simulator.catalog import ALBUM, EPISODE, SHOW, Catalog
from spotify_etl.simulator.ids import h
from spotify_etl.simulator.playlists import SPOTIFY_USER, Entry, Playlist, Playlists

Json = dict[str, Any]
OPEN = "https://open.spotify.com"
_encode = msgspec.json.Encoder().encode


def images(seed: int, sizes: tuple[int, ...] = (640, 300, 64)) -> list[Json]:
    digest = f"{seed & ((1 << 64) - 1):016x}"
    return [
        {
            "url": f"https://i.scdn.co/image/ab67616d0000{size:04x}{digest}",
            "height": size,
            "width": size,
        }
        for size in sizes
    ]


class Renderer:
    """Builds JSON objects for one (api base URL, profile); single entities are memoised."""

    def __init__(self, catalog: Catalog, playlists: Playlists, api_base: str, dev: bool) -> None:
        self.c = catalog
        self.p = playlists
        self.api = api_base
        self.dev = dev
        # Memoised objects are shared: callers copy before they change one. Sizes keep a
        # renderer under ~100 MB however many distinct entities a run touches.
        self.artist_simple = lru_cache(maxsize=4096)(self._artist_simple)
        self.artist_full = lru_cache(maxsize=2048)(self._artist_full)
        self.album_simple = lru_cache(maxsize=2048)(self._album_simple)
        self.album_full = lru_cache(maxsize=256)(self._album_full)
        self.track_simple = lru_cache(maxsize=4096)(self._track_simple)
        self.track_full = lru_cache(maxsize=4096)(self._track_full)
        self.track_raw = lru_cache(maxsize=8192)(self._track_raw)
        self.playlist_item = lru_cache(maxsize=8192)(self._playlist_item)

    # ---- small pieces ----------------------------------------------------------------
    def _links(self, kind: str, entity_id: str) -> Json:
        return {
            "external_urls": {"spotify": f"{OPEN}/{kind}/{entity_id}"},
            "href": f"{self.api}/{kind}s/{entity_id}",
            "id": entity_id,
            "type": kind,
            "uri": f"spotify:{kind}:{entity_id}",
        }

    def _artist_simple(self, a: int) -> Json:
        return {**self._links("artist", self.c.id_of(1, a)), "name": self.c.artist(a).name}

    def user(self, u: int, *, display: bool = True) -> Json:
        if u == SPOTIFY_USER:
            uid, name = "spotify", "Spotify"
        else:
            uid, name = self.c.user_id(u), self.c.user_name(u)
        out = {
            "external_urls": {"spotify": f"{OPEN}/user/{uid}"},
            "href": f"{self.api}/users/{uid}",
            "id": uid,
            "type": "user",
            "uri": f"spotify:user:{uid}",
        }
        if display:
            out["display_name"] = name
        return out

    # ---- artists, albums, tracks -----------------------------------------------------
    def _artist_full(self, a: int) -> Json:
        artist = self.c.artist(a)
        out = {**self.artist_simple(a), "images": images(h(self.c.seed, 1, a))}
        if not self.dev:
            out["genres"] = list(artist.genres)
            out["followers"] = {"href": None, "total": artist.followers}
            out["popularity"] = artist.popularity
        return out

    def _album_simple(self, b: int) -> Json:
        album = self.c.album(b)
        out: Json = {
            "album_type": album.album_type,
            "total_tracks": album.total_tracks,
            **self._links("album", album.id),
            "images": images(h(self.c.seed, ALBUM, b)),
            "name": album.name,
            "release_date": album.release_date,
            "release_date_precision": album.precision,
            "artists": [self.artist_simple(album.artist)],
        }
        if not self.dev:
            out["available_markets"] = list(album.markets)
        return out

    def _album_full(self, b: int) -> Json:
        album = self.c.album(b)
        out = dict(self.album_simple(b))
        tracks = range(album.first_track, album.first_track + min(50, album.total_tracks))
        out["tracks"] = self.paging(
            f"/albums/{album.id}/tracks", [self.track_simple(t) for t in tracks],
            album.total_tracks, 0, 50, {},
        )  # fmt: skip
        year = album.release_date[:4]
        out["copyrights"] = [
            {"text": f"© {year} {album.label}", "type": "C"},
            {"text": f"℗ {year} {album.label}", "type": "P"},
        ]
        out["external_ids"] = {"upc": album.upc}
        if not self.dev:
            out["genres"] = []
            out["label"] = album.label
            out["popularity"] = album.popularity
        return out

    def _track_simple(self, t: int) -> Json:
        track = self.c.track(t)
        out: Json = {
            "artists": [self.artist_simple(a) for a in track.artists],
            "disc_number": track.disc_number,
            "duration_ms": track.duration_ms,
            "explicit": track.explicit,
            **self._links("track", track.id),
            "is_local": False,
            "is_playable": True,
            "name": track.name,
            "track_number": track.track_number,
        }
        if not self.dev:
            out["available_markets"] = list(self.c.album(track.album).markets)
            out["preview_url"] = None  # apps created after 2024-11 get none (docs/spotify-api.md)
        return out

    def _track_full(self, t: int) -> Json:
        track = self.c.track(t)
        out = dict(self.track_simple(t))
        out["album"] = self.album_simple(track.album)
        out["external_ids"] = {"isrc": track.isrc}
        if not self.dev:
            out["popularity"] = track.popularity
        return out

    def _track_raw(self, t: int) -> msgspec.Raw:
        return msgspec.Raw(_encode(self.track_full(t)))

    def local_track(self, number: int) -> Json:
        # Local files are what Spotify really returns, nulls included (the spec says string).
        title = f"Home Recording {number}"
        uri = f"spotify:local:Local+Artist:Local+Files:{title.replace(' ', '+')}:180"
        out: Json = {
            "album": {
                "album_type": None, "artists": [], "external_urls": {}, "href": None,
                "id": None, "images": [], "name": "Local Files", "release_date": None,
                "release_date_precision": None, "type": "album", "uri": None,
            },
            "artists": [{"external_urls": {}, "href": None, "id": None,
                         "name": "Local Artist", "type": "artist", "uri": None}],
            "disc_number": 0, "duration_ms": 180_000 + number, "explicit": False,
            "external_ids": {}, "external_urls": {}, "href": None, "id": None,
            "is_local": True, "name": title, "track_number": 0, "type": "track", "uri": uri,
        }  # fmt: skip
        if not self.dev:
            out["album"]["available_markets"] = []
            out["available_markets"] = []
            out["popularity"] = 0
            out["preview_url"] = None
        return out

    def episode(self, e: int) -> Json:
        show = e // 20
        show_id, episode_id = self.c.id_of(SHOW, show), self.c.id_of(EPISODE, e)
        show_obj: Json = {
            "copyrights": [], "description": f"Show number {show}.",
            "html_description": f"<p>Show number {show}.</p>", "explicit": False,
            **self._links("show", show_id), "images": images(h(self.c.seed, SHOW, show)),
            "is_externally_hosted": False, "languages": ["en"], "media_type": "audio",
            "name": f"Sim Talk {show}", "publisher": "Sim Podcasts", "total_episodes": 20,
        }  # fmt: skip
        if not self.dev:
            show_obj["available_markets"] = ["US", "GB"]
        return {
            "audio_preview_url": None, "description": f"Episode {e}.",
            "html_description": f"<p>Episode {e}.</p>", "duration_ms": 1_200_000 + e,
            "explicit": False, **self._links("episode", episode_id),
            "images": images(h(self.c.seed, EPISODE, e)), "is_externally_hosted": False,
            "is_playable": True, "languages": ["en"], "name": f"Episode {e % 20 + 1}",
            "release_date": "2026-05-01", "release_date_precision": "day", "show": show_obj,
        }  # fmt: skip

    # ---- playlists -------------------------------------------------------------------
    def _playlist_item(self, entry: Entry, encoded: bool = False) -> Json:
        """One playlist item. `encoded` embeds the track as pre-encoded JSON (msgspec.Raw):
        pages of 50 full tracks, twice over in development mode, are the costliest replies,
        and a `fields` filter never sees these (it asks for plain objects)."""
        obj: Json | msgspec.Raw | None
        if entry.kind == "track":
            obj = self.track_raw(entry.ref) if encoded else self.track_full(entry.ref)
        elif entry.kind == "episode":
            obj = self.episode(entry.ref)
        elif entry.kind == "local":
            obj = self.local_track(entry.ref)
        else:
            obj = None
        out: Json = {
            "added_at": entry.added_at,
            "added_by": None
            if entry.added_by is None
            else self.user(entry.added_by, display=False),
            "is_local": entry.kind == "local",
        }
        if self.dev:
            out["item"] = obj
        out["track"] = obj  # a deprecated alias in development mode, the only name in extended
        return out

    def playlist_base(self, pl: Playlist, day: int) -> Json:
        return {
            "collaborative": pl.collaborative,
            "description": pl.description,
            **self._links("playlist", pl.id),
            "images": [] if pl.base_size == 0 else images(h(self.c.seed, 4, pl.key), (640,)),
            "name": pl.name,
            "owner": self.user(pl.owner),
            "public": pl.public,
            "snapshot_id": self.p.snapshot_id(pl, day),
        }

    def playlist_simple(self, pl: Playlist, day: int) -> Json:
        out = self.playlist_base(pl, day)
        total = len(self.p.content(pl, day))
        ref = {
            "href": f"{self.api}/playlists/{pl.id}/{'items' if self.dev else 'tracks'}",
            "total": total,
        }
        out["items" if self.dev else "tracks"] = ref
        return out

    # ---- paging ----------------------------------------------------------------------
    def paging(
        self, path: str, items: list[Any], total: int, offset: int, limit: int,
        params: dict[str, str], max_offset: int | None = None,
    ) -> Json:  # fmt: skip
        def url(at: int) -> str:
            return f"{self.api}{path}?{urlencode({**params, 'offset': at, 'limit': limit})}"

        nxt = offset + limit
        has_next = nxt < total and (max_offset is None or nxt <= max_offset)
        return {
            "href": url(offset),
            "items": items,
            "limit": limit,
            "next": url(nxt) if has_next else None,
            "offset": offset,
            "previous": url(max(0, offset - limit)) if offset > 0 else None,
            "total": total,
        }
