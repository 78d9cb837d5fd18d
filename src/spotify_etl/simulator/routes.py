"""The Web API's path table: which template, which handler, in which profile."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from spotify_etl.simulator import me_api, playlist_api, webapi

ALL, EXTENDED, GONE = "all", "extended", "gone"
Handler = Callable[..., dict[str, Any]]


@dataclass(frozen=True)
class Route:
    template: str  # e.g. "/albums/{id}", relative to /v1
    handler: Handler | None
    availability: str  # ALL | EXTENDED (403 in development mode) | GONE (403 everywhere)
    segments: tuple[str, ...]


_TABLE: list[tuple[str, Handler | None, str]] = [
    ("/albums/{id}", webapi.get_album, ALL),
    ("/albums/{id}/tracks", webapi.get_album_tracks, ALL),
    ("/albums", webapi.get_several_albums, EXTENDED),
    ("/artists/{id}", webapi.get_artist, ALL),
    ("/artists/{id}/albums", webapi.get_artist_albums, ALL),
    ("/artists", webapi.get_several_artists, EXTENDED),
    ("/artists/{id}/top-tracks", webapi.get_top_tracks, EXTENDED),
    ("/artists/{id}/related-artists", None, GONE),
    ("/tracks/{id}", webapi.get_track, ALL),
    ("/tracks", webapi.get_several_tracks, EXTENDED),
    ("/playlists/{id}", playlist_api.get_playlist, ALL),
    ("/playlists/{id}/items", playlist_api.get_playlist_items, ALL),
    ("/playlists/{id}/tracks", playlist_api.get_playlist_tracks, EXTENDED),
    ("/search", webapi.search, ALL),
    ("/me", me_api.get_me, ALL),
    ("/me/playlists", me_api.get_my_playlists, ALL),
    ("/me/tracks", me_api.get_saved_tracks, ALL),
    ("/me/player/recently-played", me_api.get_recently_played, ALL),
    ("/me/top/{type}", me_api.get_top, ALL),
    ("/browse/new-releases", webapi.get_new_releases, EXTENDED),
    ("/markets", webapi.get_markets, EXTENDED),
    ("/users/{id}", me_api.get_user, EXTENDED),
    ("/users/{id}/playlists", me_api.get_user_playlists, EXTENDED),
    ("/browse/categories", webapi.get_categories, EXTENDED),
    ("/browse/categories/{id}", webapi.get_category, EXTENDED),
    ("/browse/categories/{id}/playlists", None, GONE),
    ("/browse/featured-playlists", None, GONE),
    ("/recommendations", None, GONE),
    ("/recommendations/available-genre-seeds", None, GONE),
    ("/audio-features", None, GONE),
    ("/audio-features/{id}", None, GONE),
    ("/audio-analysis/{id}", None, GONE),
]

ROUTES = [Route(t, f, a, tuple(t.strip("/").split("/"))) for t, f, a in _TABLE]
_INDEX: dict[tuple[int, str], list[Route]] = {}
for _route in ROUTES:
    _INDEX.setdefault((len(_route.segments), _route.segments[0]), []).append(_route)


def match(path: str) -> tuple[Route, list[str]] | None:
    """The route for a path relative to /v1 (no trailing slash), with its parameters."""
    parts = path.strip("/").split("/")
    for route in _INDEX.get((len(parts), parts[0]), ()):
        params = []
        for want, got in zip(route.segments, parts, strict=True):
            if want[0] == "{":
                if not got:
                    break
                params.append(got)
            elif want != got:
                break
        else:
            return route, params
    return None
