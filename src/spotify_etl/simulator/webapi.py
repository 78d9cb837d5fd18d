"""Catalog endpoints of the Web API: albums, artists, tracks, search, new releases."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from itertools import islice

from spotify_etl.ids import is_valid_id
from spotify_etl.simulator.catalog import ALBUM, ARTIST, PLAYLIST, TRACK
from spotify_etl.simulator.context import ApiError, Ctx, Json, not_found
from spotify_etl.simulator.names import MARKETS

SEARCH_TYPES = ("album", "artist", "playlist", "track", "show", "episode", "audiobook")
ALBUM_GROUPS = ("album", "single", "appears_on", "compilation")


def _album(ctx: Ctx, album_id: str) -> int:
    b = ctx.index(ALBUM, album_id, ctx.catalog.album_bound)
    if not ctx.catalog.album_visible(b, ctx.day):
        raise not_found()
    return b


def _track(ctx: Ctx, track_id: str) -> int:
    t = ctx.index(TRACK, track_id, ctx.catalog.track_bound)
    if not ctx.catalog.track_visible(t, ctx.day):
        raise not_found()
    return t


def get_album(ctx: Ctx, album_id: str) -> Json:
    return ctx.render.album_full(_album(ctx, album_id))


def get_album_tracks(ctx: Ctx, album_id: str) -> Json:
    album = ctx.catalog.album(_album(ctx, album_id))
    limit, offset = ctx.limit(20, 50), ctx.offset()
    start = album.first_track + offset
    stop = min(album.first_track + album.total_tracks, start + limit)
    items = [ctx.render.track_simple(t) for t in range(start, stop)]
    return ctx.render.paging(
        ctx.path, items, album.total_tracks, offset, limit, ctx.params("market")
    )


def get_artist(ctx: Ctx, artist_id: str) -> Json:
    return ctx.render.artist_full(ctx.index(ARTIST, artist_id, ctx.catalog.n_artists))


def get_artist_albums(ctx: Ctx, artist_id: str) -> Json:
    a = ctx.index(ARTIST, artist_id, ctx.catalog.n_artists)
    lim = ctx.config.limits
    limit, offset = ctx.limit(lim.artist_albums_default, lim.artist_albums_max), ctx.offset()
    groups = [g for g in ctx.query.get("include_groups", "").split(",") if g]
    if any(g not in ALBUM_GROUPS for g in groups):
        raise ApiError(400, "Invalid include_groups")
    albums = [ctx.catalog.album(b) for b in ctx.catalog.artist_albums(a, ctx.day)]
    if groups:
        albums = [x for x in albums if x.album_type in groups]
    # Development mode has no album_group (docs/spotify-api.md): ask one group at a time.
    items = [
        ctx.render.album_simple(x.index)
        if ctx.dev
        else {**ctx.render.album_simple(x.index), "album_group": x.album_type}
        for x in albums[offset : offset + limit]
    ]
    return ctx.render.paging(
        ctx.path, items, len(albums), offset, limit, ctx.params("include_groups", "market")
    )


def get_track(ctx: Ctx, track_id: str) -> Json:
    return ctx.render.track_full(_track(ctx, track_id))


def _ids(ctx: Ctx, maximum: int) -> list[str]:
    raw = ctx.query.get("ids")
    if not raw:
        raise ApiError(400, "invalid ids")
    ids = raw.split(",")
    if len(ids) > maximum:
        raise ApiError(400, "Too many ids requested")
    if not all(is_valid_id(i) for i in ids):
        raise ApiError(400, "invalid id")
    return ids


def _or_none(ctx: Ctx, fetch: Callable[[Ctx, str], Json], entity_id: str) -> Json | None:
    try:
        return fetch(ctx, entity_id)
    except ApiError as exc:
        if exc.status == 404:
            return None  # batch endpoints answer null in place of an unknown id
        raise


def get_several_albums(ctx: Ctx) -> Json:
    ids = _ids(ctx, ctx.config.limits.batch_albums)
    return {"albums": [_or_none(ctx, get_album, i) for i in ids]}


def get_several_artists(ctx: Ctx) -> Json:
    ids = _ids(ctx, ctx.config.limits.batch_artists)
    return {"artists": [_or_none(ctx, get_artist, i) for i in ids]}


def get_several_tracks(ctx: Ctx) -> Json:
    ids = _ids(ctx, ctx.config.limits.batch_tracks)
    return {"tracks": [_or_none(ctx, get_track, i) for i in ids]}


def get_top_tracks(ctx: Ctx, artist_id: str) -> Json:
    a = ctx.index(ARTIST, artist_id, ctx.catalog.n_artists)
    tracks: list[int] = []
    for b in ctx.catalog.artist_albums(a, ctx.day):
        album = ctx.catalog.album(b)
        tracks += range(album.first_track, album.first_track + album.total_tracks)
        if len(tracks) >= 10:
            break
    ranked = sorted(tracks, key=lambda t: -ctx.catalog.track(t).popularity)[:10]
    return {"tracks": [ctx.render.track_full(t) for t in ranked]}


def get_new_releases(ctx: Ctx) -> Json:
    limit, offset = ctx.limit(20, 50), ctx.offset()
    c = ctx.catalog
    visible = [x for x in c.new_albums if x[0] <= ctx.day]
    releases = heapq.merge(visible, c.future_releases(ctx.day), key=lambda x: (-x[0], x[1]))
    items = [ctx.render.album_simple(b) for _, b in islice(releases, offset, offset + limit)]
    total = len(visible) + c.future_count(ctx.day)
    page = ctx.render.paging(ctx.path, items, total, offset, limit, {})
    return {"albums": page}


def get_markets(ctx: Ctx) -> Json:
    return {"markets": list(MARKETS)}


def search(ctx: Ctx) -> Json:
    q = ctx.query.get("q", "")
    if not q.strip():
        raise ApiError(400, "No search query")
    types = [t for t in ctx.query.get("type", "").split(",") if t]
    if not types:
        raise ApiError(400, "Missing parameter type")
    if any(t not in SEARCH_TYPES for t in types):
        raise ApiError(400, "Bad search type field")
    lim = ctx.config.limits
    limit = ctx.limit(lim.search_default, lim.search_max)
    offset = ctx.offset(lim.search_offset_max)
    c, render = ctx.catalog, ctx.render
    out: Json = {}

    def track(i: int) -> Json | None:
        return render.track_full(i) if c.track_visible(i, ctx.day) else None

    def album(i: int) -> Json | None:
        return render.album_simple(i) if c.album_visible(i, ctx.day) else None

    def playlist(i: int) -> Json | None:
        return render.playlist_simple(ctx.playlists.get(i), ctx.day)

    sources: dict[str, tuple[int, Callable[[int], Json | None]]] = {
        "track": (TRACK, track),
        "artist": (ARTIST, render.artist_full),
        "album": (ALBUM, album),
        "playlist": (PLAYLIST, playlist),
    }
    deepest = lim.search_offset_max + lim.search_max
    for t in types:
        items: list[Json] = []
        total = 0
        if t in sources:
            kind, build = sources[t]
            total, page = ctx.search.query(kind, q, offset, limit, ctx.day, ctx.dev, deepest)
            items = [x for x in map(build, page) if x is not None]
        params = {"q": q, "type": ctx.query.get("type", ""), **ctx.params("market")}
        out[t + "s"] = render.paging(
            ctx.path, items, total, offset, limit, params, max_offset=lim.search_offset_max
        )
    return out


CATEGORIES = ("toplists", "pop", "hiphop", "rock", "latin", "jazz", "classical", "chill")


def _category(ctx: Ctx, category: str) -> Json:
    return {
        "href": f"{ctx.render.api}/browse/categories/{category}",
        "icons": [{"url": f"https://t.scdn.co/images/{category}.jpg", "height": 274, "width": 274}],
        "id": category,
        "name": category.title(),
    }


def get_categories(ctx: Ctx) -> Json:
    limit, offset = ctx.limit(20, 50), ctx.offset()
    items = [_category(ctx, c) for c in CATEGORIES[offset : offset + limit]]
    return {"categories": ctx.render.paging(ctx.path, items, len(CATEGORIES), offset, limit, {})}


def get_category(ctx: Ctx, category: str) -> Json:
    if category not in CATEGORIES:
        raise not_found()
    return _category(ctx, category)
