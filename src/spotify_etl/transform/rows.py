"""Spotify objects -> model rows. Pure: everything goes into the batch's Collector.

Shapes are recognised by their fields (see `emit_body`), so envelopes and bare backfill files
go through the same code. Embedded objects (a track's album and artists) give partial
dimension rows: what the API did not send is NULL, never a guess.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import msgspec

from spotify_etl.transform.collector import Collector
from spotify_etl.transform.shapes import OBJ_DECODER, Obj
from spotify_etl.transform.values import (
    BadValue,
    clean_name,
    days_between,
    duration_minutes,
    duration_mmss,
    release,
    utc_timestamp,
)

_PLAYLIST_PAGE = re.compile(r"/playlists/([^/?]+)/(?:items|tracks)")
_ALBUM_TRACKS = re.compile(r"/albums/([^/?]+)/tracks")


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
    snapshots: dict[str, tuple[str, str]] = field(default_factory=dict)


def emit_body(body: Obj, ctx: Ctx) -> bool:
    """Rows from one reply; False when the shape is not one the transform knows."""
    kind = body.type
    if body.error is not None:
        ctx.out.skip("error_replies")
    elif kind == "playlist":
        emit_playlist(body, ctx)
    elif kind == "album":
        emit_album(body, ctx, with_tracks=True)
    elif kind == "artist":
        emit_artist(body, ctx)
    elif kind == "track":
        emit_track(body, ctx, None)
    elif kind == "episode":
        ctx.out.skip("episodes")
    elif kind == "user":
        ctx.out.skip("other_objects")
    elif isinstance(body.items, list):
        emit_page(body, ctx)
    else:
        wrapped = [v for v in (body.tracks, body.albums, body.artists, body.playlists) if v]
        if not wrapped:
            return False
        for value in wrapped:  # several-at-once lists, search results (one page per type)
            if isinstance(value, list):
                _emit_list(value, ctx)
            elif isinstance(value.items, list):
                emit_page(value, ctx)
    return True


def _emit_list(values: list[Obj | None], ctx: Ctx) -> None:
    for value in values:
        if value is None:
            ctx.out.skip("null_items")  # an unknown id in a several-at-once reply
        elif not value.quarantined and not emit_body(value, ctx):
            ctx.out.reject(source=ctx.source, table=None, reason="unknown shape", record=None)


def emit_page(
    page: Obj, ctx: Ctx, playlist_id: str | None = None, album_id: str | None = None
) -> None:
    href = page.href or ctx.url
    if playlist_id is None and (m := _PLAYLIST_PAGE.search(href)):
        playlist_id = m.group(1)
    if album_id is None and (m := _ALBUM_TRACKS.search(href)):
        album_id = m.group(1)
    offset = page.offset or 0
    items = page.items if isinstance(page.items, list) else []
    for index, element in enumerate(items):
        where = f"{ctx.source} items[{index}]"
        if element is None:
            ctx.out.skip("null_items")
            continue
        if element.quarantined:
            continue
        try:
            if element.type is None and (
                playlist_id is not None or element.track or element.item or element.added_at
            ):
                _emit_entry(element, ctx, playlist_id, offset + index)
            elif element.type is None and element.played_at is not None:
                played = decode_track(element.track)
                if played is not None:
                    emit_track(played, ctx, None)
            elif element.type == "track" and album_id is not None:
                emit_track(element, ctx, album_id)
            elif not emit_body(element, ctx):
                ctx.out.reject(source=where, table=None, reason="unknown item shape", record=None)
        except BadValue as exc:
            ctx.out.reject(source=where, table=None, reason=str(exc), record=_builtin(element))
        except msgspec.ValidationError as exc:  # a lazily decoded `track` of the wrong shape
            reason = f"wrong shape or types: {exc}"
            ctx.out.reject(source=where, table=None, reason=reason, record=_builtin(element))


def _emit_entry(entry: Obj, ctx: Ctx, playlist_id: str | None, position: int) -> None:
    """A playlist item (or, without a playlist, a saved track)."""
    # Development mode sends `item` and repeats it as the deprecated `track`; extended mode
    # sends only `track`. `track` is decoded only when there is no `item`.
    content = entry.item or decode_track(entry.track)
    if content is None:
        ctx.out.skip("null_items")
        return
    if entry.is_local or content.is_local or (content.uri or "").startswith("spotify:local:"):
        item_type, song_id = "local", None
        ctx.out.skip("local_files")
    elif content.type == "episode":
        item_type, song_id = "episode", None
        ctx.out.skip("episodes")
    else:
        item_type = "track"
        song_id = None if ctx.items_only else emit_track(content, ctx, None)
        if ctx.items_only:
            song_id = content.id
    if playlist_id is None:
        return  # a saved track or a page whose playlist cannot be told: no playlist row
    added_at = utc_timestamp(entry.added_at)
    release_day = None
    if item_type == "track" and content.album is not None:
        release_day = release(content.album.release_date, content.album.release_date_precision).day
    ctx.out.playlist_item.add(
        (
            ctx.snapshot_date,
            playlist_id,
            position,
            ctx.snapshot_id,
            item_type,
            song_id,
            content.uri,
            added_at,
            entry.added_by.id if entry.added_by else None,
            days_between(release_day, added_at),
            ctx.fetched_at,
        ),
        ctx.source,
    )


def decode_track(raw: msgspec.Raw) -> Obj | None:
    if not raw or bytes(raw) == b"null":
        return None
    return OBJ_DECODER.decode(raw)


def _builtin(element: Obj) -> Any:
    return msgspec.json.decode(msgspec.json.encode(element))


def emit_track(track: Obj, ctx: Ctx, album_id: str | None) -> str | None:
    """SONGS and SONG_ARTIST rows (plus the embedded album and artists); the song id."""
    song_id = track.id
    if song_id is None or track.is_local:
        ctx.out.skip("local_files")
        return None
    out, fetched, source = ctx.out, ctx.fetched_at, ctx.source
    artists = track.artists if isinstance(track.artists, list) else []
    album = track.album
    for position, artist in enumerate(artists):
        if artist is not None:
            out.song_artist.add((song_id, position, artist.id, fetched), source)
            emit_artist(artist, ctx)
    if album is not None:
        album_id = album.id
        # The album's artists are usually the track's, already emitted from the same reply.
        emit_album(album, ctx, with_tracks=False, seen={a.id for a in artists if a is not None})
    ms = track.duration_ms
    ids = track.external_ids
    urls = track.external_urls
    first = artists[0] if artists else None
    out.songs.add(
        (
            song_id,
            clean_name(track.name),
            album_id,
            first.id if first is not None else None,
            len(artists),
            ms,
            duration_minutes(ms),
            duration_mmss(ms),
            track.explicit,
            track.disc_number,
            track.track_number,
            ids.isrc if ids is not None else None,
            track.popularity,
            urls.spotify if urls is not None else None,
            fetched,
        ),
        source,
    )
    return song_id


def emit_album(
    album: Obj, ctx: Ctx, *, with_tracks: bool, seen: set[str | None] | None = None
) -> None:
    if album.id is None:
        return  # the album of a local file
    parsed = release(album.release_date, album.release_date_precision)
    artists = album.artists if isinstance(album.artists, list) else []
    first = artists[0] if artists else None
    ids = album.external_ids
    urls = album.external_urls
    ctx.out.album.add(
        (
            album.id,
            clean_name(album.name),
            album.album_type,
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
    for artist in artists:
        if artist is not None and (seen is None or artist.id not in seen):
            emit_artist(artist, ctx)
    tracks = album.tracks
    if with_tracks and isinstance(tracks, Obj) and isinstance(tracks.items, list):
        emit_page(tracks, ctx, album_id=album.id)


def emit_artist(artist: Obj, ctx: Ctx) -> None:
    artist_id = artist.id
    if artist_id is None:
        return  # an artist of a local file
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


def emit_playlist(playlist: Obj, ctx: Ctx) -> None:
    page = playlist.items if isinstance(playlist.items, Obj) else None
    if page is None and isinstance(playlist.tracks, Obj):
        page = playlist.tracks
    if not ctx.items_only:
        ctx.out.playlist.add(
            (
                playlist.id,
                clean_name(playlist.name),
                playlist.description,
                playlist.owner.id if playlist.owner else None,
                playlist.snapshot_id,
                page.total if page else None,
                playlist.public,
                playlist.collaborative,
                playlist.external_urls.spotify if playlist.external_urls else None,
                ctx.fetched_at,
            ),
            ctx.source,
        )
    if playlist.id and playlist.snapshot_id:
        seen = ctx.snapshots.get(playlist.id)
        if seen is None or seen[0] <= ctx.fetched_at:
            ctx.snapshots[playlist.id] = (ctx.fetched_at, playlist.snapshot_id)
    if page is not None and isinstance(page.items, list) and playlist.id:
        emit_page(page, ctx, playlist_id=playlist.id)
