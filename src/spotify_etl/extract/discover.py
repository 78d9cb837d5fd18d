"""What a response body tells us: entities it holds in full, and ids it only references.

Pure functions over decoded JSON, both profiles (playlist items under `item` or `track`,
playlist objects with `items` or `tracks`). A full track (one with an `album`) counts as
fetched; a simplified one (from an album's track list) only names its artists.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from spotify_etl.ids import ID_RE

# A several-at-once reply's key, and the kind of the objects in its list.
_SEVERAL = {"tracks": "track", "albums": "album", "artists": "artist"}


@dataclass
class Found:
    full: dict[str, set[str]] = field(
        default_factory=lambda: {"album": set(), "artist": set(), "track": set()}
    )
    refs: dict[str, set[str]] = field(
        default_factory=lambda: {"album": set(), "artist": set(), "track": set()}
    )
    playlists: dict[str, str | None] = field(default_factory=dict)  # id -> snapshot_id

    def add_ref(self, kind: str, obj: Any) -> None:
        entity_id = obj.get("id") if isinstance(obj, dict) else None
        if isinstance(entity_id, str) and ID_RE.fullmatch(entity_id):
            self.refs[kind].add(entity_id)

    def wanted(self) -> dict[str, set[str]]:
        """Referenced ids this body did not hold in full."""
        return {kind: self.refs[kind] - self.full[kind] for kind in self.refs}


def _items(page: Any) -> list[Any]:
    if isinstance(page, dict):
        items = page.get("items")
        if isinstance(items, list):
            return items
    return []


def _track(found: Found, track: Any) -> None:
    if not isinstance(track, dict) or track.get("type", "track") != "track":
        return  # null, an episode
    if track.get("is_local") or not track.get("id"):
        return
    album = track.get("album")
    if isinstance(album, dict):
        found.full["track"].add(track["id"])
        found.add_ref("track", track)
        found.add_ref("album", album)
        for artist in album.get("artists") or []:
            found.add_ref("artist", artist)
    # A simplified track (an album's track list) is not fetched again in full: its album
    # reply already names it, and one request per track would dwarf everything else.
    for artist in track.get("artists") or []:
        found.add_ref("artist", artist)


def _album(found: Found, album: Any, *, full: bool) -> None:
    if not isinstance(album, dict) or not album.get("id"):
        return
    found.add_ref("album", album)
    if full:
        found.full["album"].add(album["id"])
    for artist in album.get("artists") or []:
        found.add_ref("artist", artist)
    for track in _items(album.get("tracks")):
        if isinstance(track, dict):
            for artist in track.get("artists") or []:
                found.add_ref("artist", artist)


def _artist(found: Found, artist: Any, *, full: bool) -> None:
    if isinstance(artist, dict) and artist.get("id"):
        found.add_ref("artist", artist)
        if full:
            found.full["artist"].add(artist["id"])


def _playlist_items(found: Found, page: Any) -> None:
    for entry in _items(page):
        if isinstance(entry, dict):
            _track(found, entry.get("item") or entry.get("track"))


def playlist_page(page: Any) -> Any:
    """The paging object of items embedded in a playlist object, if any."""
    if not isinstance(page, dict):
        return None
    for key in ("items", "tracks"):
        value = page.get(key)
        if isinstance(value, dict) and "items" in value:
            return value
    return None


def scan(kind: str, body: Any) -> Found:
    """Entities in `body`, the reply of an endpoint of `kind` (see the `kind` values below)."""
    found = Found()
    if not isinstance(body, dict):
        return found
    if kind in ("track", "album", "artist"):  # one full object
        {"track": _track, "album": _full_album, "artist": _full_artist}[kind](found, body)
    elif kind in _SEVERAL:  # several-at-once: {kind: [object or null, ...]}
        _merge(found, scan_objects(_SEVERAL[kind], body.get(kind) or []))
    elif kind == "playlist":
        _playlist_items(found, playlist_page(body))
    elif kind == "playlist_items":
        _playlist_items(found, body)
    elif kind == "album_tracks":
        for track in _items(body):
            _track(found, track)
    elif kind == "artist_albums":
        for album in _items(body):
            _album(found, album, full=False)
    elif kind == "saved_tracks":  # me/tracks, recently played: {items: [{track}]}
        for entry in _items(body):
            if isinstance(entry, dict):
                _track(found, entry.get("track"))
    elif kind == "top_tracks":
        for track in _items(body):
            _track(found, track)
    elif kind == "top_artists":
        for artist in _items(body):
            _artist(found, artist, full=True)
    elif kind == "my_playlists":
        for playlist in _items(body):
            if isinstance(playlist, dict) and isinstance(playlist.get("id"), str):
                found.playlists[playlist["id"]] = playlist.get("snapshot_id")
    elif kind == "search":
        for track in _items(body.get("tracks")):
            _track(found, track)
        for album in _items(body.get("albums")):
            _album(found, album, full=False)
        for artist in _items(body.get("artists")):
            _artist(found, artist, full=True)
    return found


def scan_objects(kind: str, objects: Iterable[Any]) -> Found:
    """Entities in full objects of one `kind` (track, album or artist), nulls tolerated."""
    found = Found()
    for obj in objects:
        _merge(found, scan(kind, obj))
    return found


def _full_album(found: Found, body: Any) -> None:
    _album(found, body, full=True)


def _full_artist(found: Found, body: Any) -> None:
    _artist(found, body, full=True)


def _merge(into: Found, other: Found) -> None:
    for kind in into.full:
        into.full[kind] |= other.full[kind]
        into.refs[kind] |= other.refs[kind]
    into.playlists.update(other.playlists)


def next_url(page: Any) -> str | None:
    if isinstance(page, dict):
        value = page.get("next")
        if isinstance(value, str) and value:
            return value
    return None


def iter_pages_of(body: Any, kind: str) -> Iterator[Any]:
    """The paging objects inside a reply: search replies hold one per type."""
    if kind == "search" and isinstance(body, dict):
        for value in body.values():
            if isinstance(value, dict) and "items" in value:
                yield value
    elif isinstance(body, dict):
        yield body
