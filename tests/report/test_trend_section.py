"""The report's trend section (and the charts the small literal warehouse cannot show: track
age at add time, listening) from trend_data.write_trending, where the riser, faller, anomaly,
genre shift and new releases are known: the data behind each trend chart exactly, each caption
stating its rule, and every chart drawn in headless Chromium with no script error.

test_report_data.py's warehouse has too few days for any trend, so there these cards only say
why they are empty; this file is where the trend charts themselves are checked.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from spotify_etl.report import build_report, write_file
from spotify_etl.report.sections.trends import rule
from spotify_etl.warehouse import Warehouse
from tests.report import browser
from tests.report.test_page import _status
from tests.report.trend_data import D, write_trending
from tests.warehouse.plays_data import PLAYS, T0

NOW = datetime(2026, 10, 29, 7, 0)
d = [day.isoformat() for day in D]

# The rows trend_data's docstring works out, as the cards show them.
TABLES: dict[str, list[tuple[Any, ...]]] = {
    "trends-artists": [
        ("Riser", "rising", 200.0, 3.0, 1.0, 21, 21),
        ("Faller", "falling", -50.0, 2.0, 4.0, 14, 84),
    ],
    "trends-churn": [("Charts", d[21], 4, 0.0, 0.0, 4.0)],
    "trends-genres": [("jazz", "losing", -20.0, 20.0, 40.0), ("rock", "gaining", 20.0, 30.0, 10.0)],
    "trends-releases": [
        (d[21], "Charts", "R2", "Riser", d[18], 2),
        (d[21], "Charts", "R3", "Riser", d[18], 2),
    ],
}
LISTENING_CHARTS = ("listening-heatmap", "listening-artists", "listening-songs", "listening-skips")
QUERIES = {
    "trends-artists": "trend_artists",
    "trends-churn": "trend_churn_anomalies",
    "trends-genres": "trend_genre_shifts",
    "trends-releases": "trend_new_releases",
}


def _numbers(rows: tuple[tuple[Any, ...], ...]) -> list[tuple[Any, ...]]:
    """fakesnow returns Decimals where DuckDB returns floats: compare as numbers."""
    return [tuple(float(v) if isinstance(v, Decimal) else v for v in r) for r in rows]


def test_each_trend_card_shows_what_was_planted(any_wh: Warehouse) -> None:
    write_trending(any_wh)
    report = build_report(any_wh, days=30, now=NOW).report
    for card_id, rows in TABLES.items():
        card = report.card(card_id)
        assert _numbers(card.table.rows) == rows, card_id
        assert card.spec is not None and card.query == QUERIES[card_id], card_id
        # The caption states the window and threshold the query ran with.
        for name, value in rule(QUERIES[card_id]).items():
            assert str(value) in card.caption, (card_id, name, value)
    for card_id in ("trends-artists", "trends-genres", "trends-releases"):
        spec = report.card(card_id).spec
        assert spec is not None and spec["data"]["values"] == report.card(card_id).table.records()
    # The churn chart draws every day's changes (p2 swaps one song a day: 2 changes; D21
    # adds p1's 4) and marks the anomaly's day alone.
    churn = report.card("trends-churn").spec
    assert churn is not None
    drawn = [(r["snapshot_date"], r["changes"], r["anomaly"]) for r in churn["data"]["values"]]
    assert drawn == [(d[i], 6 if i == 21 else 2, i == 21) for i in range(1, 28)]
    # Track age at add time: all songs 6117 days old on D0; on D27 r2 and r3 are 2 days old
    # and the rotation's o27..o29 were added on D25..D27 (6142..6144 days).
    age = report.card("playlists-age")
    assert age.spec is not None
    assert _numbers((age.table.rows[0], age.table.rows[-1])) == [
        (d[0], 10, 6117.0, 6117.0, 6117.0),
        (d[27], 10, 6117.0, 6117.0, 6135.75),
    ]


def test_an_empty_catalogue_card_names_what_it_lacks(duck: Warehouse) -> None:
    """trend_data's songs have release years but no lengths: the duration card says so, and
    does not claim the release years are missing (the years chart is drawn)."""
    write_trending(duck)
    report = build_report(duck, days=30, now=NOW).report
    assert report.card("catalogue-years").spec is not None
    durations = report.card("catalogue-durations")
    assert durations.spec is None and "known length" in (durations.unavailable or "")


def _with_plays(wh: Warehouse) -> Warehouse:
    """trend_data's warehouse plus the literal plays, so the listening section is drawn too."""
    for row in PLAYS:
        wh.execute(
            "INSERT INTO PLAY (played_at, song_id, ms_played, context_type, context_uri, "
            "skipped, track_name, artist_name, source, fetched_at) "
            f"VALUES (CAST(? AS TIMESTAMP), ?, ?, ?, ?, ?, ?, ?, ?, {T0})",
            list(row),
        )
    return wh


def test_trend_and_listening_charts_draw_in_headless_chromium(
    duck: Warehouse, tmp_path: Path
) -> None:
    write_trending(duck)
    built = build_report(_with_plays(duck), days=30, now=NOW)
    cards = [c for s in built.report.sections if s.id in ("trends", "listening") for c in s.cards]
    shown = [c.id for c in cards if c.spec is not None]
    assert set(shown) == {*TABLES, *LISTENING_CHARTS}
    dom = browser.dump_dom(write_file(tmp_path / "report.html", built.html))
    charts = sum(c.spec is not None for c in built.report.cards)
    assert _status(dom) == {
        "state": "done",
        "charts": str(charts),
        "drawn": str(charts),
        "errors": "0",
    }
    # Each of them (a layered line, diverging and counted bars, a heatmap) drew SVG marks.
    for card_id in (*shown, "playlists-age"):
        assert re.search(rf'id="chart-{card_id}"[^>]*data-rendered="[1-9]', dom), card_id
