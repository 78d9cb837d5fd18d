"""A literal handful of plays (and their songs, artists and a playlist) for query tests."""

from __future__ import annotations

from spotify_etl.warehouse import Warehouse

T0 = "TIMESTAMP '2026-01-01'"
PL1, PLX, AL1 = "spotify:playlist:pl1", "spotify:playlist:plX", "spotify:album:al1"
PLAYS = [
    # played_at, song, ms_played, context_type, context_uri, skipped, track, artist, source
    ("2026-11-23 10:05:00", "s1", 200000, "playlist", PL1, False, None, None, "api+export"),
    ("2026-11-23 10:30:00", "s2", None, "playlist", PLX, None, None, None, "api"),
    ("2026-11-24 22:00:00", "s1", 30000, "album", AL1, True, None, None, "export"),
    ("2026-11-26 08:00:00", "s3", 60000, None, None, False, "Zz", "Zed", "export"),
]  # fmt: skip


def insert_plays(wh: Warehouse) -> Warehouse:
    for song, name, ms, artist in (("s1", "One", 200000, "ar1"), ("s2", "Two", 180000, "ar2")):
        wh.execute(
            "INSERT INTO SONGS (song_id, song_name, duration_ms, primary_artist_id, first_seen_at, "
            f"last_seen_at) VALUES (?, ?, ?, ?, {T0}, {T0})",
            [song, name, ms, artist],
        )
    for artist, name in (("ar1", "Alpha"), ("ar2", "Beta")):
        wh.execute(
            "INSERT INTO ARTIST (artist_id, artist_name, first_seen_at, last_seen_at) "
            f"VALUES (?, ?, {T0}, {T0})",
            [artist, name],
        )
    wh.execute(
        "INSERT INTO PLAYLIST (playlist_id, playlist_name, first_seen_at, last_seen_at) "
        f"VALUES ('pl1', 'Mine', {T0}, {T0})"
    )
    for row in PLAYS:
        wh.execute(
            "INSERT INTO PLAY (played_at, song_id, ms_played, context_type, context_uri, skipped, "
            "track_name, artist_name, source, fetched_at) "
            f"VALUES (CAST(? AS TIMESTAMP), ?, ?, ?, ?, ?, ?, ?, ?, {T0})",
            list(row),
        )
    return wh
