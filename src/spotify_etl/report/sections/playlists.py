"""Playlists: the daily snapshots over the report's window (V_PLAYLIST_DAY via playlist_days)."""

from __future__ import annotations

from spotify_etl.report import charts
from spotify_etl.report.context import ReportContext
from spotify_etl.report.model import Card, Rows, Section

NO_SNAPSHOTS = "No playlist snapshots yet: add playlists to [sources] and run the pipeline"


def build(ctx: ReportContext) -> list[Card]:
    days = ctx.query("playlist_days", days=ctx.days)
    if not len(days):
        return [
            Card(
                "playlists-items",
                "Items over time",
                "",
                days,
                query="playlist_days",
                unavailable=NO_SNAPSHOTS,
            )
        ]
    window = f"Last {ctx.days} days of snapshots, all tracked playlists together."
    cards = []
    items = days.select("snapshot_date", "items", "songs", "playlists")
    cards.append(
        Card(
            "playlists-items",
            "Items over time",
            f"{window} Songs are distinct songs per "
            "playlist (episodes and local files count as items, not songs).",
            items,
            charts.lines(
                items, "snapshot_date", ("items", "songs"), x_title="day", y_title="items"
            ),
            query="playlist_days",
        )
    )
    moves = days.select("snapshot_date", "entries", "exits")
    cards.append(
        Card(
            "playlists-moves",
            "Entries and exits per day",
            f"{window} Songs that entered or left a playlist against its previous snapshot.",
            moves,
            charts.lines(
                moves, "snapshot_date", ("entries", "exits"), x_title="day", y_title="songs"
            ),
            query="playlist_days",
        )
    )
    churn = days.select("snapshot_date", "churn_pct")
    cards.append(
        Card(
            "playlists-churn",
            "Churn rate",
            f"{window} Percent of the previous snapshots' songs "
            "that left (blank on a playlist's first day).",
            churn,
            charts.lines(
                churn, "snapshot_date", ("churn_pct",), x_title="day", y_title="churn (%)"
            ),
            query="playlist_days",
        )
    )
    shown = 15
    ranked = ctx.query("explicit_share_per_playlist").select(
        "playlist_name", "tracks", "explicit_tracks", "explicit_pct"
    )
    explicit = Rows(ranked.columns, ranked.rows[:shown])
    cards.append(
        Card(
            "playlists-explicit",
            "Explicit share per playlist",
            f"The {shown} playlists with the highest share on their latest snapshot: percent "
            "of tracks marked explicit (tracks of unknown explicitness left out).",
            explicit,
            charts.bar(
                explicit,
                "playlist_name",
                "explicit_pct",
                category_title="playlist",
                value_title="explicit (%)",
                horizontal=True,
                tooltip=("tracks", "explicit_tracks"),
            ),
            query="explicit_share_per_playlist",
        )
    )
    age = ctx.query("track_age_at_add", days=ctx.days)
    title = "Median track age at add time"
    if not any(n for n in age.column("songs_with_age")):
        cards.append(
            Card(
                "playlists-age",
                title,
                "",
                age,
                query="track_age_at_add",
                unavailable="No add dates with day-precision release dates",
            )
        )
    else:
        cards.append(
            Card(
                "playlists-age",
                title,
                f"{window} Days between a song's release and the day it "
                "was added; median with the 25th and 75th percentiles (day-precision release "
                "dates only).",
                age,
                charts.lines(
                    age,
                    "snapshot_date",
                    ("p25_days", "median_days", "p75_days"),
                    x_title="day",
                    y_title="days after release",
                ),
                query="track_age_at_add",
            )
        )
    busiest = ctx.query("playlist_summary", days=ctx.days)
    cards.append(
        Card(
            "playlists-busiest",
            "Playlists that changed most",
            f"{window} Songs entered plus left per playlist (top 25).",
            busiest,
            charts.bar(
                busiest,
                "playlist_name",
                "entries",
                category_title="playlist",
                value_title="songs entered",
                horizontal=True,
                tooltip=("exits", "songs_now", "avg_churn_pct"),
            ),
            query="playlist_summary",
        )
    )
    return cards


SECTION = Section("playlists", "Playlists", 20, build)
