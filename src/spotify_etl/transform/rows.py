"""Replies -> model rows: recognising shapes, pages, playlists and their items.

Shapes are recognised by their fields (see `emit_body`), so envelopes and bare backfill files
go through the same code. The rows of single entities are built in `entities`.
"""

from __future__ import annotations

import re

import msgspec

from spotify_etl.transform.entities import (
    Ctx,
    builtin,
    decode_track,
    emit_album,
    emit_artist,
    emit_track,
)
from spotify_etl.transform.plays import emit_play
from spotify_etl.transform.shapes import Obj
from spotify_etl.transform.values import BadValue, clean_name, days_between, release, utc_timestamp

_PLAYLIST_PAGE = re.compile(r"/playlists/([^/?]+)/(?:items|tracks)")
_ALBUM_TRACKS = re.compile(r"/albums/([^/?]+)/tracks")


def emit_body(body: Obj, ctx: Ctx) -> bool:
    """Rows from one reply; False when the shape is not one the transform knows."""
    kind = body.type
    if body.error is not None:
        ctx.out.skip("error_replies")
    elif kind == "playlist":
        emit_playlist(body, ctx)
    elif kind == "album":
        emit_album(body, ctx)
        tracks = body.tracks  # a full album's first page of (simplified) tracks
        if isinstance(tracks, Obj) and isinstance(tracks.items, list) and body.id:
            emit_page(tracks, ctx, album_id=body.id)
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
            record = builtin(value)
            ctx.out.reject(source=ctx.source, table=None, reason="unknown shape", record=record)


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
        if element is None:
            ctx.out.skip("null_items")
            continue
        if element.quarantined:
            continue
        try:
            if element.type is None and element.played_at is not None and playlist_id is None:
                played = decode_track(element.track)  # a recently-played item: a PLAY
                if played is not None:
                    emit_play(element, played, emit_track(played, ctx, None), ctx)
            elif element.type is None and (
                playlist_id is not None or element.track or element.item or element.added_at
            ):
                _emit_entry(element, ctx, playlist_id, offset + index)
            elif element.type == "track" and album_id is not None:
                emit_track(element, ctx, album_id)
            elif not emit_body(element, ctx):
                _reject_item(ctx, index, "unknown item shape", element)
        except BadValue as exc:
            _reject_item(ctx, index, str(exc), element)
        except msgspec.ValidationError as exc:  # a lazily decoded `track` of the wrong shape
            _reject_item(ctx, index, f"wrong shape or types: {exc}", element)


def _reject_item(ctx: Ctx, index: int, reason: str, element: Obj) -> None:
    where = f"{ctx.source} items[{index}]"
    ctx.out.reject(source=where, table=None, reason=reason, record=builtin(element))


def _emit_entry(entry: Obj, ctx: Ctx, playlist_id: str | None, position: int) -> None:
    """A playlist item (or, without a playlist, a saved track)."""
    # Development mode sends `item` and repeats it as the deprecated `track`; extended mode
    # sends only `track`. `track` is decoded only when there is no `item`.
    content = entry.item or decode_track(entry.track)
    if content is None:
        ctx.out.skip("null_items")
        return
    local = content.id is None and (content.uri or "").startswith("spotify:local:")
    if local or entry.is_local or content.is_local:
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
        album = content.album
        try:
            release_day = release(album.release_date, album.release_date_precision).day
        except BadValue:  # the album's own row is quarantined for it; the item stays
            release_day = None
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
