"""The V_* views for BI tools: a stable contract (names and columns pinned here), created by
the migration on DuckDB and by the Snowflake deployment SQL (run here by fakesnow), documented
in the README, with answers on trend_data's literal warehouse worked out by hand.

The report's queries read V_PLAYLIST_DAY, V_ARTIST_DAY and V_PLAYLIST_SONG (tests/report);
V_GENRE_DAY and V_SONG are read by BI tools only, so this file is what checks them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from spotify_etl.warehouse import Warehouse
from spotify_etl.warehouse.views import list_views
from tests.report.conftest import any_wh
from tests.report.trend_data import SEEN, D, write_trending

__all__ = ["any_wh"]

REPO = Path(__file__).resolve().parents[2]

# A BI tool's saved report breaks when one of these changes: change them on purpose only.
COLUMNS: dict[str, tuple[str, ...]] = {
    "V_PLAYLIST_DAY": (
        "playlist_id", "playlist_name", "snapshot_date", "previous_snapshot", "items", "songs",
        "episodes", "local_files", "entries", "exits", "previous_songs", "churn_pct",
        "explicit_songs", "songs_explicit_known", "explicit_pct", "median_days_since_release",
    ),
    "V_PLAYLIST_SONG": (
        "playlist_id", "playlist_name", "song_id", "song_name", "primary_artist_id",
        "primary_artist_name", "album_id", "album_name", "release_date", "release_year",
        "explicit", "first_day", "last_day", "days_on_playlist", "best_position",
        "first_added_at", "days_since_release_at_add", "on_latest_snapshot",
    ),
    "V_ARTIST_DAY": (
        "artist_id", "artist_name", "snapshot_date", "playlists", "songs", "appearances",
    ),
    "V_GENRE_DAY": ("genre", "snapshot_date", "artists", "appearances", "share_pct"),
    "V_SONG": (
        "song_id", "song_name", "primary_artist_id", "primary_artist_name", "artist_count",
        "album_id", "album_name", "album_type", "label", "release_date", "release_year",
        "release_decade", "duration_ms", "duration_minutes", "explicit", "isrc", "popularity",
        "first_seen_at", "last_seen_at",
    ),
}  # fmt: skip


def _rows(wh: Warehouse, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """fakesnow returns Decimals where DuckDB returns floats: compare as numbers."""
    _cols, rows = wh.execute(sql, params)
    return [tuple(float(v) if isinstance(v, Decimal) else v for v in r) for r in rows]


def test_every_view_exists_with_its_pinned_columns(any_wh: Warehouse) -> None:
    assert [v.name for v in list_views()] == list(COLUMNS)
    for name, columns in COLUMNS.items():
        found, _rows = any_wh.execute(f"SELECT * FROM {name} LIMIT 0")
        assert tuple(c.lower() for c in found) == columns, name


def test_the_deployment_sql_and_the_readme_name_every_view() -> None:
    deployed = (REPO / "infra" / "snowflake" / "09_views.sql").read_text(encoding="utf-8")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for view in list_views():
        assert deployed.count(f"CREATE OR REPLACE VIEW {view.name} AS ") == 1, view.name
        assert f"| `{view.name}` |" in readme, view.name  # the README's table of views
        assert view.grain and view.description, view.name


def test_genre_day_shares(any_wh: Warehouse) -> None:
    """Per day 10 appearances of artists with a genre: pop 5 (Steady 2, Rotor 3) throughout;
    rock (Riser) 1 -> 3 and jazz (Faller) 4 -> 2 from D21. Tiny has no genre and no share."""
    write_trending(any_wh)
    got = _rows(
        any_wh,
        "SELECT genre, snapshot_date, artists, appearances, share_pct FROM V_GENRE_DAY "
        "WHERE snapshot_date IN (?, ?) ORDER BY snapshot_date, genre",
        [D[3], D[27]],
    )
    assert got == [
        ("jazz", D[3], 1, 4, 40.0),
        ("pop", D[3], 2, 5, 50.0),
        ("rock", D[3], 1, 1, 10.0),
        ("jazz", D[27], 1, 2, 20.0),
        ("pop", D[27], 2, 5, 50.0),
        ("rock", D[27], 1, 3, 30.0),
    ]


def test_song_and_playlist_song_rows(any_wh: Warehouse) -> None:
    write_trending(any_wh)
    song = _rows(
        any_wh,
        "SELECT song_id, primary_artist_name, album_name, release_date, release_year, "
        "release_decade, duration_minutes, explicit, first_seen_at FROM V_SONG "
        "WHERE song_id = 'r2'",
    )
    assert song == [("r2", "Riser", "New", D[18], 2026, 2020, None, False, SEEN)]
    # f3 left p1 after D20; r2 entered on D21 at position 3 (best_position is 1-based), added
    # on D20 two days after its release, and is still on the latest snapshot.
    spans = _rows(
        any_wh,
        "SELECT song_id, first_day, last_day, days_on_playlist, best_position, "
        "first_added_at, days_since_release_at_add, on_latest_snapshot FROM V_PLAYLIST_SONG "
        "WHERE playlist_id = 'p1' AND song_id IN ('f3', 'r2') ORDER BY song_id",
    )
    assert spans == [
        ("f3", D[0], D[20], 21, 6, datetime.combine(D[0], datetime.min.time()), 6117, False),
        ("r2", D[21], D[27], 7, 4, datetime.combine(D[20], datetime.min.time()), 2, True),
    ]
    assert D[0] == date(2026, 10, 1)  # 6117 days after 2010-01-01
