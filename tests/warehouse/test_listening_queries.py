"""The listening queries on a literal handful of plays, answers worked out by hand."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from spotify_etl.warehouse import Warehouse, list_queries, run_query
from spotify_etl.warehouse.analytics import render
from tests.warehouse.plays_data import insert_plays


@pytest.fixture
def plays(wh: Warehouse) -> Warehouse:
    return insert_plays(wh)


EXPECTED: dict[str, list[tuple[Any, ...]]] = {
    # Monday 10h: s1 200000 ms + s2 (API, no ms_played: its duration 180000) = 6.3 min
    "listening_heatmap": [(1, 10, 2, 6.3), (2, 22, 1, 0.5), (4, 8, 1, 1.0)],
    "listening_per_day": [
        (date(2026, 11, 26), 1, 1.0),
        (date(2026, 11, 24), 1, 0.5),
        (date(2026, 11, 23), 2, 6.3),
    ],
    # s3 is not in SONGS yet: its play carries the artist's name
    "top_artists_by_time": [("ar1", "Alpha", 2, 3.8), ("ar2", "Beta", 1, 3.0), ("", "Zed", 1, 1.0)],
    "top_songs_by_time": [
        ("s1", "One", 2, 1, 3.8),
        ("s2", "Two", 1, 0, 3.0),
        ("s3", "Zz", 1, 0, 1.0),
    ],
    # the API-only play does not say whether it was skipped
    "skip_rate": [("2026-11", 3, 1, 0.333)],
    "listening_streaks": [
        (date(2026, 11, 23), date(2026, 11, 24), 2),
        (date(2026, 11, 26), date(2026, 11, 26), 1),
    ],
    # 3 plays with a context, 2 from playlists, 1 from a tracked one (pl1)
    "followed_playlist_share": [(4, 3, 2, 1, 0.333)],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_listening_query_answer(plays: Warehouse, name: str) -> None:
    _columns, rows = run_query(plays, name)
    assert [tuple(float(v) if hasattr(v, "as_tuple") else v for v in r) for r in rows] == EXPECTED[
        name
    ]


EMPTY: dict[str, list[tuple[Any, ...]]] = {name: [] for name in EXPECTED}
EMPTY["followed_playlist_share"] = [(0, 0, 0, 0, None)]


def test_every_listening_query_is_in_listening_sql_and_safe_on_an_empty_warehouse(
    wh: Warehouse,
) -> None:
    assert {q.name for q in list_queries() if q.source == "listening.sql"} == set(EXPECTED)
    for name, answer in EMPTY.items():
        assert run_query(wh, name)[1] == answer


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_listening_query_transpiles_to_snowflake(name: str) -> None:
    import sqlglot

    sql = render(name, "snowflake")
    assert sqlglot.parse_one(sql, read="snowflake") is not None and ":limit" not in sql
