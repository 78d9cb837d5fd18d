"""Trends: rising and falling artists, churn anomalies, genre share shifts, new releases.

Each card runs one named query of warehouse/sql/trends.sql with its default parameters and
states them in its caption, so the rule behind every flag is on the page. These are counts and
robust statistics over the snapshots, never a trained model: Spotify's developer terms forbid
training machine-learning models on Spotify content (docs/spotify-api.md, "Terms").
"""

from __future__ import annotations

from typing import Any

from spotify_etl.report import charts
from spotify_etl.report.context import ReportContext
from spotify_etl.report.model import Card, Rows, Section
from spotify_etl.warehouse.analytics import get_query

ARTISTS_SHOWN = 10


def rule(name: str) -> dict[str, Any]:
    """The parameters a trend query runs with (its defaults: one source for SQL and captions)."""
    return dict(get_query(name).params)


def _artists(ctx: ReportContext) -> Card:
    p = rule("trend_artists")
    flagged = ctx.query("trend_artists").select(
        "artist_name",
        "direction",
        "change_pct",
        "recent_per_day",
        "baseline_per_day",
        "recent_appearances",
        "baseline_appearances",
    )
    # The strongest ARTISTS_SHOWN each way; `spotify-etl query trend_artists` lists them all.
    rows = Rows(
        flagged.columns,
        tuple(
            r
            for way in ("rising", "falling")
            for r in [r for r in flagged.rows if r[1] == way][:ARTISTS_SHOWN]
        ),
    )
    caption = (
        f"Playlist appearances per snapshot day, last {p['recent_days']} days against the "
        f"{p['baseline_days']} before; flagged at a change of at least {p['min_change_pct']}% "
        f"with at least {p['min_support']} appearances in either window. New artists (no "
        f"baseline) are rising; their change is blank. The {ARTISTS_SHOWN} strongest each way."
    )
    title = "Rising and falling artists"
    if not len(rows):
        return Card(
            "trends-artists",
            title,
            caption,
            rows,
            query="trend_artists",
            unavailable="Nothing rising or falling by this rule "
            "(or not enough days of snapshots for both windows)",
        )
    spec = charts.bar(
        rows,
        "artist_name",
        "recent_per_day",
        category_title="artist",
        value_title="appearances per day (last window)",
        horizontal=True,
        tooltip=("baseline_per_day", "change_pct"),
    )
    spec["mark"] = {"type": "bar", "tooltip": True}
    spec["encoding"]["color"] = {
        "field": "direction",
        "type": "nominal",
        "title": None,
        "scale": {"domain": ["rising", "falling"], "range": charts.SERIES[:2]},
        "legend": {"orient": "top"},
    }
    return Card("trends-artists", title, caption, rows, spec, query="trend_artists")


def _churn(ctx: ReportContext) -> Card:
    p = rule("trend_churn_anomalies")
    anomalies = ctx.query("trend_churn_anomalies").select(
        "playlist_name", "snapshot_date", "changes", "median_changes", "mad", "robust_z"
    )
    caption = (
        f"A day is anomalous when a playlist's songs entering + leaving lie at least "
        f"{p['z_threshold']} robust standard deviations (1.4826 × MAD, at least 1 song) from "
        f"its median of the previous {p['window_days']} days, given at least "
        f"{p['min_history']} earlier days. The line is all playlists' changes per day; red "
        "days hold an anomaly."
    )
    title = "Playlist churn anomalies"
    daily = ctx.query("playlist_days", days=ctx.days).select("snapshot_date", "entries", "exits")
    flagged = set(anomalies.column("snapshot_date"))
    series = Rows(
        ("snapshot_date", "changes", "anomaly"),
        tuple((d, (e or 0) + (x or 0), d in flagged) for d, e, x in daily.rows if e is not None),
    )
    if not len(anomalies):
        return Card(
            "trends-churn",
            title,
            caption,
            anomalies,
            query="trend_churn_anomalies",
            unavailable="No churn anomaly: every day within its playlist's usual "
            "range (or too little history)",
        )
    spec = charts.points_on_line(
        series,
        "snapshot_date",
        "changes",
        "anomaly",
        x_title="day",
        y_title="songs entering + leaving",
    )
    return Card("trends-churn", title, caption, anomalies, spec, query="trend_churn_anomalies")


def _genres(ctx: ReportContext) -> Card:
    p = rule("trend_genre_shifts")
    rows = ctx.query("trend_genre_shifts").select(
        "genre", "direction", "shift_pts", "recent_share_pct", "baseline_share_pct"
    )
    caption = (
        f"A genre's share of the appearances of artists with any genre, last "
        f"{p['recent_days']} days against the {p['baseline_days']} before; flagged at a shift "
        f"of at least {p['min_shift_pts']} percentage points with at least {p['min_support']} "
        "appearances in either window."
    )
    title = "Genre share shifts"
    if not len(ctx.query("genre_mix", limit=1)):
        return Card(
            "trends-genres",
            title,
            caption,
            rows,
            query="trend_genre_shifts",
            unavailable="Not available in development mode: no artist has genres",
        )
    if not len(rows):
        return Card(
            "trends-genres",
            title,
            caption,
            rows,
            query="trend_genre_shifts",
            unavailable="No genre share moved by this rule",
        )
    spec = charts.diverging(
        rows,
        "genre",
        "shift_pts",
        category_title="genre",
        value_title="share shift (points)",
        positive="gaining",
        negative="losing",
    )
    return Card("trends-genres", title, caption, rows, spec, query="trend_genre_shifts")


def _releases(ctx: ReportContext) -> Card:
    p = rule("trend_new_releases")
    rows = ctx.query("trend_new_releases").select(
        "entered_on",
        "playlist_name",
        "song_name",
        "primary_artist_name",
        "release_date",
        "days_after_release",
    )
    caption = (
        f"Songs that entered a playlist in the last {p['recent_days']} days at most "
        f"{p['max_age_days']} days after release (day-precision release dates; not counting "
        "a playlist's first snapshot). Bars count such entries per day."
    )
    title = "New releases entering playlists"
    if not len(rows):
        return Card(
            "trends-releases",
            title,
            caption,
            rows,
            query="trend_new_releases",
            unavailable="No new release entered a playlist in this window",
        )
    spec = charts.bar(
        rows,
        "entered_on",
        "days_after_release",
        category_title="day entered",
        value_title="new releases entering",
    )
    spec["encoding"]["y"] = {
        "aggregate": "count",
        "type": "quantitative",
        "title": "new releases entering",
    }
    return Card("trends-releases", title, caption, rows, spec, query="trend_new_releases")


def build(ctx: ReportContext) -> list[Card]:
    return [_artists(ctx), _churn(ctx), _genres(ctx), _releases(ctx)]


SECTION = Section(
    "trends",
    "Trends",
    50,
    build,
    intro="Counts and robust statistics over the daily snapshots, each with its window and "
    "threshold in the caption; no model is trained on Spotify content (Spotify's developer "
    "terms forbid it).",
)
