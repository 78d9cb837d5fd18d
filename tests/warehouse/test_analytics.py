"""Each named query against the literal dataset in dataset.py, answers worked out by hand."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from spotify_etl.errors import ConfigError
from spotify_etl.storage import LocalStore
from spotify_etl.warehouse import Warehouse, list_queries, load_pending, run_query
from spotify_etl.warehouse.analytics import render
from tests.warehouse.dataset import D1, D2, D3

EXPECTED: dict[str, list[tuple[Any, ...]]] = {
    # ar1 is on s1, s2, s5, s6 (primary on s1, s2, s6); ar2 on s1, s3, s4; ar3 on s5.
    "top_artists_by_songs": [("ar1", "Alpha", 4, 3), ("ar2", "Beta", 3, 2), ("ar3", "Gamma", 1, 1)],
    # ar2's songs fill 9 (playlist, day, position) slots over 3 days, ar1's 6 over 3 days.
    "top_artists_by_playlist_days": [
        ("ar2", "Beta", 3, 9),
        ("ar1", "Alpha", 3, 6),
        ("ar3", "Gamma", 1, 1),
    ],
    # p1: D2 adds s4 drops s3; D3 adds s5 drops s1. p2 unchanged.
    "playlist_entries_exits": [
        ("p1", "Daily Mix", D1, None, None, None),
        ("p1", "Daily Mix", D2, D1, 1, 1),
        ("p1", "Daily Mix", D3, D2, 1, 1),
        ("p2", "Rock Hits", D2, None, None, None),
        ("p2", "Rock Hits", D3, D2, 0, 0),
    ],
    "longest_running_songs": [
        ("s3", "Three", "Beta", 3, 2, D1, D3),
        ("s2", "Two", "Alpha", 3, 1, D1, D3),
        ("s4", "Four", "Beta", 2, 2, D2, D3),
        ("s1", "One", "Alpha", 2, 1, D1, D2),
        ("s5", "Five", "Gamma", 1, 1, D3, D3),
    ],
    # al4 has no release year and is left out.
    "release_year_distribution": [(1999, 1, 3), (2005, 1, 1), (2011, 1, 1)],
    "release_decade_distribution": [(1990, 1, 3, 60.0), (2000, 1, 1, 20.0), (2010, 1, 1, 20.0)],
    "album_type_mix": [("album", 2, 50.0), ("compilation", 1, 25.0), ("single", 1, 25.0)],
    # p1 on D3: s2 (explicit), s4 (explicit), s5 (unknown), a local file; p2: s3 (clean), s4.
    "explicit_share_per_playlist": [
        ("p1", "Daily Mix", D3, 3, 2, 100.0),
        ("p2", "Rock Hits", D3, 2, 1, 50.0),
    ],
    # 1999: (180000 + 240000 + 200000) / 3 ms = 3.444 min.
    "duration_trend": [(1999, 3, 3.44, 4.0), (2005, 1, 3.5, 3.5), (2011, 1, 5.0, 5.0)],
    "artists_on_most_playlists": [
        ("ar2", "Beta", 2, 3),
        ("ar1", "Alpha", 1, 3),
        ("ar3", "Gamma", 1, 1),
    ],
    # D3: s2=50, s4=30 (twice), s3 and s5 unknown -> 110 / 3.
    "popularity_trend": [(D1, 3, 2, 60.0), (D2, 5, 4, 45.0), (D3, 5, 3, 36.7)],
    "genre_mix": [("dance", 1, 4), ("pop", 1, 4), ("rock", 1, 3)],
    "songs_per_label": [("Lab A", 2, 4), ("(unknown)", 2, 2)],
    "profile_coverage": [
        ("ALBUM.label", 4, 2),
        ("ALBUM.popularity", 4, 1),
        ("ARTIST.followers", 3, 1),
        ("ARTIST.genres", 3, 2),
        ("ARTIST.popularity", 3, 2),
        ("SONGS.popularity", 6, 3),
    ],
}


@pytest.fixture
def loaded(wh: Warehouse, dataset_store: LocalStore) -> Warehouse:
    assert load_pending(dataset_store, wh).exit_code == 0
    return wh


def test_there_are_at_least_ten_queries_and_each_has_an_expected_answer() -> None:
    # report.sql and trends.sql have their own tests (tests/report/).
    names = {q.name for q in list_queries() if q.source == "analytics.sql"}
    assert len(names) >= 10
    assert names == set(EXPECTED)
    assert all(q.description for q in list_queries())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_query_answer(loaded: Warehouse, name: str) -> None:
    _columns, rows = run_query(loaded, name)
    assert rows == EXPECTED[name]


def test_limit_parameter_is_bound(loaded: Warehouse) -> None:
    columns, rows = run_query(loaded, "top_artists_by_songs", {"limit": 1})
    assert columns == ["artist_id", "artist_name", "songs", "songs_as_primary"]
    assert rows == [("ar1", "Alpha", 4, 3)]


def test_bad_parameters_and_names_are_config_errors(loaded: Warehouse) -> None:
    with pytest.raises(ConfigError, match="must be an integer"):
        run_query(loaded, "top_artists_by_songs", {"limit": "1; DROP TABLE SONGS"})
    with pytest.raises(ConfigError, match="no parameter"):
        run_query(loaded, "album_type_mix", {"limit": 3})
    with pytest.raises(ConfigError, match="unknown query"):
        run_query(loaded, "nope")


def test_queries_are_null_safe_on_the_development_profile(wh: Warehouse) -> None:
    """No popularity, followers, genres or label anywhere: answers are NULL or empty, no error."""
    for name in EXPECTED:
        run_query(wh, name)  # empty warehouse
    wh.execute(
        "INSERT INTO SONGS (song_id, song_name, first_seen_at, last_seen_at) "
        "VALUES ('s', 'n', TIMESTAMP '2026-01-01', TIMESTAMP '2026-01-01')"
    )
    wh.execute(
        "INSERT INTO PLAYLIST_ITEM (snapshot_date, playlist_id, position, item_type, song_id, "
        "fetched_at) VALUES (DATE '2026-01-01', 'p', 0, 'track', 's', TIMESTAMP '2026-01-01')"
    )
    wh.execute(
        "INSERT INTO ALBUM (album_id, album_name, first_seen_at, last_seen_at) "
        "VALUES ('a', 'x', TIMESTAMP '2026-01-01', TIMESTAMP '2026-01-01')"
    )
    assert run_query(wh, "popularity_trend")[1] == [(date(2026, 1, 1), 1, 0, None)]
    assert run_query(wh, "genre_mix")[1] == []
    assert run_query(wh, "songs_per_label")[1] == [("(unknown)", 1, 0)]
    assert run_query(wh, "explicit_share_per_playlist")[1] == [
        ("p", None, date(2026, 1, 1), 1, 0, None)
    ]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_query_transpiles_to_snowflake(name: str) -> None:
    import sqlglot

    sql = render(name, "snowflake")
    assert sqlglot.parse_one(sql, read="snowflake") is not None
    assert ":limit" not in sql
