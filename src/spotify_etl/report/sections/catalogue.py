"""Catalogue: releases, album types, durations, labels and genres of everything fetched.

Labels and genres are absent in Spotify's development mode (docs/spotify-api.md, "Two
profiles": album `label` absent, artist `genres` deprecated): those cards say so instead of
drawing an empty chart.
"""

from __future__ import annotations

from collections.abc import Callable

from spotify_etl.report import charts
from spotify_etl.report.context import ReportContext
from spotify_etl.report.model import Card, Rows, Section, Spec

DEV_MODE = "Not available in development mode"


def _chart_or_empty(
    card_id: str, title: str, caption: str, rows: Rows, query: str, spec_of: Callable[[Rows], Spec]
) -> Card:
    if not len(rows):
        return Card(
            card_id,
            title,
            caption,
            rows,
            query=query,
            unavailable="No albums with a known release year yet",
        )
    return Card(card_id, title, caption, rows, spec_of(rows), query=query)


def build(ctx: ReportContext) -> list[Card]:
    years = ctx.query("release_year_distribution")
    decades = ctx.query("release_decade_distribution")
    types = ctx.query("album_type_mix")
    durations = ctx.query("duration_trend")
    cards = [
        _chart_or_empty(
            "catalogue-years",
            "Songs by release year",
            "Songs per album release year (albums without a known year left out).",
            years,
            "release_year_distribution",
            lambda r: charts.bar(
                r,
                "release_year",
                "songs",
                category_title="release year",
                value_title="songs",
                tooltip=("albums",),
            ),
        ),
        _chart_or_empty(
            "catalogue-decades",
            "Songs by decade",
            "Share of songs per release decade.",
            decades,
            "release_decade_distribution",
            lambda r: charts.bar(
                r,
                "decade",
                "pct_of_songs",
                category_title="decade",
                value_title="songs (%)",
                tooltip=("songs", "albums"),
            ),
        ),
        _chart_or_empty(
            "catalogue-types",
            "Album type mix",
            "Albums by type (album, single, compilation).",
            types,
            "album_type_mix",
            lambda r: charts.bar(
                r,
                "album_type",
                "albums",
                category_title="album type",
                value_title="albums",
                horizontal=True,
                tooltip=("pct",),
            ),
        ),
        _chart_or_empty(
            "catalogue-durations",
            "Song length by release year",
            "Average song length in minutes per release year.",
            durations,
            "duration_trend",
            lambda r: charts.lines(
                r,
                "release_year",
                ("avg_minutes",),
                temporal=False,
                x_title="release year",
                y_title="minutes",
            ),
        ),
    ]
    labels = ctx.query("songs_per_label", limit=15)
    if ctx.has_field("ALBUM.label"):
        known = Rows(labels.columns, tuple(r for r in labels.rows if r[0] != "(unknown)"))
        cards.append(
            Card(
                "catalogue-labels",
                "Songs per label",
                "Top 15 record labels by songs (albums without a label left out).",
                known,
                charts.bar(
                    known,
                    "label",
                    "songs",
                    category_title="label",
                    value_title="songs",
                    horizontal=True,
                    tooltip=("albums",),
                ),
                query="songs_per_label",
            )
        )
    else:
        cards.append(
            Card(
                "catalogue-labels",
                "Songs per label",
                "Spotify omits album labels for apps in development mode.",
                labels,
                query="songs_per_label",
                unavailable=f"{DEV_MODE}: no album has a label",
            )
        )
    genres = ctx.query("genre_mix", limit=15)
    if len(genres):
        cards.append(
            Card(
                "catalogue-genres",
                "Genres",
                "Top 15 genres by the songs of artists with that genre.",
                genres,
                charts.bar(
                    genres,
                    "genre",
                    "songs",
                    category_title="genre",
                    value_title="songs",
                    horizontal=True,
                    tooltip=("artists",),
                ),
                query="genre_mix",
            )
        )
    else:
        cards.append(
            Card(
                "catalogue-genres",
                "Genres",
                "Spotify's artist genres are deprecated and absent for apps in development mode.",
                genres,
                query="genre_mix",
                unavailable=f"{DEV_MODE}: no artist has genres",
            )
        )
    return cards


SECTION = Section("catalogue", "Catalogue", 40, build)
