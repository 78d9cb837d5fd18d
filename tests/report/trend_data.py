"""Literal warehouses for the trend queries: one where the riser, faller, anomaly, genre shift
and new releases are known by construction, and one where nothing trends.

28 snapshot days D[0]..D[27]; with the default rules the recent window is D[21]..D[27] and the
baseline D[0]..D[20].

Trending:
- p1 "Charts": D0-D20 holds s1, s2 (Steady), r1 (Riser), f1-f4 (Faller); from D21 it holds
  s1, s2, r1, r2, r3 (Riser), f1, f2: Riser 1 -> 3 appearances a day (+200 %), Faller 4 -> 2
  (-50 %, exactly the threshold), Steady 2 -> 2. On D21, 2 songs enter and 2 leave after 14
  quiet days: robust z = (4 - 0) / max(1.4826 x 0, 1) = 4.0 >= 3.5, the one anomaly.
- p2 "Rotation": three songs by Rotor, one swapped every day (2 changes a day, never unusual);
  Rotor stays at 3 appearances a day.
- p3 "Once": Tiny's only song on D3 alone (1 appearance: below the support of 3).
- Genres: Steady and Rotor pop, Riser rock, Faller jazz. Per day 10 genre appearances in both
  windows: pop 5 -> 5 (50 % -> 50 %), rock 1 -> 3 (10 % -> 30 %), jazz 4 -> 2 (40 % -> 20 %).
- r2 and r3 were released on D18 and added on D20 (2 days old), entering p1 on D21: the new
  releases. Rotation songs are from 2010.

Flat: p1 holds s1, s2 every day; p2 rotates with 1 or 2 swaps on alternate days; same genres.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from spotify_etl.warehouse import Warehouse

D = [date(2026, 10, 1) + timedelta(days=i) for i in range(28)]
SEEN = datetime(2026, 10, 28, 6, 0)

ARTISTS = {"ar-s": "Steady", "ar-r": "Riser", "ar-f": "Faller", "ar-o": "Rotor", "ar-t": "Tiny"}
GENRES = {"ar-s": "pop", "ar-o": "pop", "ar-r": "rock", "ar-f": "jazz"}


def _insert(wh: Warehouse, table: str, rows: list[dict[str, Any]]) -> None:
    """All rows in one statement (fakesnow transpiles each statement: one, not hundreds)."""
    cols = list(rows[0])
    marks = "(" + ", ".join("?" for _ in cols) + ")"
    values = ", ".join(marks for _ in rows)
    params = [row[c] for row in rows for c in cols]
    wh.execute(f"INSERT INTO {table} ({', '.join(cols)}) VALUES {values}", params)


def _songs(songs: dict[str, tuple[str, str]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """song id -> (artist id, album id)."""
    rows, links = [], []
    for song, (artist, album) in songs.items():
        rows.append(
            {
                "song_id": song,
                "song_name": song.upper(),
                "album_id": album,
                "primary_artist_id": artist,
                "explicit": False,
                "first_seen_at": SEEN,
                "last_seen_at": SEEN,
            }
        )
        links.append(
            {"song_id": song, "artist_position": 0, "artist_id": artist, "fetched_at": SEEN}
        )
    return rows, links


def _write(
    wh: Warehouse, snapshots: dict[date, dict[str, list[str]]], songs: dict[str, tuple[str, str]]
) -> None:
    _insert(
        wh,
        "ARTIST",
        [
            {"artist_id": a, "artist_name": n, "first_seen_at": SEEN, "last_seen_at": SEEN}
            for a, n in ARTISTS.items()
        ],
    )
    _insert(
        wh,
        "ARTIST_GENRE",
        [{"artist_id": a, "genre": g, "fetched_at": SEEN} for a, g in GENRES.items()],
    )
    _insert(
        wh,
        "ALBUM",
        [
            {
                "album_id": "al-new",
                "album_name": "New",
                "release_date": D[18],
                "release_date_precision": "day",
                "release_year": 2026,
                "first_seen_at": SEEN,
                "last_seen_at": SEEN,
            },
            {
                "album_id": "al-old",
                "album_name": "Old",
                "release_date": date(2010, 1, 1),
                "release_date_precision": "day",
                "release_year": 2010,
                "first_seen_at": SEEN,
                "last_seen_at": SEEN,
            },
        ],
    )
    song_rows, links = _songs(songs)
    _insert(wh, "SONGS", song_rows)
    _insert(wh, "SONG_ARTIST", links)
    names = {"p1": "Charts", "p2": "Rotation", "p3": "Once"}
    _insert(
        wh,
        "PLAYLIST",
        [
            {"playlist_id": p, "playlist_name": n, "first_seen_at": SEEN, "last_seen_at": SEEN}
            for p, n in names.items()
        ],
    )
    added: dict[tuple[str, str], date] = {}
    items = []
    for day in sorted(snapshots):
        for playlist, ids in snapshots[day].items():
            for position, song in enumerate(ids):
                when = added.setdefault((playlist, song), D[20] if song in ("r2", "r3") else day)
                age = (when - (D[18] if songs[song][1] == "al-new" else date(2010, 1, 1))).days
                items.append(
                    {
                        "snapshot_date": day,
                        "playlist_id": playlist,
                        "position": position,
                        "item_type": "track",
                        "song_id": song,
                        "added_at": datetime.combine(when, datetime.min.time()),
                        "days_since_release": age,
                        "fetched_at": SEEN,
                    }
                )
    _insert(wh, "PLAYLIST_ITEM", items)


def _rotation(i: int, swaps_of: int = 1) -> list[str]:
    """Three of the Rotor songs o0..o59, moving on by `swaps_of` songs a day."""
    return [f"o{(i * swaps_of + k) % 60}" for k in range(3)]


def _rotor_songs() -> dict[str, tuple[str, str]]:
    return {f"o{k}": ("ar-o", "al-old") for k in range(60)}


def write_trending(wh: Warehouse) -> None:
    songs = {
        "s1": ("ar-s", "al-old"),
        "s2": ("ar-s", "al-old"),
        "r1": ("ar-r", "al-old"),
        "r2": ("ar-r", "al-new"),
        "r3": ("ar-r", "al-new"),
        "f1": ("ar-f", "al-old"),
        "f2": ("ar-f", "al-old"),
        "f3": ("ar-f", "al-old"),
        "f4": ("ar-f", "al-old"),
        "t1": ("ar-t", "al-old"),
        **_rotor_songs(),
    }
    snapshots: dict[date, dict[str, list[str]]] = {}
    for i, day in enumerate(D):
        p1 = (
            ["s1", "s2", "r1", "f1", "f2", "f3", "f4"]
            if i < 21
            else ["s1", "s2", "r1", "r2", "r3", "f1", "f2"]
        )
        snapshots[day] = {"p1": p1, "p2": _rotation(i)}
        if i == 3:
            snapshots[day]["p3"] = ["t1"]
    _write(wh, snapshots, songs)


def write_flat(wh: Warehouse) -> None:
    songs = {"s1": ("ar-s", "al-old"), "s2": ("ar-s", "al-old"), **_rotor_songs()}
    snapshots: dict[date, dict[str, list[str]]] = {}
    position = 0
    for i, day in enumerate(D):
        position += 1 if i % 2 else 2  # 1 or 2 songs swapped, alternately
        snapshots[day] = {"p1": ["s1", "s2"], "p2": [f"o{(position + k) % 60}" for k in range(3)]}
    _write(wh, snapshots, songs)
