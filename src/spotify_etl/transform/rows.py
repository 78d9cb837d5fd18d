"""Replies -> model rows: recognising shapes, pages, playlists and saved-item entries.

Shapes are recognised by their fields (see `emit_body`), so envelopes and bare backfill files
go through the same code. A shape that is known but gives no row is counted by kind
(`Collector.skip`; summary.SKIP_REASONS); one that is not known goes to quarantine. The rows
of single entities are built in `entities` and `podcasts`, playlist items in `items`.
"""

from __future__ import annotations

import re

import msgspec

from spotify_etl.errors import BadValue
from spotify_etl.transform.entities import (
    Ctx,
    builtin,
    decode_track,
    emit_album,
    emit_artist,
    emit_track,
)
from spotify_etl.transform.items import emit_item
from spotify_etl.transform.plays import emit_play
from spotify_etl.transform.podcasts import emit_episode, emit_show
from spotify_etl.transform.shapes import Obj
from spotify_etl.transform.values import clean_name

_PLAYLIST_PAGE = re.compile(r"/playlists/([^/?]+)/(?:items|tracks)")
_PLAYLIST = re.compile(r"/playlists/([^/?]+)/?(?:\?|$)")
_ALBUM_TRACKS = re.compile(r"/albums/([^/?]+)/tracks")
_SHOW_EPISODES = re.compile(r"/shows/([^/?]+)/episodes")
# Object types (openapi.yml `type` enums), as most replies send them; others are lower-cased.
_BOOKS = frozenset({"audiobook", "chapter"})
_TYPES = frozenset({"playlist", "album", "artist", "track", "episode", "show", "user"}) | _BOOKS


def kind_of(obj: Obj) -> str | None:
    kind = obj.type
    if kind is None or kind in _TYPES:
        return kind
    return kind.lower()  # "ALBUM", "Track": older replies (issue #12)


def emit_body(body: Obj, ctx: Ctx) -> bool:
    """Rows from one reply; False when the shape is not one the transform knows."""
    kind = kind_of(body)
    if body.error is not None:
        ctx.out.skip("error_replies")
    elif kind == "playlist":
        emit_playlist(body, ctx)
    elif kind == "album":
        _emit_album(body, ctx)
    elif kind == "artist":
        emit_artist(body, ctx)
    elif kind == "track":
        emit_track(body, ctx, None)
    elif kind == "episode":
        emit_episode(body, ctx, None)
    elif kind == "show":
        show_id = emit_show(body, ctx)
        episodes = body.episodes  # a full show's first page of (simplified) episodes
        if isinstance(episodes, Obj) and isinstance(episodes.items, list):
            emit_page(episodes, ctx, show_id=show_id)
    elif kind in _BOOKS:
        ctx.out.skip("audiobooks")
    elif kind == "user":
        ctx.out.skip("other_objects")
    elif isinstance(body.items, list):
        emit_page(body, ctx)
    elif kind is None and isinstance(body.items, Obj) and _PLAYLIST.search(ctx.url):
        emit_playlist(body, ctx)  # a `fields=` playlist: no `type` (maybe no id either)
    else:
        return _emit_other(body, ctx)
    return True


def _emit_album(album: Obj, ctx: Ctx) -> None:
    emit_album(album, ctx)
    tracks = album.tracks  # a full album's first page of (simplified) tracks
    if isinstance(tracks, Obj) and isinstance(tracks.items, list) and album.id:
        emit_page(tracks, ctx, album_id=album.id)


def _emit_other(body: Obj, ctx: Ctx) -> bool:
    """Wrappers (several-at-once, search), the player and queue, top-level arrays."""
    if body.currently_playing_type is not None:  # currently playing, playback state
        _emit_list([body.item], ctx, "nothing_playing")  # `item` is null during an ad
    elif body.queue is not None:
        _emit_list([body.currently_playing, *body.queue], ctx, "nothing_playing")
    elif body.elements is not None:  # a top-level array of objects, e.g. saved as a list
        emit_page(Obj(items=body.elements), ctx)
    elif body.booleans is not None:  # a `contains` check
        ctx.out.skip("other_objects")
    else:
        lists = (body.tracks, body.albums, body.artists, body.playlists, body.shows)
        wrapped = [v for v in (*lists, body.episodes, body.audiobooks, body.chapters) if v]
        if not wrapped:
            return False
        for value in wrapped:  # several-at-once lists, search results (one page per type)
            if isinstance(value, list):
                _emit_list(value, ctx)
            elif isinstance(value.items, list):
                emit_page(value, ctx)
    return True


def _emit_list(values: list[Obj | None], ctx: Ctx, nulls: str = "null_items") -> None:
    for value in values:
        if value is None:
            ctx.out.skip(nulls)  # an unknown id in a several-at-once reply
        elif not value.quarantined and not emit_body(value, ctx):
            record = builtin(value)
            ctx.out.reject(source=ctx.source, table=None, reason="unknown shape", record=record)


def emit_page(
    page: Obj,
    ctx: Ctx,
    playlist_id: str | None = None,
    album_id: str | None = None,
    show_id: str | None = None,
) -> None:
    href = page.href or ctx.url
    if playlist_id is None and (m := _PLAYLIST_PAGE.search(href)):
        playlist_id = m.group(1)
    if album_id is None and (m := _ALBUM_TRACKS.search(href)):
        album_id = m.group(1)
    if show_id is None and (m := _SHOW_EPISODES.search(href)):
        show_id = m.group(1)
    offset = page.offset
    if offset is None:
        offset = 0
        if playlist_id is not None:
            ctx.out.lacks("page.offset")  # positions are counted from 0
    items = page.items if isinstance(page.items, list) else []
    for index, element in enumerate(items):
        if element is None:
            ctx.out.skip("null_items")
            continue
        if element.quarantined:
            continue
        try:
            etype = element.type
            if etype is not None and etype not in _TYPES:
                etype = etype.lower()
            if etype is None and element.played_at is not None and playlist_id is None:
                played = decode_track(element.track)  # a recently-played item: a PLAY
                if played is not None:
                    emit_play(element, played, emit_track(played, ctx, None), ctx)
            elif etype is None and (
                playlist_id is not None or element.track or element.item or element.added_at
            ):
                _emit_entry(element, ctx, playlist_id, offset + index)
            elif etype == "track" and album_id is not None:
                emit_track(element, ctx, album_id)
            elif etype == "episode" and show_id is not None:
                emit_episode(element, ctx, show_id)
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
    """A playlist item, or a saved track, album, show, episode or audiobook."""
    # Development mode sends `item` and repeats it as the deprecated `track`; extended mode
    # sends only `track`. `track` is decoded only when there is no `item`.
    content = entry.item or decode_track(entry.track)
    if content is not None:
        emit_item(entry, content, ctx, playlist_id, position)
    elif entry.album is not None:  # GET /me/albums: the full album with its first tracks
        _emit_album(entry.album, ctx)
    elif entry.episode is not None:  # GET /me/episodes
        emit_episode(entry.episode, ctx, None)
    elif entry.show is not None:  # GET /me/shows
        emit_show(entry.show, ctx)
    elif entry.audiobook is not None:  # GET /me/audiobooks
        ctx.out.skip("audiobooks")
    else:
        ctx.out.skip("null_items")


def emit_playlist(playlist: Obj, ctx: Ctx) -> None:
    page = playlist.items if isinstance(playlist.items, Obj) else None
    if page is None and isinstance(playlist.tracks, Obj):
        page = playlist.tracks
    playlist_id = playlist.id
    if playlist_id is None and (m := _PLAYLIST.search(ctx.url)):
        playlist_id = m.group(1)  # a `fields=` reply that left the id out
    if not ctx.items_only:
        if playlist.name is None:
            ctx.out.lacks("playlist.name")
        else:
            ctx.out.playlist.add(
                (
                    playlist_id,
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
    if playlist_id and playlist.snapshot_id:
        seen = ctx.snapshots.get(playlist_id)
        if seen is None or seen[0] <= ctx.fetched_at:
            ctx.snapshots[playlist_id] = (ctx.fetched_at, playlist.snapshot_id)
    if page is not None and isinstance(page.items, list) and playlist_id:
        emit_page(page, ctx, playlist_id=playlist_id)
