"""Listening: when the user listens (weekday x hour), to whom and what, how often they skip.

From PLAY (`spotify-etl listen`, `spotify-etl import history`); a warehouse without plays has
no listening section.
"""

from __future__ import annotations

from spotify_etl.report import charts
from spotify_etl.report.context import ReportContext
from spotify_etl.report.model import Card, Rows, Section

TOP = 15
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _heatmap(ctx: ReportContext) -> Card:
    found = ctx.query("listening_heatmap")
    rows = Rows(
        ("weekday", "hour", "minutes", "plays"),
        tuple((WEEKDAYS[w - 1], h, m, p) for w, h, p, m in found.rows),
    )
    spec = charts.heatmap(
        rows, "hour", "weekday", "minutes",
        x_title="hour of day (UTC)", y_title="weekday", value_title="minutes",
    )  # fmt: skip
    spec["encoding"]["y"]["sort"] = list(WEEKDAYS)
    spec["encoding"]["x"]["scale"] = {"domain": list(range(24))}
    return Card(
        "listening-heatmap",
        "When you listen",
        "Minutes listened per weekday and hour of day (UTC), over every play in PLAY. A play "
        "only the API saw counts its song's full length (recently-played has no duration).",
        rows,
        spec,
        query="listening_heatmap",
    )


def _ranked(ctx: ReportContext, card_id: str, title: str, query: str, name: str) -> Card:
    rows = ctx.query(query, limit=TOP).select(name, "minutes", "plays")
    spec = charts.bar(
        rows, name, "minutes", category_title=name.split("_")[0], value_title="minutes",
        horizontal=True, tooltip=("plays",),
    )  # fmt: skip
    caption = f"Top {TOP} by minutes listened, over every play."
    return Card(card_id, title, caption, rows, spec, query=query)


def _skips(ctx: ReportContext) -> Card:
    rows = ctx.query("skip_rate").select("month", "skip_rate", "plays_known")
    caption = (
        "Share of plays skipped per month, among plays whose skip is known (the privacy "
        "export says; recently-played does not)."
    )
    if not any(n for n in rows.column("plays_known")):
        return Card(
            "listening-skips", "Skip rate", caption, rows, query="skip_rate",
            unavailable="No play with a known skip yet: import the privacy export "
            "(`spotify-etl import history`)",
        )  # fmt: skip
    spec = charts.lines(
        rows, "month", ("skip_rate",), x_title="month", y_title="share skipped", temporal=False
    )
    return Card("listening-skips", "Skip rate", caption, rows, spec, query="skip_rate")


def _facts(ctx: ReportContext) -> Card:
    share = ctx.query("followed_playlist_share").records()[0]
    streak = ctx.query("listening_streaks", limit=1).records()
    days = ctx.query("listening_per_day", limit=100_000)
    minutes = sum(m or 0 for m in days.column("minutes"))
    facts = [
        ("plays", f"{share['plays']:,}"),
        ("hours listened", f"{minutes / 60:,.1f}"),
        ("days with plays", f"{len(days):,}"),
    ]
    if streak:
        top = streak[0]
        facts.append(
            ("longest streak", f"{top['days']} days ({top['first_day']} to {top['last_day']})")
        )
    if share["followed_share"] is not None:
        facts.append(("plays from followed playlists", f"{share['followed_share']:.1%}"))
    return Card(
        "listening-facts",
        "Listening at a glance",
        "From PLAY; the playlist share counts plays whose context is known (the API's).",
        Rows(("figure", "value"), tuple(facts)),
        query="followed_playlist_share",
        facts=tuple(facts),
    )


def build(ctx: ReportContext) -> list[Card]:
    if not ctx.table_counts().get("PLAY"):
        return []  # no plays: no section
    return [
        _facts(ctx),
        _heatmap(ctx),
        _ranked(
            ctx, "listening-artists", "Top artists by time", "top_artists_by_time", "artist_name"
        ),
        _ranked(ctx, "listening-songs", "Top songs by time", "top_songs_by_time", "song_name"),
        _skips(ctx),
    ]


SECTION = Section(
    "listening",
    "Listening",
    60,
    build,
    intro="Your plays, from recently-played (`spotify-etl listen`) and the privacy export "
    "(`spotify-etl import history`), each play once.",
)
