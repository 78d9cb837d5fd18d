"""PLAYLIST_ITEM rows: one per position, whatever the position holds.

A position holds a track (song_id -> SONGS), an episode (episode_id -> EPISODE) or a local
file, which has no id and no dimension row: the item keeps what the playlist shows of it
(URI, name, artist, album, length). The key stays (snapshot_date, playlist_id, position):
the same track may sit at several positions (docs/spotify-api.md), and a local file has nothing
else to key on.
"""

from __future__ import annotations

from spotify_etl.errors import BadValue
from spotify_etl.transform.entities import Ctx, emit_track, is_local
from spotify_etl.transform.podcasts import emit_episode
from spotify_etl.transform.shapes import Obj
from spotify_etl.transform.values import clean_name, days_between, release, utc_timestamp


def item_kind(content: Obj, ctx: Ctx) -> str:
    """track | episode | local. A `fields=` reply may leave `type` out: the URI tells, and
    without one the item is taken for a track, and that is said (missing item.type)."""
    if is_local(content):
        return "local"
    kind = content.type
    if kind == "track" or kind == "episode":
        return kind
    if kind is not None:
        kind = kind.lower()  # "TRACK" in older replies
        if kind == "track" or kind == "episode":
            return kind
    uri = content.uri or ""
    if uri.startswith("spotify:episode:"):
        return "episode"
    if not uri.startswith("spotify:track:"):
        ctx.out.lacks("item.type")
    return "track"


def emit_item(entry: Obj, content: Obj, ctx: Ctx, playlist_id: str | None, position: int) -> None:
    """The rows of one playlist item (or, without a playlist, of a saved track)."""
    kind = item_kind(content, ctx)
    song_id = episode_id = None
    local: tuple[str | None, str | None, str | None, int | None] = (None, None, None, None)
    release_day = None
    if kind == "local":
        if playlist_id is None:
            ctx.out.skip("local_files")  # a local file outside a playlist: no row to hold it
            return
        artists = content.artists if isinstance(content.artists, list) else []
        first = artists[0] if artists else None
        album = content.album
        local = (
            clean_name(content.name),
            clean_name(first.name) if first is not None else None,
            clean_name(album.name) if album is not None else None,
            content.duration_ms,
        )
    elif content.id is None:
        # A `fields=` reply without the id: said, not taken for a local file; the position
        # still has its row with what the reply holds (added_at, added_by).
        ctx.out.lacks(f"{kind}.id")
        if playlist_id is None:
            ctx.out.skip("items_without_id")
            return
    elif kind == "episode":
        episode_id = content.id if ctx.items_only else emit_episode(content, ctx, None)
        release_day = _day(content)
    else:
        song_id = content.id if ctx.items_only else emit_track(content, ctx, None)
        if content.album is not None:
            release_day = _day(content.album)
    if playlist_id is None:
        return  # a saved track or episode, or a page whose playlist cannot be told
    added_at = utc_timestamp(entry.added_at)
    ctx.out.playlist_item.add(
        (
            ctx.snapshot_date,
            playlist_id,
            position,
            ctx.snapshot_id,
            kind,
            song_id,
            content.uri,
            added_at,
            entry.added_by.id if entry.added_by else None,
            days_between(release_day, added_at),
            episode_id,
            *local,
            ctx.fetched_at,
        ),
        ctx.source,
    )


def _day(obj: Obj) -> str | None:
    try:
        return release(obj.release_date, obj.release_date_precision).day
    except BadValue:  # the album's (episode's) own row is quarantined for it; the item stays
        return None
