"""Playlist endpoints: the playlist object, its items, and the extended-only `/tracks`.

Development mode (docs/spotify-api.md, "Two profiles": whose playlist items can be read):
editorial playlists (ids `37i9...`) answer 404; items are readable only for playlists the user
owns or collaborates on, so an app token (no user) and anyone else's playlist, even public and
followed, answer 403 `{"error": {"status": 403, "message": "Forbidden"}}` (the Web API error
body of docs/spotify-api.md "Errors, rate limit and quota"). `GET /playlists/{id}` still
answers the header (name, owner, snapshot_id) of a public playlist, without the `items` page.
Extended mode keeps `tracks` everywhere.
"""

from __future__ import annotations

from spotify_etl.ids import is_valid_id
from spotify_etl.simulator import fields
from spotify_etl.simulator.catalog import PLAYLIST
from spotify_etl.simulator.context import ApiError, Ctx, Json, forbidden, not_found
from spotify_etl.simulator.ids import EDITORIAL_PREFIX
from spotify_etl.simulator.playlists import Playlist


def find_playlist(ctx: Ctx, playlist_id: str) -> Playlist:
    if not is_valid_id(playlist_id):
        raise ApiError(400, "invalid id")
    if playlist_id.startswith(EDITORIAL_PREFIX[:4]):
        index = ctx.catalog.codec.decode_editorial(playlist_id)
        if index is None or index >= ctx.catalog.n_editorial or ctx.dev:
            raise not_found()
        return ctx.playlists.get(index, editorial=True)
    return ctx.playlists.get(ctx.index(PLAYLIST, playlist_id, ctx.catalog.n_playlists))


def _spec(ctx: Ctx) -> fields.Spec | None:
    raw = ctx.query.get("fields")
    if not raw:
        return None
    try:
        return fields.parse(raw)
    except fields.FieldsError:
        raise ApiError(400, "Invalid fields") from None


def _page(
    ctx: Ctx, pl: Playlist, path: str, limit: int, offset: int, encoded: bool = False
) -> Json:
    content = ctx.playlists.content(pl, ctx.day)
    items = [ctx.render.playlist_item(e, encoded) for e in content[offset : offset + limit]]
    carry = ctx.params("fields", "market", "additional_types") if path == ctx.path else {}
    return ctx.render.paging(path, items, len(content), offset, limit, carry)


def items_readable(ctx: Ctx, pl: Playlist) -> bool:
    """Whether this token may read the playlist's items (always, in extended mode)."""
    return not ctx.dev or (bool(ctx.grant.user) and ctx.playlists.me_can_edit(pl))


def get_playlist(ctx: Ctx, playlist_id: str) -> Json:
    pl = find_playlist(ctx, playlist_id)
    spec = _spec(ctx)
    out = ctx.render.playlist_base(pl, ctx.day)
    out["followers"] = {"href": None, "total": pl.followers}
    key = "items" if ctx.dev else "tracks"
    if items_readable(ctx, pl) and (spec is None or spec.wants(key)):
        limit = ctx.config.limits.playlist_items_max if ctx.dev else 100
        out[key] = _page(ctx, pl, f"/playlists/{pl.id}/{key}", limit, 0, spec is None)
    return fields.apply(out, spec)  # type: ignore[no-any-return]


def get_playlist_items(ctx: Ctx, playlist_id: str) -> Json:
    pl = find_playlist(ctx, playlist_id)
    if not items_readable(ctx, pl):
        raise forbidden()  # an app token has no user; anyone else's playlist is not readable
    spec = _spec(ctx)
    limit = ctx.limit(20, ctx.config.limits.playlist_items_max)
    page = _page(ctx, pl, ctx.path, limit, ctx.offset(), spec is None)
    return fields.apply(page, spec)  # type: ignore[no-any-return]


def get_playlist_tracks(ctx: Ctx, playlist_id: str) -> Json:
    pl = find_playlist(ctx, playlist_id)
    spec = _spec(ctx)
    limit = ctx.limit(20, ctx.config.limits.playlist_tracks_max)
    page = _page(ctx, pl, ctx.path, limit, ctx.offset(), spec is None)
    return fields.apply(page, spec)  # type: ignore[no-any-return]
