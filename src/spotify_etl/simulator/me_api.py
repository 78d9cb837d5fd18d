"""The current user's endpoints (user token only) and, in extended mode, other users."""

from __future__ import annotations

from datetime import timedelta

from spotify_etl.simulator.context import ApiError, Ctx, Json, not_found
from spotify_etl.simulator.ids import h
from spotify_etl.simulator.playlists import BASE_TIME, SPOTIFY_USER

SAVED_BEFORE_DAY0 = 200
PLAYS_PER_DAY = 50
TIME_RANGES = {"short_term": 1, "medium_term": 2, "long_term": 3}


def _stamp(days: float) -> str:
    return (BASE_TIME + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _public_user(ctx: Ctx, u: int) -> Json:
    out = {**ctx.render.user(u), "images": []}
    if not ctx.dev:
        out["followers"] = {"href": None, "total": h(ctx.catalog.seed, u, 31) % 500}
    if u == SPOTIFY_USER:
        out["images"] = []
    return out


def get_me(ctx: Ctx) -> Json:
    ctx.require_user()
    out = _public_user(ctx, 0)
    out["account_id"] = f"acct{ctx.catalog.seed:08d}"  # added 2026-05 (docs/spotify-api.md)
    if not ctx.dev:  # absent in development mode (docs/spotify-api.md), followers too
        out["country"] = "SE"
        out["email"] = "listener@example.invalid"
        out["explicit_content"] = {"filter_enabled": False, "filter_locked": False}
        out["product"] = "premium"
    return out


def get_my_playlists(ctx: Ctx) -> Json:
    ctx.require_user()
    limit, offset = ctx.limit(20, 50), ctx.offset(100_000)
    # Without the read scopes, private and collaborative playlists stay hidden.
    mine = [
        pl
        for pl in ctx.playlists.me_playlists(extended=not ctx.dev)
        if pl.public
        or (pl.collaborative and ctx.has_scope("playlist-read-collaborative"))
        or (not pl.collaborative and ctx.has_scope("playlist-read-private"))
    ]
    items = [ctx.render.playlist_simple(pl, ctx.day) for pl in mine[offset : offset + limit]]
    return ctx.render.paging(ctx.path, items, len(mine), offset, limit, {})


def get_saved_tracks(ctx: Ctx) -> Json:
    """One save a day before day 0, two a day since; newest first."""
    ctx.require_scope("user-library-read")
    limit, offset = ctx.limit(20, 50), ctx.offset()
    total = min(ctx.catalog.n_tracks, SAVED_BEFORE_DAY0 + 2 * max(0, ctx.day))
    items = []
    for k in range(offset, min(total, offset + limit)):
        s = total - 1 - k
        day = s - SAVED_BEFORE_DAY0 if s < SAVED_BEFORE_DAY0 else (s - SAVED_BEFORE_DAY0) // 2 + 1
        t = ctx.catalog.pick_track(0x5A7ED, s)
        items.append({"added_at": _stamp(day + 0.4), "track": ctx.render.track_full(t)})
    return ctx.render.paging(ctx.path, items, total, offset, limit, ctx.params("market"))


def _cursor(ctx: Ctx, name: str) -> int | None:
    raw = ctx.query.get(name)
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ApiError(400, f"Invalid {name}") from None


def get_recently_played(ctx: Ctx) -> Json:
    ctx.require_scope("user-read-recently-played")
    if ctx.config.play_clock is not None:
        from spotify_etl.simulator.playclock import recently_played

        return recently_played(ctx, ctx.config.play_clock)
    limit = ctx.limit(20, 50)
    before, after = _cursor(ctx, "before"), _cursor(ctx, "after")
    if before is not None and after is not None:
        raise ApiError(400, "Only one of before and after may be given")
    epoch = int(BASE_TIME.timestamp() * 1000)
    latest = epoch + (ctx.day * 24 + 20) * 3_600_000
    plays = [(latest - k * 420_000, k) for k in range(PLAYS_PER_DAY)]  # one every 7 minutes
    if before is not None:
        plays = [p for p in plays if p[0] < before]
    if after is not None:
        plays = [p for p in plays if p[0] > after]
    page = plays[:limit]
    items = [
        {
            "track": ctx.render.track_full(ctx.catalog.pick_track(0x91A7, ctx.day, k)),
            "played_at": _stamp((ms - epoch) / 86_400_000),
            "context": None,
        }
        for ms, k in page
    ]
    base = f"{ctx.render.api}{ctx.path}?limit={limit}"
    return {
        "href": base + (f"&before={before}" if before else f"&after={after}" if after else ""),
        "items": items,
        "limit": limit,
        "next": f"{base}&before={page[-1][0]}" if len(plays) > limit else None,
        "cursors": {"after": str(page[0][0]), "before": str(page[-1][0])} if page else {},
    }


def get_top(ctx: Ctx, kind: str) -> Json:
    ctx.require_scope("user-top-read")
    if kind not in ("artists", "tracks"):
        raise ApiError(404, "Service not found")
    span = TIME_RANGES.get(ctx.query.get("time_range", "medium_term"))
    if span is None:
        raise ApiError(400, "Invalid time range")
    limit, offset = ctx.limit(20, 50), ctx.offset()
    c = ctx.catalog
    total = min(50, c.n_artists if kind == "artists" else c.n_tracks)
    ranks = range(offset, min(total, offset + limit))
    if kind == "artists":
        stride = 7 + 2 * span
        items = [ctx.render.artist_full((span * 11 + k * stride) % c.n_artists) for k in ranks]
    else:
        items = [ctx.render.track_full(c.pick_track(0x709, span, k)) for k in ranks]
    return ctx.render.paging(ctx.path, items, total, offset, limit, ctx.params("time_range"))


def _user(ctx: Ctx, user_id: str) -> int:
    if user_id == "spotify":
        return SPOTIFY_USER
    u = ctx.catalog.user_index(user_id)
    if u is None:
        raise not_found()
    return u


def get_user(ctx: Ctx, user_id: str) -> Json:
    return _public_user(ctx, _user(ctx, user_id))


def get_user_playlists(ctx: Ctx, user_id: str) -> Json:
    u = _user(ctx, user_id)
    limit, offset = ctx.limit(20, 50), ctx.offset(100_000)
    if u == SPOTIFY_USER:
        owned = [ctx.playlists.get(i, editorial=True) for i in range(ctx.catalog.n_editorial)]
    else:
        candidates = (ctx.playlists.get(i) for i in range(ctx.catalog.n_playlists))
        owned = [pl for pl in candidates if pl.owner == u and pl.public]
    items = [ctx.render.playlist_simple(pl, ctx.day) for pl in owned[offset : offset + limit]]
    return ctx.render.paging(ctx.path, items, len(owned), offset, limit, {})
