"""A synthetic warehouse for the report benchmark and the README screenshot.

`days` daily snapshots of `playlists` playlists holding `items_per_day` / `playlists` songs
each (10,000 playlist items a day by default, 30 days: 300,000 PLAYLIST_ITEM rows), built with
DuckDB SQL straight into the model tables of a migrated warehouse (seconds, no files). Each
slot of a playlist keeps a song for 10-40 days, so churn is steady; planted on top, so every
trend card has something true to show: playlist pl7 replaces 40 songs on day 20 (an anomaly),
"Rising Star" takes slot 0 of 30 playlists for the last week (a riser), and a few songs are
days old when added (new releases). Genres and labels are filled (an extended-profile app).
"""

from __future__ import annotations

from pathlib import Path

from spotify_etl.warehouse import Warehouse, open_warehouse

GENRES = ("pop", "rock", "hip hop", "jazz", "electronic", "indie", "folk", "latin")


def build(
    path: Path, *, days: int = 30, items_per_day: int = 10_000, playlists: int = 200
) -> Warehouse:
    slots = items_per_day // playlists
    songs = playlists * slots * 4 + playlists
    wh = open_warehouse(f"duckdb:///{path}")
    seen = "TIMESTAMP '2026-12-01 06:00:00'"
    start = "DATE '2026-11-01'"
    statements = [
        f"""INSERT INTO ARTIST (artist_id, artist_name, genres, genre_count, followers,
            popularity, first_seen_at, last_seen_at)
            SELECT 'ar' || i, CASE WHEN i = 0 THEN 'Rising Star' ELSE 'Artist ' || i END,
                   NULL, 1, 1000 * i, 10 + i % 90, {seen}, {seen} FROM range(2000) t(i)""",
        f"""INSERT INTO ARTIST_GENRE SELECT 'ar' || i,
            list_extract({list(GENRES)}, 1 + (hash(i) % {len(GENRES)})::INT), {seen}
            FROM range(2000) t(i)""",
        f"""INSERT INTO ALBUM (album_id, album_name, album_type, album_artist_id, release_date,
            release_date_precision, release_year, label, first_seen_at, last_seen_at)
            SELECT 'al' || i, 'Album ' || i,
                   list_extract(['album', 'single', 'compilation'], 1 + (i % 3)::INT),
                   'ar' || (i % 2000), MAKE_DATE(1960 + (hash(i) % 67)::INT, 1, 1), 'day',
                   1960 + (hash(i) % 67)::INT, 'Label ' || (i % 25), {seen}, {seen}
            FROM range({songs // 10 + 1}) t(i)""",
        f"""INSERT INTO SONGS (song_id, song_name, album_id, primary_artist_id, artist_count,
            duration_ms, explicit, popularity, first_seen_at, last_seen_at)
            SELECT 'so' || i, 'Song ' || i, 'al' || (i // 10),
                   'ar' || CASE WHEN i >= {songs - playlists} THEN 0
                                ELSE 1 + hash(i) % 1999 END,
                   1, 120000 + (hash(i * 7) % 240000)::INT, hash(i * 3) % 5 = 0,
                   (hash(i) % 100)::INT, {seen}, {seen}
            FROM range({songs}) t(i)""",
        """INSERT INTO SONG_ARTIST SELECT song_id, 0, primary_artist_id, last_seen_at
           FROM SONGS""",
        f"""INSERT INTO PLAYLIST (playlist_id, playlist_name, total_items, first_seen_at,
            last_seen_at) SELECT 'pl' || p, 'Playlist ' || p, {slots}, {seen}, {seen}
            FROM range({playlists}) t(p)""",
        f"""CREATE TEMP TABLE slot AS SELECT p, k, 10 + (hash(p * 100 + k) % 31)::INT AS life,
            (hash(p * 1000 + k) % 40)::INT AS off
            FROM range({playlists}) t(p), range({slots}) u(k)""",
        f"""CREATE TEMP TABLE held AS SELECT s.p, s.k, d,
            CASE WHEN d >= {days - 7} AND s.k = 0 AND s.p < 30 THEN {songs - playlists} + s.p
                 ELSE (s.p * {slots} + s.k) * 4 + ((d + s.off) // s.life
                      + CASE WHEN s.p = 7 AND d >= 20 AND s.k < 40 THEN 1 ELSE 0 END) % 4
            END AS song, d - (d + s.off) % s.life AS added_day
            FROM slot AS s, range({days}) t(d)""",
        f"""INSERT INTO PLAYLIST_ITEM (snapshot_date, playlist_id, position, item_type, song_id,
            added_at, days_since_release, fetched_at)
            SELECT {start} + d::INT, 'pl' || p, k, 'track', 'so' || song,
                   CAST({start} + GREATEST(added_day, 0)::INT AS TIMESTAMP),
                   CASE WHEN song % 97 = 0 THEN (song % 20)::INT
                        ELSE 200 + (hash(song) % 9000)::INT END,
                   CAST({start} + d::INT AS TIMESTAMP) + INTERVAL 6 HOUR
            FROM held""",
        "DROP TABLE held",
        "DROP TABLE slot",
    ]
    for sql in statements:
        wh.execute(sql)
    return wh
