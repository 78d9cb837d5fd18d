"""The data behind every chart, exactly, for the literal warehouse of tests/warehouse/dataset.py
(3 artists, 4 albums, 6 songs, 2 playlists over D1..D3; its answers are worked out in
tests/warehouse/test_analytics.py), and the same report from the Snowflake SQL (fakesnow)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from spotify_etl.report import build_report, read_lake
from spotify_etl.report.build import BuiltReport
from spotify_etl.report.model import Card
from spotify_etl.storage import LocalStore
from spotify_etl.warehouse import Warehouse, load_pending
from tests.warehouse.dataset import D1, D2, D3, write_dataset

NOW = datetime(2026, 11, 24, 7, 0)
d1, d2, d3 = D1.isoformat(), D2.isoformat(), D3.isoformat()

EXPECTED: dict[str, list[tuple[Any, ...]]] = {
    "overview-tables": [
        ("ALBUM", 4),
        ("ARTIST", 3),
        ("ARTIST_GENRE", 3),
        ("SONGS", 6),
        ("SONG_ARTIST", 8),
        ("PLAYLIST", 2),
        ("PLAYLIST_ITEM", 14),
        ("SHOWS", 0),  # a table with no rows yet is shown as such
        ("EPISODE", 0),
        ("PLAY", 0),
    ],
    # p1 alone on D1; p1 + p2 after. D3: p1 has a local file (an item, not a song).
    "playlists-items": [(d1, 3, 3, 1), (d2, 5, 5, 2), (d3, 6, 5, 2)],
    "playlists-moves": [(d1, None, None), (d2, 1, 1), (d3, 1, 1)],
    # exits / previous snapshots' songs: D2 1/3 (p2 has no previous), D3 (1 + 0) / (3 + 2).
    "playlists-churn": [(d1, None), (d2, 33.3), (d3, 20.0)],
    "playlists-explicit": [("Daily Mix", 3, 2, 100.0), ("Rock Hits", 2, 1, 50.0)],
    "playlists-busiest": [
        ("p1", "Daily Mix", 3, 3, 2, 2, 4, 33.3),
        ("p2", "Rock Hits", 2, 2, 0, 0, 0, 0.0),
    ],
    "artists-songs": [("Alpha", 4, 3), ("Beta", 3, 2), ("Gamma", 1, 1)],
    "artists-days": [("Beta", 3, 9), ("Alpha", 3, 6), ("Gamma", 1, 1)],
    "artists-playlists": [("Beta", 2, 3), ("Alpha", 1, 3), ("Gamma", 1, 1)],
    "catalogue-years": [(1999, 1, 3), (2005, 1, 1), (2011, 1, 1)],
    "catalogue-decades": [(1990, 1, 3, 60.0), (2000, 1, 1, 20.0), (2010, 1, 1, 20.0)],
    "catalogue-types": [("album", 2, 50.0), ("compilation", 1, 25.0), ("single", 1, 25.0)],
    "catalogue-durations": [(1999, 3, 3.44, 4.0), (2005, 1, 3.5, 3.5), (2011, 1, 5.0, 5.0)],
    "catalogue-labels": [("Lab A", 2, 4)],  # '(unknown)' is not a label
    "catalogue-genres": [("dance", 1, 4), ("pop", 1, 4), ("rock", 1, 3)],
}

# Cards that say why there is no chart (never an empty chart), and what they say.
UNAVAILABLE = {
    "playlists-age": "No add dates with day-precision release dates",
    "trends-artists": "Nothing rising or falling",
    "trends-churn": "No churn anomaly",
    "trends-genres": "No genre share moved",
    "trends-releases": "No new release entered",
}


def _numbers(rows: tuple[tuple[Any, ...], ...]) -> list[tuple[Any, ...]]:
    from decimal import Decimal

    return [tuple(float(v) if isinstance(v, Decimal) else v for v in r) for r in rows]


def _check(built: BuiltReport) -> None:
    cards = {c.id: c for c in built.report.cards}
    for card_id, rows in EXPECTED.items():
        card = cards[card_id]
        assert _numbers(card.table.rows) == rows, card_id
        assert card.spec is not None, card_id
        # The chart draws exactly the table shown under it.
        assert card.spec["data"]["values"] == card.table.records(), card_id
    for card_id, text in UNAVAILABLE.items():
        assert cards[card_id].spec is None and text in (cards[card_id].unavailable or "")


def test_every_chart_holds_exactly_its_table(literal: Warehouse) -> None:
    built = build_report(literal, days=30, now=NOW)
    _check(built)
    assert [s.id for s in built.report.sections] == [
        "overview",
        "playlists",
        "artists",
        "catalogue",
        "trends",
    ]
    facts = dict(built.report.card("overview-facts").facts)
    assert facts["snapshot days"] == "3"
    assert (facts["first day"], facts["last day"]) == (d1, d3)
    assert facts["playlists on the last day"] == "2"


def test_the_same_report_from_a_loaded_duckdb_and_the_snowflake_sql(
    tmp_path: Path, any_wh: Warehouse
) -> None:
    root = tmp_path / "t"
    root.mkdir()
    write_dataset(root)
    assert load_pending(LocalStore(root), any_wh).exit_code == 0
    _check(build_report(any_wh, days=30, now=NOW))


def test_days_bounds_the_playlist_window(literal: Warehouse) -> None:
    built = build_report(literal, days=2, now=NOW)
    assert built.report.card("playlists-items").table.rows == ((d2, 5, 5, 2), (d3, 6, 5, 2))


def test_development_profile_cards_say_not_available(duck: Warehouse) -> None:
    """No labels, no genres (development mode): a card says so instead of an empty chart."""
    duck.execute(
        "INSERT INTO ALBUM (album_id, album_name, release_year, first_seen_at, last_seen_at) "
        "VALUES ('a', 'x', 2020, TIMESTAMP '2026-01-01', TIMESTAMP '2026-01-01')"
    )
    built = build_report(duck, days=30, now=NOW)
    for card_id in ("catalogue-labels", "catalogue-genres", "trends-genres"):
        card: Card = built.report.card(card_id)
        assert card.spec is None
        assert (card.unavailable or "").startswith("Not available in development mode"), card_id
    assert built.report.card("playlists-items").unavailable is not None  # no snapshots yet


def test_overview_counts_runs_requests_and_quarantine_from_the_lake(
    literal: Warehouse, tmp_path: Path
) -> None:
    raw, out = LocalStore(tmp_path / "lake"), LocalStore(tmp_path / "out")
    for run, used in (("20261123T060000Z-aaaaaaaa", 900), ("20261124T060000Z-bbbbbbbb", 40)):
        manifest = {"run_id": run, "outcome": "complete", "budget": {"used": used, "limit": 2000}}
        key = f"raw/_runs/dt={run[:4]}-{run[4:6]}-{run[6:8]}/run={run}/manifest.json"
        raw.put(key, json.dumps(manifest).encode())
    out.put(
        "_batches/dt=2026-11-24/b1.json",
        b'{"tables": {"songs": {"rows_quarantined": 2}, "album": {"rows_quarantined": 0}}}',
    )
    built = build_report(literal, days=30, lake=read_lake(raw, out), now=NOW)
    facts = dict(built.report.card("overview-facts").facts)
    assert facts["last run"] == "20261124T060000Z-bbbbbbbb (complete)"
    assert (facts["requests, last run"], facts["requests, 2 runs"]) == ("40", "940")
    assert facts["rows quarantined"] == "2"
    assert built.report.card("overview-quarantine").table.rows == (("2026-11-24", "SONGS", 2),)
    assert built.report.card("overview-runs").table.column("requests_used") == [900, 40]
