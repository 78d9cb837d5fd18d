"""A small literal dataset (3 artists, 4 albums, 6 songs, 2 playlists over 3 days).

The analytics tests state their expected answers against it by hand; see test_analytics.py.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from spotify_etl.model import (
    ALBUM,
    ARTIST,
    ARTIST_GENRE,
    PLAYLIST,
    PLAYLIST_ITEM,
    SONG_ARTIST,
    SONGS,
    Table,
)
from tests.warehouse.filegen import write_csv

D1, D2, D3 = date(2026, 11, 22), date(2026, 11, 23), date(2026, 11, 24)
FETCHED = datetime(2026, 11, 24, 6, 0, 0, 123456)

Row = dict[str, Any]

ARTISTS: list[Row] = [
    {
        "artist_id": "ar1",
        "artist_name": "Alpha",
        "genres": ["pop", "dance"],
        "genre_count": 2,
        "followers": 1000,
        "popularity": 80,
    },
    {
        "artist_id": "ar2",
        "artist_name": "Beta",
        "genres": ["rock"],
        "genre_count": 1,
        "popularity": 50,
    },
    {"artist_id": "ar3", "artist_name": "Gamma"},
]
ARTIST_GENRES: list[Row] = [
    {"artist_id": "ar1", "genre": "pop"},
    {"artist_id": "ar1", "genre": "dance"},
    {"artist_id": "ar2", "genre": "rock"},
]
ALBUMS: list[Row] = [
    {
        "album_id": "al1",
        "album_name": "First",
        "album_type": "album",
        "album_artist_id": "ar1",
        "release_date": date(1999, 5, 1),
        "release_date_precision": "day",
        "release_year": 1999,
        "release_month": 5,
        "total_tracks": 3,
        "label": "Lab A",
        "popularity": 60,
    },
    {
        "album_id": "al2",
        "album_name": "Second",
        "album_type": "single",
        "album_artist_id": "ar2",
        "release_date_precision": "year",
        "release_year": 2005,
        "total_tracks": 1,
    },
    {
        "album_id": "al3",
        "album_name": 'Third, "the" one',
        "album_type": "album",
        "album_artist_id": "ar3",
        "release_date_precision": "month",
        "release_year": 2011,
        "release_month": 3,
        "total_tracks": 1,
        "label": "Lab A",
        "upc": "",
    },
    {
        "album_id": "al4",
        "album_name": "Fourth",
        "album_type": "compilation",
        "album_artist_id": "ar1",
        "total_tracks": 1,
    },
]
SONG_ROWS: list[Row] = [
    {
        "song_id": "s1",
        "song_name": "One",
        "album_id": "al1",
        "primary_artist_id": "ar1",
        "artist_count": 2,
        "duration_ms": 180000,
        "explicit": False,
        "popularity": 70,
    },
    {
        "song_id": "s2",
        "song_name": "Two",
        "album_id": "al1",
        "primary_artist_id": "ar1",
        "artist_count": 1,
        "duration_ms": 240000,
        "explicit": True,
        "popularity": 50,
    },
    {
        "song_id": "s3",
        "song_name": "Three",
        "album_id": "al1",
        "primary_artist_id": "ar2",
        "artist_count": 1,
        "duration_ms": 200000,
        "explicit": False,
    },
    {
        "song_id": "s4",
        "song_name": "Four",
        "album_id": "al2",
        "primary_artist_id": "ar2",
        "artist_count": 1,
        "duration_ms": 210000,
        "explicit": True,
        "popularity": 30,
    },
    {
        "song_id": "s5",
        "song_name": "Five",
        "album_id": "al3",
        "primary_artist_id": "ar3",
        "artist_count": 2,
        "duration_ms": 300000,
    },
    {
        "song_id": "s6",
        "song_name": "Six",
        "album_id": "al4",
        "primary_artist_id": "ar1",
        "artist_count": 1,
        "duration_ms": 150000,
        "explicit": False,
    },
]
SONG_ARTISTS: list[Row] = [
    {"song_id": s, "artist_position": p, "artist_id": a}
    for s, p, a in [
        ("s1", 0, "ar1"),
        ("s1", 1, "ar2"),
        ("s2", 0, "ar1"),
        ("s3", 0, "ar2"),
        ("s4", 0, "ar2"),
        ("s5", 0, "ar3"),
        ("s5", 1, "ar1"),
        ("s6", 0, "ar1"),
    ]
]
PLAYLISTS: list[Row] = [
    {"playlist_id": "p1", "playlist_name": "Daily Mix", "owner_id": "u1", "is_public": True},
    {"playlist_id": "p2", "playlist_name": "Rock Hits", "owner_id": "u2", "is_public": False},
]
SNAPSHOTS: dict[date, dict[str, list[str | None]]] = {
    D1: {"p1": ["s1", "s2", "s3"]},
    D2: {"p1": ["s1", "s2", "s4"], "p2": ["s3", "s4"]},
    D3: {"p1": ["s2", "s4", "s5", None], "p2": ["s3", "s4"]},
}


def playlist_items(day: date) -> list[Row]:
    rows = []
    for playlist, songs in SNAPSHOTS[day].items():
        for pos, song in enumerate(songs):
            rows.append(
                {
                    "snapshot_date": day,
                    "playlist_id": playlist,
                    "position": pos,
                    "item_type": "track" if song else "local",
                    "song_id": song,
                    "added_at": datetime(2026, 11, 1, 12, 0, 0),
                    "fetched_at": datetime.combine(day, FETCHED.time()),
                }
            )
    return rows


DIMENSIONS: list[tuple[Table, list[Row]]] = [
    (ARTIST, ARTISTS),
    (ARTIST_GENRE, ARTIST_GENRES),
    (ALBUM, ALBUMS),
    (SONGS, SONG_ROWS),
    (SONG_ARTIST, SONG_ARTISTS),
    (PLAYLIST, PLAYLISTS),
]


def stamped(rows: list[Row], fetched: datetime = FETCHED) -> list[Row]:
    return [{"fetched_at": fetched, **r} for r in rows]


def write_dataset(root: Path) -> None:
    """Dimensions in the last day's folder, one PLAYLIST_ITEM file per day."""
    for table, rows in DIMENSIONS:
        write_csv(root, table, D3.isoformat(), stamped(rows))
    for day in SNAPSHOTS:
        write_csv(root, PLAYLIST_ITEM, day.isoformat(), playlist_items(day))
