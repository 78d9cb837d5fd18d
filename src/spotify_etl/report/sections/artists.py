"""Artists: who is credited most, who stays on playlists longest, who is on the most playlists."""

from __future__ import annotations

from spotify_etl.report import charts
from spotify_etl.report.context import ReportContext
from spotify_etl.report.model import Card, Section

TOP = 15


def _ranked(
    ctx: ReportContext,
    card_id: str,
    title: str,
    caption: str,
    query: str,
    value: str,
    value_title: str,
    *extra: str,
) -> Card:
    rows = ctx.query(query, limit=TOP).select("artist_name", value, *extra)
    if not len(rows):
        return Card(
            card_id,
            title,
            caption,
            rows,
            query=query,
            unavailable="No artists in the warehouse yet",
        )
    spec = charts.bar(
        rows,
        "artist_name",
        value,
        category_title="artist",
        value_title=value_title,
        horizontal=True,
        tooltip=extra,
    )
    return Card(card_id, title, caption, rows, spec, query=query)


def build(ctx: ReportContext) -> list[Card]:
    return [
        _ranked(
            ctx,
            "artists-songs",
            "Top artists by songs",
            f"Top {TOP}: songs credited to each artist (any position), all songs in the warehouse.",
            "top_artists_by_songs",
            "songs",
            "songs",
            "songs_as_primary",
        ),
        _ranked(
            ctx,
            "artists-days",
            "Top artists by days on playlists",
            f"Top {TOP}: distinct snapshot days any of the artist's songs sat on a tracked "
            "playlist, over all snapshots.",
            "top_artists_by_playlist_days",
            "days_on_playlists",
            "days",
            "playlist_entries",
        ),
        _ranked(
            ctx,
            "artists-playlists",
            "Artists on the most playlists",
            f"Top {TOP}: distinct tracked playlists carrying the artist's songs, over all "
            "snapshots.",
            "artists_on_most_playlists",
            "playlists",
            "playlists",
            "songs",
        ),
    ]


SECTION = Section("artists", "Artists", 30, build)
