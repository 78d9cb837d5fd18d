"""Cleaning and enrichment, end to end on literal raw parts, read back through DuckDB."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.transform.fixtures import (
    AL1,
    AL2,
    API,
    AR1,
    AR2,
    AR3,
    PL,
    TR1,
    TR2,
    album_full,
    album_simple,
    artist_full,
    artist_simple,
    dev_playlist_lines,
    entry,
    envelope,
    items_page,
    read_table,
    run_local,
    track,
    write_part,
)

OUT = "transformed"


def test_development_playlist_gives_every_table(tmp_path: Path) -> None:
    full = [
        envelope(artist_full(a, n, None), f"{API}/artists/{a}", kind="artists")
        for a, n in ((AR1, "  Björk "), (AR2, "Beta"), (AR3, "Gamma"))
    ]
    write_part(tmp_path, [*dev_playlist_lines(), *full])
    summary = run_local(tmp_path)
    assert summary.exit_code == 0
    out = tmp_path / OUT
    songs = {r["song_id"]: r for r in read_table(out, "SONGS")}
    assert set(songs) == {TR1, TR2}  # local file and episode never become songs
    one = songs[TR1]
    # The primary artist is the track's first artist, not the album's (AR3).
    assert one["primary_artist_id"] == AR1
    assert one["artist_count"] == 2
    assert one["album_id"] == AL1
    assert one["duration_ms"] == 200_400
    assert one["duration_minutes"] == 3.34
    assert one["duration_mmss"] == "3:20"
    assert one["explicit"] is False
    assert one["popularity"] is None  # development mode has none
    assert one["fetched_at"] == dt.datetime(2026, 11, 24, 6, 0, 1)
    links = [
        (r["song_id"], r["artist_position"], r["artist_id"]) for r in read_table(out, "SONG_ARTIST")
    ]
    assert links == [(TR1, 0, AR1), (TR1, 1, AR2), (TR2, 0, AR2)]
    artists = {r["artist_id"]: r for r in read_table(out, "ARTIST")}
    assert set(artists) == {AR1, AR2, AR3}
    assert artists[AR1]["artist_name"] == "Björk"  # trimmed
    assert artists[AR1]["genres"] is None and artists[AR1]["followers"] is None
    assert artists[AR1]["image_url"] == f"https://i.scdn.co/image/{AR1}"
    # The albums were only embedded in tracks: extract fetches them in full, so no rows here.
    assert read_table(out, "ALBUM") == []
    (playlist,) = read_table(out, "PLAYLIST")
    assert playlist["description"] == ""  # an empty string stays empty, not NULL
    assert playlist["total_items"] == 6 and playlist["snapshot_id"] == "snap-1"


def test_playlist_items_positions_types_and_derived_days(tmp_path: Path) -> None:
    write_part(tmp_path, dev_playlist_lines())
    summary = run_local(tmp_path)
    items = read_table(tmp_path / OUT, "PLAYLIST_ITEM")
    got = [(r["position"], r["item_type"], r["song_id"]) for r in items]
    # Position 4 was a null item: skipped and counted, the others keep their places.
    assert got == [
        (0, "track", TR1),
        (1, "local", None),
        (2, "track", TR2),
        (3, "episode", None),
        (5, "track", TR1),
    ]
    assert all(
        r["snapshot_date"] == dt.date(2026, 11, 24) and r["playlist_id"] == PL for r in items
    )
    assert all(r["snapshot_id"] == "snap-1" for r in items)  # from the playlist object
    by_pos = {r["position"]: r for r in items}
    assert by_pos[2]["days_since_release"] == 2  # 2026-10-30 -> 2026-11-01
    assert by_pos[0]["days_since_release"] is None  # year precision: no made-up day
    assert by_pos[1]["item_uri"].startswith("spotify:local:")
    assert by_pos[0]["added_at"] == dt.datetime(2026, 11, 1, 10, 0)
    assert by_pos[3]["episode_id"] == "EPISODE000000000000001"
    assert (by_pos[1]["local_name"], by_pos[1]["local_artist"]) == ("home recording", "Me")
    assert (by_pos[1]["local_album"], by_pos[1]["local_duration_ms"]) == ("My Rips", 123000)
    # Only the null item gave no row: the local file and the episode are items.
    assert summary.skipped == {"null_items": 1}


def test_release_dates_keep_their_precision(tmp_path: Path) -> None:
    artists = [artist_simple(AR1, "A")]
    albums = [
        album_full(AL1, "Year", "1999", "year", artists),
        album_full(AL2, "Month", "2012-03", "month", artists),
        album_full("ALBUM00000000000000003", "Day", "2012-03-04", "day", artists),
        # Declared finer than the string shows: the string decides, nothing is invented.
        album_full("ALBUM00000000000000004", "Liar", "2012", "day", artists),
    ]
    write_part(
        tmp_path,
        [envelope({"albums": albums}, f"{API}/albums", kind="albums", profile="extended")],
        kind="albums",
    )
    run_local(tmp_path)
    got = {
        r["album_name"]: (
            r["release_date"],
            r["release_date_precision"],
            r["release_year"],
            r["release_month"],
        )
        for r in read_table(tmp_path / OUT, "ALBUM")
    }
    assert got == {
        "Year": (None, "year", 1999, None),
        "Month": (None, "month", 2012, 3),
        "Day": (dt.date(2012, 3, 4), "day", 2012, 3),
        "Liar": (None, "year", 2012, None),
    }


def test_latest_fetch_wins_within_a_batch(tmp_path: Path) -> None:
    alb = album_simple(AL1, "Album", "2020-01-01", "day", [artist_simple(AR1, "A")])
    old = track(TR1, "Old Name", alb, [artist_simple(AR1, "A")])
    new = track(TR1, "New Name", alb, [artist_simple(AR2, "B"), artist_simple(AR1, "A")])
    lines = [
        # The newer reply is written first: order in the file must not matter.
        envelope(new, f"{API}/tracks/{TR1}", kind="tracks", fetched_at="2026-11-24T06:00:05Z"),
        envelope(old, f"{API}/tracks/{TR1}", kind="tracks", fetched_at="2026-11-24T06:00:01Z"),
    ]
    write_part(tmp_path, lines, kind="tracks")
    summary = run_local(tmp_path)
    (song,) = read_table(tmp_path / OUT, "SONGS")
    assert song["song_name"] == "New Name"
    assert song["primary_artist_id"] == AR2
    assert song["fetched_at"] == dt.datetime(2026, 11, 24, 6, 0, 5)
    counts = summary.tables["SONGS"]
    assert (counts.rows_in, counts.rows_out, counts.duplicates) == (2, 1, 1)


def test_a_newer_fetch_with_fewer_artists_leaves_no_stale_song_artist(tmp_path: Path) -> None:
    # SONG_ARTIST is keyed by position: the older reply's third artist must not survive
    # next to the newer reply's two (SONGS would say 2 artists, SONG_ARTIST 3).
    alb = album_simple(AL1, "Album", "2020-01-01", "day", [artist_simple(AR1, "A")])
    trio = [artist_simple(AR1, "A"), artist_simple(AR2, "B"), artist_simple(AR3, "C")]
    old = track(TR1, "Song", alb, trio)
    new = track(TR1, "Song", alb, [artist_simple(AR2, "B"), artist_simple(AR1, "A")])
    newer = envelope(new, f"{API}/tracks/{TR1}", kind="tracks", fetched_at="2026-11-24T06:00:05Z")
    older = envelope(old, f"{API}/tracks/{TR1}", kind="tracks", fetched_at="2026-11-24T06:00:01Z")
    for name, lines in (("a", [newer, older]), ("b", [older, newer])):
        root = tmp_path / name
        write_part(root, lines, kind="tracks")
        summary = run_local(root)
        (song,) = read_table(root / OUT, "SONGS")
        links = [
            (r["artist_position"], r["artist_id"]) for r in read_table(root / OUT, "SONG_ARTIST")
        ]
        assert song["artist_count"] == 2
        assert links == [(0, AR2), (1, AR1)]
        counts = summary.tables["SONG_ARTIST"]
        assert (counts.rows_in, counts.rows_out, counts.duplicates) == (5, 2, 3)


def test_names_are_trimmed_and_nfc_normalised_only(tmp_path: Path) -> None:
    decomposed = "Beyonce\u0301"  # e + combining acute: NFC makes it one code point
    weird = "  Sigur Rós \t"
    a1 = artist_full(AR1, decomposed, None)
    a2 = artist_full(AR2, weird, None)
    a3 = artist_full(AR3, "MiXeD   case  inside", None)
    write_part(
        tmp_path,
        [envelope({"artists": [a1, a2, a3]}, f"{API}/artists", kind="artists", profile="extended")],
        kind="artists",
    )
    run_local(tmp_path)
    names = {r["artist_id"]: r["artist_name"] for r in read_table(tmp_path / OUT, "ARTIST")}
    assert names[AR1] == "Beyonc\u00e9"
    assert names[AR2] == "Sigur Rós"
    assert names[AR3] == "MiXeD   case  inside"  # inner spacing and case untouched


def test_extended_profile_fields_and_genres(tmp_path: Path) -> None:
    artist = artist_full(AR1, "Full", ["art pop", " Icelandic  "], followers=1234)
    bare = artist_full(AR2, "No genres yet", [], followers=0)
    alb = album_full(
        AL1,
        "A",
        "2001-05-05",
        "day",
        [artist_simple(AR1, "Full")],
        label="One Little",
        popularity=60,
        external_ids={"upc": "0123"},
    )
    simple = album_simple(AL1, "A", "2001-05-05", "day", [artist_simple(AR1, "Full")])
    t = track(TR1, "T", simple, [artist_simple(AR1, "Full")], extended=True)
    page = items_page(PL, [entry(t, extended=True)], extended=True)
    lines = [
        envelope(artist, f"{API}/artists/{AR1}", kind="artists", profile="extended"),
        envelope(bare, f"{API}/artists/{AR2}", kind="artists", profile="extended"),
        envelope(page, f"{API}/playlists/{PL}/tracks", source_id=PL, profile="extended"),
        envelope(alb, f"{API}/albums/{AL1}", kind="albums", profile="extended"),
    ]
    write_part(tmp_path, lines)
    run_local(tmp_path)
    out = tmp_path / OUT
    artists = {r["artist_id"]: r for r in read_table(out, "ARTIST")}
    assert artists[AR1]["genres"] == '["art pop", "Icelandic"]'
    assert artists[AR1]["genre_count"] == 2 and artists[AR1]["followers"] == 1234
    assert artists[AR2]["genres"] == "[]" and artists[AR2]["genre_count"] == 0
    genres = [(r["artist_id"], r["genre"]) for r in read_table(out, "ARTIST_GENRE")]
    assert genres == [(AR1, "Icelandic"), (AR1, "art pop")]
    (song,) = read_table(out, "SONGS")
    assert song["popularity"] == 71
    (album,) = read_table(out, "ALBUM")
    assert (album["label"], album["popularity"], album["upc"]) == ("One Little", 60, "0123")
    (item,) = read_table(out, "PLAYLIST_ITEM")
    assert (
        item["song_id"] == TR1
        and item["days_since_release"] == (dt.date(2026, 11, 1) - dt.date(2001, 5, 5)).days
    )


def test_album_object_gives_its_tracks_with_the_album_id(tmp_path: Path) -> None:
    alb = album_full(AL1, "Full Album", "2010-01-01", "day", [artist_simple(AR1, "A")])
    simple_track = {
        k: v for k, v in track(TR1, "First", alb, [artist_simple(AR2, "B")]).items() if k != "album"
    }
    alb["tracks"] = {
        "href": f"{API}/albums/{AL1}/tracks",
        "items": [simple_track],
        "offset": 0,
        "total": 1,
    }
    write_part(tmp_path, [envelope(alb, f"{API}/albums/{AL1}", kind="albums")], kind="albums")
    run_local(tmp_path)
    (song,) = read_table(tmp_path / OUT, "SONGS")
    assert (song["song_id"], song["album_id"], song["primary_artist_id"]) == (TR1, AL1, AR2)
    assert song["isrc"] == "US0000000001"
    (album,) = read_table(tmp_path / OUT, "ALBUM")
    assert (album["album_id"], album["upc"], album["album_artist_id"]) == (AL1, "UPC0001", AR1)
    # The album's (simplified) artists give no ARTIST rows; the song's artist link stays.
    assert read_table(tmp_path / OUT, "ARTIST") == []
    assert [r["artist_id"] for r in read_table(tmp_path / OUT, "SONG_ARTIST")] == [AR2]
