"""Loading into DuckDB: exactly once, landing + MERGE, SKIP_FILE, one transaction per chunk
(the killed-process test is in test_chunks)."""

from __future__ import annotations

import gzip
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from spotify_etl.errors import ConfigError
from spotify_etl.model import ALBUM, ARTIST, PLAYLIST_ITEM, SONGS
from spotify_etl.storage import LocalStore
from spotify_etl.warehouse import Warehouse, load_pending, open_warehouse
from spotify_etl.warehouse.loader import LoadRun
from tests.warehouse.dataset import ALBUMS, ARTISTS, D3, SONG_ROWS, playlist_items, stamped
from tests.warehouse.filegen import RUN_ID, key_for, write_csv, write_parquet


def model_rows(wh: Warehouse, table: str) -> list[tuple[Any, ...]]:
    return wh.execute(f"SELECT * FROM {table} ORDER BY ALL")[1]


def snapshot(wh: Warehouse) -> dict[str, list[tuple[Any, ...]]]:
    return {t: model_rows(wh, t) for t in wh.table_counts()}


def test_loads_every_table_then_offering_again_does_nothing(
    wh: Warehouse, dataset_store: LocalStore
) -> None:
    calls: list[tuple[int, int]] = []
    first = load_pending(
        dataset_store, wh, run=LoadRun(progress=lambda done, total: calls.append((done, total)))
    )
    assert first.exit_code == 0 and len(first.loaded) == 9 and not first.failed
    assert calls[-1] == (9, 9)
    assert wh.table_counts() == {
        "ALBUM": 4,
        "ARTIST": 3,
        "ARTIST_GENRE": 3,
        "SONGS": 6,
        "SONG_ARTIST": 8,
        "PLAYLIST": 2,
        "PLAYLIST_ITEM": 14,
        "SHOWS": 0,
        "EPISODE": 0,
        "PLAY": 0,
    }
    before = snapshot(wh)
    again = load_pending(dataset_store, wh)
    assert again.loaded == [] and again.skipped == 9 and again.exit_code == 0
    assert snapshot(wh) == before
    assert wh.pending_files(dataset_store) == []
    history = wh.load_history(limit=3)
    assert len(history) == 3 and all(h.status == "loaded" for h in history)


def test_null_convention_and_types_survive(wh: Warehouse, dataset_store: LocalStore) -> None:
    load_pending(dataset_store, wh)
    rows = wh.execute("SELECT album_id, album_name, upc, release_date FROM ALBUM ORDER BY 1")[1]
    assert rows[0] == ("al1", "First", None, datetime(1999, 5, 1).date())
    assert rows[2] == ("al3", 'Third, "the" one', "", None)  # "" stays an empty string
    genres = wh.execute("SELECT genres FROM ARTIST WHERE artist_id = 'ar1'")[1]
    assert genres == [('["pop", "dance"]',)]


def test_same_day_under_a_new_name_changes_no_model_row(
    wh: Warehouse, dataset_store: LocalStore, transformed: Path
) -> None:
    load_pending(dataset_store, wh)
    before = snapshot(wh)
    # A rerun of the transform under another batch name: the landing table gets the rows
    # (append-only, like Snowpipe) but the facts are keyed and the dimensions unchanged.
    write_csv(
        transformed, PLAYLIST_ITEM, D3.isoformat(), playlist_items(D3), name="rerun-part-00000"
    )
    write_csv(transformed, SONGS, D3.isoformat(), stamped(SONG_ROWS), name="rerun-part-00000")
    summary = load_pending(dataset_store, wh)
    assert len(summary.loaded) == 2
    assert snapshot(wh) == before
    landed = wh.execute("SELECT count(*) FROM PLAYLIST_ITEM_LANDING")[1][0][0]
    assert landed == 14 + 6


def test_dimensions_keep_first_seen_and_advance_last_seen_in_any_order(
    wh: Warehouse, store: LocalStore, transformed: Path
) -> None:
    t1, t2, t0 = datetime(2026, 11, 20, 6), datetime(2026, 11, 21, 6), datetime(2026, 11, 19, 6)
    write_csv(transformed, ARTIST, "2026-11-20", stamped(ARTISTS[:1], t1))
    load_pending(store, wh)
    renamed = [{**ARTISTS[0], "artist_name": "Alpha v2", "followers": 2000}]
    write_csv(transformed, ARTIST, "2026-11-21", stamped(renamed, t2))
    load_pending(store, wh)
    # A file from an earlier fetch arriving late must not roll values back.
    old = [{**ARTISTS[0], "artist_name": "Alpha v0", "followers": 10}]
    write_csv(transformed, ARTIST, "2026-11-19", stamped(old, t0))
    load_pending(store, wh)
    rows = wh.execute("SELECT artist_name, followers, first_seen_at, last_seen_at FROM ARTIST")[1]
    assert rows == [("Alpha v2", 2000, t0, t2)]


def test_a_newer_partial_row_never_erases_known_values(
    wh: Warehouse, store: LocalStore, transformed: Path
) -> None:
    full, partial = datetime(2026, 11, 20, 6), datetime(2026, 11, 21, 6)
    song = {**SONG_ROWS[0], "isrc": "USAT21234567", "popularity": 61, "duration_mmss": None}
    write_csv(transformed, SONGS, "2026-11-20", stamped([song], full))
    load_pending(store, wh)
    # The same track later seen in an album's track list: simplified, no isrc or popularity.
    simplified = {**song, "song_name": "Renamed", "isrc": None, "popularity": None}
    write_csv(transformed, SONGS, "2026-11-21", stamped([simplified], partial))
    load_pending(store, wh)
    rows = wh.execute("SELECT song_name, isrc, popularity, last_seen_at FROM SONGS")[1]
    assert rows == [("Renamed", "USAT21234567", 61, partial)]
    # An older file arriving late fills a gap but changes no known value.
    older = {**song, "song_name": "Old", "isrc": "OLD", "duration_mmss": "3:25"}
    write_csv(transformed, SONGS, "2026-11-19", stamped([older], datetime(2026, 11, 19)))
    load_pending(store, wh)
    rows = wh.execute("SELECT song_name, isrc, duration_mmss FROM SONGS")[1]
    assert rows == [("Renamed", "USAT21234567", "3:25")]


def test_latest_fetch_wins_inside_one_file(
    wh: Warehouse, store: LocalStore, transformed: Path
) -> None:
    early, late = datetime(2026, 11, 24, 6), datetime(2026, 11, 24, 7)
    rows = [
        {**ARTISTS[1], "artist_name": "late", "fetched_at": late},
        {**ARTISTS[1], "artist_name": "early", "fetched_at": early},
    ]
    write_csv(transformed, ARTIST, "2026-11-24", rows)
    assert load_pending(store, wh).exit_code == 0
    # Both rows are sightings: the name is the latest one, the span covers both.
    got = wh.execute("SELECT artist_name, first_seen_at, last_seen_at FROM ARTIST")[1]
    assert got == [("late", early, late)]


def test_changed_file_is_refused_unless_forced(
    wh: Warehouse, dataset_store: LocalStore, transformed: Path
) -> None:
    load_pending(dataset_store, wh)
    changed = [{**r, "album_name": r["album_name"] + " (remaster)"} for r in ALBUMS]
    write_csv(transformed, ALBUM, D3.isoformat(), stamped(changed))
    summary = load_pending(dataset_store, wh)
    assert summary.exit_code == 1 and summary.loaded == []
    [(key, why)] = summary.refused
    assert key == key_for(ALBUM, D3.isoformat()) and "--force" in why
    assert wh.execute("SELECT album_name FROM ALBUM WHERE album_id = 'al1'")[1] == [("First",)]
    forced = load_pending(dataset_store, wh, run=LoadRun(force=True))
    assert forced.loaded == [key] and forced.exit_code == 0
    assert wh.execute("SELECT album_name FROM ALBUM WHERE album_id = 'al1'")[1] == [
        ("First (remaster)",)
    ]


def _touch(path: Path) -> Path:
    """The file with the same bytes and a new mtime (a copy, an unzip)."""
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    return path


def test_touched_but_identical_file_is_not_reloaded(
    wh: Warehouse, dataset_store: LocalStore, transformed: Path
) -> None:
    load_pending(dataset_store, wh)
    path = _touch(transformed / key_for(SONGS, D3.isoformat()))
    summary = load_pending(dataset_store, wh)
    assert summary.loaded == [] and summary.refused == [] and summary.skipped == 9
    # The new mtime is remembered: the next offer is decided from the listing, unread.
    recorded = wh.history()[key_for(SONGS, D3.isoformat())]
    assert recorded.mtime_ns == path.stat().st_mtime_ns


def _bad_files(root: Path) -> dict[str, str]:
    """One broken file per way to break it; the expected message fragment."""
    d = "2026-11-24"
    bad_type = write_csv(root, SONGS, d, stamped([{**SONG_ROWS[0], "duration_ms": "long"}]))
    (root / "album" / f"dt={d}").mkdir(parents=True)
    empty = root / key_for(ALBUM, d)
    empty.write_bytes(b"")
    wrong_cols = root / key_for(ARTIST, d)
    wrong_cols.parent.mkdir(parents=True)
    wrong_cols.write_bytes(gzip.compress(b"artist_id,name,fetched_at\nx,y,2026-11-24 06:00:00\n"))
    not_gzip = root / key_for(PLAYLIST_ITEM, d)
    not_gzip.parent.mkdir(parents=True)
    not_gzip.write_bytes(b"snapshot_date,playlist_id\n")
    return {
        bad_type.relative_to(root).as_posix(): "long",
        empty.relative_to(root).as_posix(): "empty file",
        wrong_cols.relative_to(root).as_posix(): "wrong columns for ARTIST: missing artist_name",
        not_gzip.relative_to(root).as_posix(): "gzip",
    }


def test_unreadable_files_are_skipped_whole_and_recorded(
    wh: Warehouse, store: LocalStore, transformed: Path
) -> None:
    expected = _bad_files(transformed)
    good = write_csv(transformed, SONGS, "2026-11-23", stamped(SONG_ROWS))
    summary = load_pending(store, wh)
    assert summary.loaded == [good.relative_to(transformed).as_posix()]
    assert summary.exit_code == 1
    failed = dict(summary.failed)
    assert set(failed) == set(expected)
    for key, fragment in expected.items():
        assert fragment in failed[key], failed[key]
        assert "\n" not in failed[key]
    recorded = {h.path: h for h in wh.load_history(limit=10)}
    assert all(recorded[k].status == "failed" and recorded[k].error for k in expected)
    # Nothing of a failed file landed: only the good file's 6 songs.
    assert wh.execute("SELECT count(*) FROM SONGS_LANDING")[1] == [(6,)]
    assert wh.table_counts()["ARTIST"] == 0
    # Unchanged broken files are not retried; a fixed file is.
    again = load_pending(store, wh)
    assert again.failed == [] and len(again.previously_failed) == 4 and again.exit_code == 0
    write_csv(transformed, SONGS, "2026-11-24", stamped(SONG_ROWS[:2]))
    fixed = load_pending(store, wh)
    assert fixed.loaded == [key_for(SONGS, "2026-11-24")]


def test_a_missing_table_folder_is_reported_not_fatal(
    wh: Warehouse, store: LocalStore, transformed: Path
) -> None:
    write_csv(transformed, SONGS, "2026-11-24", stamped(SONG_ROWS))
    summary = load_pending(store, wh)
    assert summary.exit_code == 0 and summary.rows == {"SONGS": 6}
    assert "SONGS" not in summary.missing_tables and "ARTIST_GENRE" in summary.missing_tables
    assert any(line.startswith("no files at all for ALBUM, ARTIST") for line in summary.lines())
    # Offered again, the loaded file is only counted from the history (never parsed): the
    # same tables are present.
    again = load_pending(store, wh)
    assert again.skipped == 1 and again.missing_tables == summary.missing_tables


def test_a_listing_counts_loaded_unchanged_files_and_lists_the_rest(
    wh: Warehouse, dataset_store: LocalStore, transformed: Path
) -> None:
    from spotify_etl.warehouse.files import list_transformed

    load_pending(dataset_store, wh)
    _touch(transformed / key_for(SONGS, D3.isoformat()))
    listing = list_transformed(dataset_store, known=wh.history())
    assert [f.key for f in listing.files] == [key_for(SONGS, D3.isoformat())]  # touched
    assert sum(listing.loaded.values()) == 8 and "SONGS" not in listing.loaded
    plain = list_transformed(dataset_store)
    assert len(plain.files) == 9 and plain.loaded == {}


def test_header_only_file_loads_zero_rows(
    wh: Warehouse, store: LocalStore, transformed: Path
) -> None:
    write_csv(transformed, SONGS, "2026-11-24", [])
    summary = load_pending(store, wh)
    assert summary.exit_code == 0 and summary.rows == {"SONGS": 0}


def test_underscore_folders_are_ignored_and_strays_reported(
    wh: Warehouse, store: LocalStore, transformed: Path
) -> None:
    write_csv(transformed / "_quarantine", SONGS, "2026-11-24", stamped(SONG_ROWS))
    (transformed / "_batches" / "dt=2026-11-24").mkdir(parents=True)
    (transformed / "_batches" / "dt=2026-11-24" / f"{RUN_ID}.json").write_text("{}")
    stray = transformed / "song" / "dt=2026-11-24" / "x.csv.gz"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"")
    summary = load_pending(store, wh)
    assert summary.loaded == [] and summary.failed == []
    assert summary.ignored == [
        (
            "song/dt=2026-11-24/x.csv.gz",
            "unknown table folder 'song' (expected one of the model's tables)",
        )
    ]
    assert summary.exit_code == 1


def test_missing_transformed_folder_is_a_config_error(wh: Warehouse, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="transformed folder not found"):
        load_pending(LocalStore(tmp_path / "nope"), wh)


def test_parquet_loads_the_same_rows_as_csv(tmp_path: Path) -> None:
    results = []
    for fmt, writer in (("csv", write_csv), ("parquet", write_parquet)):
        root = tmp_path / fmt
        writer(root, ALBUM, "2026-11-24", stamped(ALBUMS))
        writer(root, SONGS, "2026-11-24", stamped(SONG_ROWS))
        wh = open_warehouse(f"duckdb:///{tmp_path / fmt}.duckdb")
        assert load_pending(LocalStore(root), wh).exit_code == 0
        results.append((model_rows(wh, "ALBUM"), model_rows(wh, "SONGS")))
        wh.close()
    assert results[0] == results[1]
    assert len(results[0][1]) == 6


def test_parquet_with_wrong_columns_is_refused(
    wh: Warehouse, store: LocalStore, transformed: Path
) -> None:
    import duckdb

    path = transformed / key_for(SONGS, "2026-11-24", ext="parquet")
    path.parent.mkdir(parents=True)
    duckdb.connect().execute(f"COPY (SELECT 's1' AS song_id) TO '{path}' (FORMAT parquet)")
    [(_key, why)] = load_pending(store, wh).failed
    assert why.startswith("wrong columns for SONGS: missing song_name")


def test_a_crash_mid_file_leaves_nothing_of_it(
    wh: Warehouse, dataset_store: LocalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import spotify_etl.warehouse.landing as landing

    broken = "SELECT no_such_column FROM SONGS"  # the statement into the model fails
    monkeypatch.setattr(landing, "chunk_merge", lambda table, partitioned=False: broken)
    monkeypatch.setattr(landing, "chunk_insert", lambda table, partitioned=False: broken)
    with pytest.raises(Exception, match="no_such_column"):
        load_pending(dataset_store, wh)
    # The landing insert of the first chunk was rolled back with the failed MERGE.
    assert (
        sum(wh.execute(f"SELECT count(*) FROM {t}_LANDING")[1][0][0] for t in wh.table_counts())
        == 0
    )
    assert wh.load_history() == []
    monkeypatch.undo()
    assert len(load_pending(dataset_store, wh).loaded) == 9


def quoted_header_file(root: Path) -> Path:
    """A file whose header names are quoted, as the transform writes them."""
    from tests.warehouse.filegen import csv_text

    names = ",".join(f'"{n}"' for n in SONGS.column_names)
    body = csv_text(SONGS, stamped(SONG_ROWS)).split("\n", 1)[1]
    path = root / key_for(SONGS, "2026-11-24")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(f"{names}\n{body}".encode(), mtime=0))
    return path


def test_quoted_header_names_are_accepted(
    wh: Warehouse, store: LocalStore, transformed: Path
) -> None:
    quoted_header_file(transformed)
    assert load_pending(store, wh).rows == {"SONGS": 6}
