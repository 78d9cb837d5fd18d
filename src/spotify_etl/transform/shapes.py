"""Typed shapes of the Spotify replies the transform reads, decoded straight from bytes.

One recursive, lenient struct (`Obj`) covers every object the API returns here: tracks,
albums, artists, playlists, playlist items, shows, episodes, saved-item entries, the player
and queue, paging objects and the several-at-once / search wrappers. Every field is optional
(development mode removed many), unknown fields are skipped by the decoder without being
materialised, and declared types are enforced strictly, so a string `duration_ms` fails
decoding instead of slipping through as text.

`Obj` is a union of shapes on purpose: a page, a playlist and a track are told apart by which
fields are present (see `rows.emit_body`), which is what recognising a bare backfill file needs.
"""

from __future__ import annotations

from typing import Any

import msgspec


class Urls(msgspec.Struct, gc=False, omit_defaults=True):
    spotify: str | None = None


class ExternalIds(msgspec.Struct, gc=False, omit_defaults=True):
    isrc: str | None = None
    upc: str | None = None


class Image(msgspec.Struct, gc=False, omit_defaults=True):
    url: str | None = None


class Followers(msgspec.Struct, gc=False, omit_defaults=True):
    total: int | None = None


class User(msgspec.Struct, gc=False, omit_defaults=True):
    id: str | None = None


class Obj(msgspec.Struct, gc=False, omit_defaults=True):
    # Fields in the order the API sends a playlist item's keys (the entry, its track, the
    # track's album and artists): the decoder looks a key up from just after the last one it
    # found, so in this order nearly every key is found at the first try (decoding ~13%
    # faster than in the grouped order). Quarantine records keep the grouped order
    # (RECORD_ORDER below).
    added_at: str | None = None
    added_by: User | None = None
    album_type: str | None = None
    total_tracks: int | None = None
    artists: list[Obj | None] | Obj | None = None  # list on tracks/albums, a page in search
    disc_number: int | None = None
    duration_ms: int | None = None
    explicit: bool | None = None
    external_urls: Urls | None = None
    href: str | None = None
    id: str | None = None
    type: str | None = None
    uri: str | None = None
    is_local: bool | None = None
    images: list[Image] | None = None
    name: str | None = None
    item: Obj | None = None
    # Kept raw: development mode repeats `item` as `track`, so decoding both would double the
    # work; rows.decode_track decodes it only when there is no `item`.
    track: msgspec.Raw = msgspec.Raw()
    track_number: int | None = None
    release_date: str | None = None
    release_date_precision: str | None = None
    album: Obj | None = None
    external_ids: ExternalIds | None = None
    # paging (a page's `items` is a list; a playlist's `items` is a page or a {href,total} ref)
    items: list[Obj | None] | Obj | None = None
    next: str | None = None
    offset: int | None = None
    total: int | None = None
    # the rest: full albums, artists, playlists, play history, errors and users
    popularity: int | None = None
    label: str | None = None
    tracks: list[Obj | None] | Obj | None = None  # list (several, top tracks) or a page/ref
    albums: list[Obj | None] | Obj | None = None
    genres: list[str] | None = None
    followers: Followers | None = None
    collaborative: bool | None = None
    description: str | None = None
    owner: User | None = None
    public: bool | None = None
    snapshot_id: str | None = None
    playlists: Obj | None = None
    played_at: str | None = None
    context: Obj | None = None  # a recently-played item's {type, uri, href, external_urls}
    error: Any = None
    display_name: str | None = None
    # Podcasts and audiobooks: saved entries ({added_at, show|episode|audiobook}), an
    # episode's show, a show's episode page, search and several-at-once wrappers.
    show: Obj | None = None
    episode: Obj | None = None
    audiobook: Obj | None = None
    shows: list[Obj | None] | Obj | None = None
    episodes: list[Obj | None] | Obj | None = None
    audiobooks: list[Obj | None] | Obj | None = None
    chapters: list[Obj | None] | Obj | None = None
    publisher: str | None = None
    media_type: str | None = None
    total_episodes: int | None = None
    # The player: currently playing and playback state (`item` + this), the queue.
    currently_playing_type: str | None = None
    currently_playing: Obj | None = None
    queue: list[Obj | None] | None = None
    # Set by the salvage path for a top-level JSON array: its objects, or (an array of
    # booleans, as the `contains` checks answer) how many values it held.
    elements: list[Obj | None] | None = msgspec.field(default=None, name="__elements__")
    booleans: int | None = msgspec.field(default=None, name="__booleans__")
    # Set by the salvage path on an element whose own shape was wrong (already quarantined);
    # the element keeps its place so playlist positions stay right.
    quarantined: bool = msgspec.field(default=False, name="__quarantined__")


# The key order of an Obj in a quarantine record (grouped: common, track, album, artist,
# playlist, item, paging, other), kept whatever the declaration order above.
RECORD_ORDER = (
    *("id", "name", "type", "uri", "href", "external_urls", "images", "popularity"),
    *("album", "artists", "duration_ms", "explicit", "disc_number", "track_number"),
    *("external_ids", "is_local", "album_type", "total_tracks", "release_date"),
    *("release_date_precision", "label", "tracks", "albums", "genres", "followers"),
    *("collaborative", "description", "owner", "public", "snapshot_id", "playlists"),
    *("added_at", "added_by", "item", "track", "played_at", "context", "items", "offset"),
    "total",
    *("next", "error", "display_name", "show", "episode", "audiobook", "shows", "episodes"),
    *("audiobooks", "chapters", "publisher", "media_type", "total_episodes"),
    *("currently_playing_type", "currently_playing", "queue", "__elements__", "__booleans__"),
    "__quarantined__",
)
# The keys whose values are Obj (or lists of Obj) themselves; `track` is raw input JSON.
RECORD_NESTED = frozenset(
    {"album", "artists", "tracks", "albums", "playlists", "item", "items", "show", "episode"}
    | {"audiobook", "shows", "episodes", "audiobooks", "chapters", "currently_playing", "queue"}
    | {"__elements__", "context"}
)


class _Envelope(msgspec.Struct):
    """rawzone.Envelope as the transform reads it: every field but `body`, all but one optional.

    One definition for the two readers below, which differ only in how they decode the body.
    """

    fetched_at: str  # required: a line without it is not an envelope
    url: str = ""
    params: dict[str, Any] = {}
    status: int = 200
    profile: str = "unknown"
    run_id: str = ""
    source_kind: str = ""
    dt: str = ""
    body_text: str | None = None
    source_id: str | None = None
    carry_forward: dict[str, Any] | None = None
    snapshot_id: str | None = None  # items pages: their playlist's snapshot (rawzone.py)


class Env(_Envelope, gc=False):
    """The envelope with a typed body (decoded in the same pass)."""

    body: Obj | None = None


class LooseEnv(_Envelope):
    """The envelope with an untyped body, for the salvage path."""

    body: Any = None


ENV_DECODER = msgspec.json.Decoder(Env)
OBJ_DECODER = msgspec.json.Decoder(Obj)
LOOSE_ENV_DECODER = msgspec.json.Decoder(LooseEnv)
ANY_DECODER = msgspec.json.Decoder()
