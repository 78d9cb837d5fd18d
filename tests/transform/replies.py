"""Real-shaped Spotify replies a user's lake holds, written from openapi.yml (the schema
named on each) and docs/spotify-api.md, each small, with the exact rows it must give (test_replies).

Shapes: both playlist page generations (`/tracks` with `track`, 2015-style extended; 2026
`/items` with `item`, `track` repeated), saved albums with their tracks, saved shows and
episodes, a full show with its episode page, playlists with episodes and local files,
upper-case album types, "0000" dates, a taken-down track, `fields=` pages, currently
playing, playback state, the queue, and a top-level JSON array (a `contains` check).
"""

from __future__ import annotations

from typing import Any

from tests.transform.fixtures import (
    API,
    PL,
    SHOW1,
    album_simple,
    artist_simple,
    episode,
    show_simple,
    track,
)

A1, A2 = "ARTIST0000000000000001", "ARTIST0000000000000002"
AL1, AL2, AL9 = "ALBUM00000000000000001", "ALBUM00000000000000002", "ALBUM00000000000000009"
T1, T2, T3, T9 = (f"TRACK0000000000000000{i}" for i in (1, 2, 3, 9))
EP2 = "EPISODE000000000000002"
SHOW2 = "SHOW000000000000000002"
LOCAL_URI = "spotify:local:Me:My+Rips:home+recording:123"

ART1, ART2 = artist_simple(A1, "One"), artist_simple(A2, "Two")
# Upper-case album_type and precision, as older replies send them (issue #12).
OLD_ALBUM = {**album_simple(AL1, "Old", "2001-02-03", "DAY", [ART1]), "album_type": "ALBUM"}
DAY_ALBUM = album_simple(AL2, "Day", "2026-10-30", "day", [ART2])
# A taken-down track: empty names, duration_ms 0, release_date "0000" (issue #12).
GONE_ALBUM = {**album_simple(AL9, "", "0000", "year", []), "total_tracks": 0}
GONE = {**track(T9, "", GONE_ALBUM, [], duration_ms=0), "external_ids": {}}


def local_track() -> dict[str, Any]:
    return {
        "album": {"id": None, "name": "My Rips", "type": "album", "artists": []},
        "artists": [{"id": None, "name": "Me", "type": "artist"}],
        "duration_ms": 123000,
        "id": None,
        "is_local": True,
        "name": "home recording",
        "type": "track",
        "uri": LOCAL_URI,
    }


def simplified(full: dict[str, Any]) -> dict[str, Any]:
    """A SimplifiedTrackObject: a track without its album (an album's track list)."""
    return {k: v for k, v in full.items() if k != "album"}


def _entry(field: str, content: Any, added: str = "2026-11-01T10:00:00Z") -> dict[str, Any]:
    entry = {"added_at": added, "added_by": {"id": "owner_user", "type": "user"}}
    return {**entry, "is_local": bool(content and content.get("is_local")), field: content}


def page(href: str, items: list[Any], **extra: Any) -> dict[str, Any]:
    """A paging object (PagingObject): href, items, limit, next, offset, previous, total."""
    base = {"href": href, "items": items, "limit": 50, "next": None, "offset": 0}
    return {**base, "previous": None, "total": len(items), **extra}


# PagingPlaylistTrackObject from the removed GET /playlists/{id}/tracks (extended mode).
TRACKS_PAGE_2015 = page(
    f"{API}/playlists/{PL}/tracks?offset=0&limit=100",
    [
        _entry("track", track(T1, "First", OLD_ALBUM, [ART1, ART2], extended=True)),
        _entry("track", local_track()),
        {"added_at": None, "added_by": None, "is_local": False, "track": None},
    ],
)
# GET /playlists/{id}/items (development mode): `item`, repeated as the deprecated `track`.
ITEMS_PAGE_2026 = page(
    f"{API}/playlists/{PL}/items?offset=50&limit=50",
    [
        {**_entry("item", track(T2, "Second", DAY_ALBUM, [ART2])), "track": {"id": T2}},
        _entry("item", episode()),
        _entry("item", GONE),
        _entry("item", local_track()),
    ],
    offset=50,
)
# GET /me/albums: SavedAlbumObject {added_at, album: AlbumObject with its tracks page}.
SAVED_ALBUMS = page(
    f"{API}/me/albums?offset=0&limit=20",
    [
        {
            "added_at": "2026-01-02T03:04:05Z",
            "album": {
                **album_simple(AL2, "Day", "2026-10-30", "day", [ART2]),
                "album_type": "SINGLE",
                "external_ids": {"upc": "00602"},
                "genres": [],
                "label": "Label",
                "popularity": 40,
                "tracks": page(
                    f"{API}/albums/{AL2}/tracks?offset=0&limit=50",
                    [
                        simplified(track(T2, "Second", DAY_ALBUM, [ART2])),
                        simplified(track(T3, "Third", DAY_ALBUM, [ART2, ART1]))
                        | {"track_number": 4},
                    ],
                ),
            },
        }
    ],
)
# GET /me/shows: SavedShowObject {added_at, show: SimplifiedShowObject}.
SAVED_SHOWS = page(
    f"{API}/me/shows?offset=0&limit=20",
    [
        {"added_at": "2026-02-01T00:00:00Z", "show": show_simple()},
        {"added_at": "2026-02-02T00:00:00Z", "show": show_simple(SHOW2, "Other Show")},
    ],
)
# GET /me/episodes: SavedEpisodeObject {added_at, episode: EpisodeObject}.
SAVED_EPISODES = page(
    f"{API}/me/episodes?offset=0&limit=20",
    [{"added_at": "2026-03-01T00:00:00Z", "episode": episode(EP2, "Second Episode")}],
)
# GET /shows/{id}: ShowObject, its `episodes` a page of SimplifiedEpisodeObject (no show).
FULL_SHOW = {
    **show_simple(),
    "episodes": page(f"{API}/shows/{SHOW1}/episodes?offset=0&limit=50", [episode(show=False)]),
}
# GET /playlists/{id}/items?fields=href,offset,items(added_at,item(id,name,type)): rows for
# what it holds (ids, names); and ?fields=items(item(name)): no ids, said as missing keys.
FIELDS_WITH_IDS = {
    "href": f"{API}/playlists/{PL}/items?offset=0&limit=50",
    "offset": 0,
    "items": [{"added_at": "2026-11-01T10:00:00Z", "item": {"id": T1, "name": "First"}}],
}
FIELDS_NO_IDS = {"items": [{"item": {"name": "First"}}, {"item": {"name": "Second"}}]}
# GET /me/player/currently-playing (CurrentlyPlayingContextObject without device).
CURRENTLY_PLAYING = {
    "timestamp": 1764655200000,
    "context": {"type": "playlist", "uri": f"spotify:playlist:{PL}", "href": None},
    "progress_ms": 42000,
    "is_playing": True,
    "item": track(T1, "First", OLD_ALBUM, [ART1]),
    "currently_playing_type": "track",
    "actions": {"disallows": {"resuming": True}},
}
# GET /me/player: playback state, an episode playing; and an ad (item null).
PLAYBACK_STATE = {
    "device": {"id": "d1", "is_active": True, "name": "Phone", "type": "Smartphone"},
    "repeat_state": "off",
    "shuffle_state": False,
    "context": None,
    "timestamp": 1764655200000,
    "progress_ms": 1000,
    "is_playing": True,
    "item": episode(),
    "currently_playing_type": "episode",
    "actions": {},
}
AD_PLAYING = {**PLAYBACK_STATE, "item": None, "currently_playing_type": "ad"}
# GET /me/player/queue: QueueObject.
QUEUE = {
    "currently_playing": track(T2, "Second", DAY_ALBUM, [ART2]),
    "queue": [
        track(T3, "Third", DAY_ALBUM, [ART2]),
        episode(),
        track(T2, "Second", DAY_ALBUM, [ART2]),
    ],
}
# GET /me/tracks/contains?ids=…: a top-level JSON array of booleans.
CONTAINS = [True, False]
# A top-level array of objects (tracks collected into a list by a script) and a saved
# audiobooks page (SavedAudiobookObject): no table for audiobooks, counted.
TRACKS_ARRAY = [track(T1, "First", OLD_ALBUM, [ART1]), None]
SAVED_AUDIOBOOKS = page(
    f"{API}/me/audiobooks?offset=0&limit=20",
    [{"added_at": "2026-01-01T00:00:00Z", "audiobook": {"id": "BOOK000000000000000001"}}],
)
