"""The listening section: from the literal plays of the listening-query test, every chart
holding exactly its table; no plays, no section."""

from __future__ import annotations

from datetime import UTC, datetime

from spotify_etl.report.build import build_report
from spotify_etl.warehouse import Warehouse
from tests.warehouse.plays_data import insert_plays

NOW = datetime(2026, 11, 27, tzinfo=UTC)


def test_the_listening_cards_draw_their_tables(any_wh: Warehouse) -> None:
    """The same cards from DuckDB and from the Snowflake SQL (fakesnow)."""
    report = build_report(insert_plays(any_wh), days=30, now=NOW).report
    assert "listening" in [s.id for s in report.sections]
    heat = report.card("listening-heatmap")
    assert heat.table.rows == (("Mon", 10, 6.3, 2), ("Tue", 22, 0.5, 1), ("Thu", 8, 1.0, 1))
    assert heat.spec is not None and heat.spec["data"]["values"] == heat.table.records()
    artists = report.card("listening-artists")
    assert artists.table.rows == (("Alpha", 3.8, 2), ("Beta", 3.0, 1), ("Zed", 1.0, 1))
    assert artists.spec is not None and artists.spec["data"]["values"] == artists.table.records()
    assert report.card("listening-songs").table.column("song_name") == ["One", "Two", "Zz"]
    assert report.card("listening-skips").table.rows == (("2026-11", 0.333, 3),)
    facts = dict(report.card("listening-facts").facts)
    assert facts["plays"] == "4" and facts["longest streak"].startswith("2 days (2026-11-23")
    assert facts["plays from followed playlists"] == "33.3%"


def test_no_plays_no_listening_section(duck: Warehouse) -> None:
    assert "listening" not in [s.id for s in build_report(duck, days=30, now=NOW).report.sections]
