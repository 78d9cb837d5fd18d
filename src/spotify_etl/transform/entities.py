"""The rows of single entities: SONGS (+ SONG_ARTIST), ALBUM, ARTIST (+ ARTIST_GENRE).

Dimension rows come from full objects only. A simplified album or artist (embedded in a
track, listed in a search or discography page) lacks fields the full object has (images,
upc, label, popularity, genres), and the warehouse MERGE takes the newest row whole, so a
partial row fetched later would erase them; extract fetches every referenced album and artist
in full instead. Bare backfill files (`Ctx.embedded_dims`) have no such follow-up, so there
the embedded objects do give rows, with what they hold and NULL for the rest.

Simplified tracks (an album's track list) do give SONGS rows: extract never fetches those
tracks in full, so the track list is their only source.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import msgspec

from spotify_etl.errors import BadValue
from spotify_etl.transform.collector import Collector
from spotify_etl.transform.shapes import OBJ_DECODER, RECORD_NESTED, RECORD_ORDER, Obj
from spotify_etl.transform.values import (
    album_type,
    clean_name,
    duration_minutes,
    duration_mmss,
    release,
)


@dataclass
class Ctx:
    """Where the current objects come from: one envelope or one bare file."""

    out: Collector
    source: str  # raw key and line, for quarantine records
    fetched_at: str  # file-format UTC timestamp
    snapshot_date: str
    url: str = ""
    snapshot_id: str | None = None  # known from a carry-forward
    items_only: bool = False  # carry-forward: only PLAYLIST_ITEM rows are wanted
    embedded_dims: bool = False  # rows from embedded albums/artists (bare backfill files)
    snapshots: dict[str, tuple[str, str]] = field(default_factory=dict)


def decode_track(raw: msgspec.Raw) -> Obj | None:
    if not raw or bytes(raw) == b"null":
        return None
    return OBJ_DECODER.decode(raw)


def builtin(element: Obj) -> Any:
    """An Obj as plain data for a quarantine record, keys in RECORD_ORDER."""
    return _record(msgspec.json.decode(msgspec.json.encode(element)))


def _record(value: Any) -> Any:
    if isinstance(value, list):
        return [_record(v) for v in value]
    if not isinstance(value, dict):
        return value
    return {
        k: _record(value[k]) if k in RECORD_NESTED else value[k] for k in RECORD_ORDER if k in value
    }


def is_local(obj: Obj) -> bool:
    """A local file: `is_local`, or no id and a spotify:local: URI (docs/spotify-api.md)."""
    return bool(obj.is_local) or (obj.id is None and (obj.uri or "").startswith("spotify:local:"))


def emit_track(track: Obj, ctx: Ctx, album_id: str | None) -> str | None:
    """SONGS and SONG_ARTIST rows (plus the embedded album and artists); the song id."""
    song_id = track.id
    if song_id is None or track.is_local:
        if is_local(track):
            ctx.out.skip("local_files")  # outside a playlist: nothing to key a row on
        else:  # a `fields=` reply that left the id out: said, not taken for a local file
            ctx.out.lacks("track.id")
            ctx.out.skip("items_without_id")
        return None
    out, fetched, source, embedded = ctx.out, ctx.fetched_at, ctx.source, ctx.embedded_dims
    artists = track.artists if isinstance(track.artists, list) else []
    album = track.album
    link = out.song_artist.add
    for position, artist in enumerate(artists):
        if artist is not None:
            if artist.id is None:
                out.lacks("artist.id")
                continue
            link((song_id, position, artist.id, fetched), source)
            if embedded:
                emit_artist(artist, ctx)
    if album is not None:
        album_id = album.id
        if embedded:
            # The album's artists are usually the track's, already emitted from this reply.
            emit_album(album, ctx, seen={a.id for a in artists if a is not None})
    name, ms = track.name, track.duration_ms
    if name is None:  # a `fields=` reply without the name: no row can be written
        out.lacks("track.name")
        return song_id
    # A taken-down track keeps its row, flagged: the API then sends an empty name
    # (AlbumBase.name in openapi.yml: "In case of an album takedown, the value may be an
    # empty string") and duration_ms 0, a placeholder read as unknown (issue #12).
    available = ms != 0 and name != ""
    if ms == 0:
        ms = None
    ids = track.external_ids
    urls = track.external_urls
    first = artists[0] if artists else None
    out.songs.add(
        (
            song_id,
            clean_name(name),
            album_id,
            first.id if first is not None else None,
            len(artists) if isinstance(track.artists, list) else None,  # absent: unknown
            ms,
            duration_minutes(ms),
            duration_mmss(ms),
            track.explicit,
            track.disc_number,
            track.track_number,
            ids.isrc if ids is not None else None,
            track.popularity,
            urls.spotify if urls is not None else None,
            available,
            fetched,
        ),
        source,
    )
    return song_id


def emit_album(album: Obj, ctx: Ctx, *, seen: set[str | None] | None = None) -> None:
    if album.id is None:
        return  # the album of a local file
    if album.tracks is None and not ctx.embedded_dims:
        return  # a simplified album: extract fetches it in full
    try:
        parsed = release(album.release_date, album.release_date_precision)
    except BadValue as exc:
        # The album row is the bad record; its tracks (and their playlist items) still land.
        ctx.out.album.reject(ctx.source, str(exc), builtin(album), key=album.id)
        return
    if album.name is None:
        ctx.out.lacks("album.name")
        return
    artists = album.artists if isinstance(album.artists, list) else []
    first = artists[0] if artists else None
    ids = album.external_ids
    urls = album.external_urls
    ctx.out.album.add(
        (
            album.id,
            clean_name(album.name),
            album_type(album.album_type),
            first.id if first is not None else None,
            parsed.day,
            parsed.precision,
            parsed.year,
            parsed.month,
            album.total_tracks,
            album.label,
            ids.upc if ids is not None else None,
            album.popularity,
            album.images[0].url if album.images else None,
            urls.spotify if urls is not None else None,
            ctx.fetched_at,
        ),
        ctx.source,
    )
    if ctx.embedded_dims:
        for artist in artists:
            if artist is not None and (seen is None or artist.id not in seen):
                emit_artist(artist, ctx)


def emit_artist(artist: Obj, ctx: Ctx) -> None:
    artist_id = artist.id
    if artist_id is None:
        return  # an artist of a local file
    if artist.images is None and artist.genres is None and not ctx.embedded_dims:
        return  # a simplified artist (no images, no genres): extract fetches it in full
    if artist.name is None:
        ctx.out.lacks("artist.name")
        return
    genres = None if artist.genres is None else [clean_name(g) or "" for g in artist.genres]
    urls = artist.external_urls
    ctx.out.artist.add(
        (
            artist_id,
            clean_name(artist.name),
            None if genres is None else json.dumps(genres, ensure_ascii=False),
            None if genres is None else len(genres),
            artist.followers.total if artist.followers else None,
            artist.popularity,
            artist.images[0].url if artist.images else None,
            urls.spotify if urls is not None else None,
            ctx.fetched_at,
        ),
        ctx.source,
    )
    for genre in genres or ():
        ctx.out.artist_genre.add((artist_id, genre, ctx.fetched_at), ctx.source)
