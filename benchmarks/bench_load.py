"""Load benchmark: DuckDB loader vs a row-by-row INSERT baseline, and re-offer cost.

1. 1,000,000 SONGS rows with their related rows (albums, artists, song artists, genres,
   playlists, playlist items) as gzip CSV transformed files, loaded into DuckDB by
   `load_pending`; beside it, in the same run, a naive loader over the same files: Python
   csv reading + row-by-row INSERT (executemany) into the same model tables. Target: >= 20x.
   The baseline runs for a time budget over the same files and its rows/s is what it reached
   (running it over all 3M rows would take many minutes and only confirm the rate).
2. With 30 days loaded, load_pending over all 31 days (30 already loaded + 1 new) costs
   <= 1.2x loading the new day alone into the same 30-day warehouse. Median of 5 interleaved runs.
   Again with days of ~2,000 files each (--day-files), as a backfill of page files makes.

Run: .venv/bin/python benchmarks/bench_load.py [--songs N]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import duckdb
from tests.warehouse.filegen import write_csv

from spotify_etl.model import (
    ALBUM,
    ARTIST,
    ARTIST_GENRE,
    CSV_NULL,
    PLAYLIST,
    PLAYLIST_ITEM,
    SONG_ARTIST,
    SONGS,
    TABLES,
    Table,
)
from spotify_etl.storage import LocalStore
from spotify_etl.warehouse import load_pending, open_warehouse
from spotify_etl.warehouse.ddl import model_columns

GENRES = ["pop", "rock", "hip hop", "jazz", "techno", "folk", "indie", "soul"]
Row = dict[str, Any]


def day_rows(day: date, songs: range, playlists: int, items: int) -> dict[Table, list[Row]]:
    """Rows of one day: the songs in `songs`, their albums (10 songs each) and artists."""
    fetched = datetime.combine(day, datetime.min.time()) + timedelta(hours=6)
    albums = range(songs.start // 10, (songs.stop + 9) // 10)
    artists = range(songs.start // 20, (songs.stop + 19) // 20)
    out: dict[Table, list[Row]] = {t: [] for t in TABLES}
    out[SONGS] = [
        {
            "song_id": f"s{i}",
            "song_name": f"Song, number {i}",
            "album_id": f"al{i // 10}",
            "primary_artist_id": f"ar{i // 20}",
            "artist_count": 2 if i % 3 == 0 else 1,
            "duration_ms": 120000 + i % 180000,
            "duration_minutes": round((120000 + i % 180000) / 60000, 3),
            "explicit": i % 4 == 0,
            "disc_number": 1,
            "track_number": i % 10 + 1,
            "isrc": f"US{i:010d}",
            "popularity": i % 101 if i % 2 else None,
            "song_url": f"https://open.spotify.com/track/s{i}",
            "fetched_at": fetched,
        }
        for i in songs
    ]
    sa = out[SONG_ARTIST]
    for i in songs:
        sa.append(
            {
                "song_id": f"s{i}",
                "artist_position": 0,
                "artist_id": f"ar{i // 20}",
                "fetched_at": fetched,
            }
        )
        if i % 3 == 0:
            sa.append(
                {
                    "song_id": f"s{i}",
                    "artist_position": 1,
                    "artist_id": f"ar{(i // 20 + 7) % (songs.stop // 20 + 1)}",
                    "fetched_at": fetched,
                }
            )
    out[ALBUM] = [
        {
            "album_id": f"al{a}",
            "album_name": f"Album {a}",
            "album_type": ("album", "single", "compilation")[a % 3],
            "album_artist_id": f"ar{a // 2}",
            "release_date": date(1960 + a % 65, 1 + a % 12, 1 + a % 28),
            "release_date_precision": "day",
            "release_year": 1960 + a % 65,
            "release_month": 1 + a % 12,
            "total_tracks": 10,
            "label": f"Label {a % 50}" if a % 5 else None,
            "upc": "",
            "album_url": f"https://open.spotify.com/album/al{a}",
            "fetched_at": fetched,
        }
        for a in albums
    ]
    out[ARTIST] = [
        {
            "artist_id": f"ar{r}",
            "artist_name": f'Artist "{r}"',
            "genres": [GENRES[r % 8], GENRES[(r + 3) % 8]],
            "genre_count": 2,
            "followers": r * 11,
            "popularity": r % 100,
            "fetched_at": fetched,
        }
        for r in artists
    ]
    out[ARTIST_GENRE] = [
        {"artist_id": f"ar{r}", "genre": g, "fetched_at": fetched}
        for r in artists
        for g in (GENRES[r % 8], GENRES[(r + 3) % 8])
    ]
    out[PLAYLIST] = [
        {
            "playlist_id": f"p{p}",
            "playlist_name": f"Playlist {p}",
            "owner_id": "spotify",
            "snapshot_id": f"snap{p}",
            "total_items": items,
            "is_public": True,
            "is_collaborative": False,
            "fetched_at": fetched,
        }
        for p in range(playlists)
    ]
    out[PLAYLIST_ITEM] = [
        {
            "snapshot_date": day,
            "playlist_id": f"p{p}",
            "position": k,
            "snapshot_id": f"snap{p}",
            "item_type": "track",
            "song_id": f"s{songs.start + (p * items + k) % len(songs)}",
            "added_at": fetched - timedelta(days=k),
            "added_by": "spotify",
            "fetched_at": fetched,
        }
        for p in range(playlists)
        for k in range(items)
    ]
    return out


def write_day(
    root: Path, day: date, rows: dict[Table, list[Row]], name: str, files: int = 1
) -> int:
    """One day's rows; with `files` > 1 the day is about that many files in all (each table's
    rows dealt round-robin over its share), as a backfill of one-page inputs makes."""
    per_table = max(1, files // max(1, sum(1 for r in rows.values() if r)))
    for table, table_rows in rows.items():
        n = 1 if files <= 1 else min(per_table, max(1, len(table_rows)))
        for i in range(n):
            part = name if n == 1 else f"{name}-{i:05d}"
            write_csv(root, table, day.isoformat(), table_rows[i::n], name=part, compresslevel=1)
    return sum(len(r) for r in rows.values())


# -- the baseline: what a tutorial loader does --------------------------------------------
def _typed(value: str) -> str | None:
    return None if value == CSV_NULL else value


def baseline_load(root: Path, db: Path, budget_s: float) -> tuple[int, float]:
    """Row-by-row INSERT through the Python API (no landing, no MERGE: plain appends).

    Per-row `execute` of a prepared INSERT; DuckDB's `executemany` measured no faster."""
    con = duckdb.connect(str(db))
    for t in TABLES:
        cols = ", ".join(
            f"{c.name} {'TIMESTAMP' if c.type == 'TIMESTAMP' else c.type}" for c in model_columns(t)
        )
        con.execute(f"CREATE TABLE {t.name} ({cols})")
    rows = 0
    started = time.perf_counter()
    files = sorted(p for p in root.rglob("*.csv.gz"))
    for path in files:
        table = next(t for t in TABLES if t.folder == path.parts[len(root.parts)])
        names = [c.name for c in model_columns(table)]
        file_cols = list(table.column_names)
        if table.kind == "dimension":
            target = [*[c for c in file_cols if c != "fetched_at"], "first_seen_at", "last_seen_at"]
        else:
            target = file_cols
        assert set(target) == set(names)
        marks = ", ".join("?" for _ in target)
        sql = f"INSERT INTO {table.name} ({', '.join(target)}) VALUES ({marks})"
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            next(reader)
            con.begin()  # one transaction per file, as a careful naive loader would
            for record in reader:
                values = [_typed(v) for v in record]
                if table.kind == "dimension":
                    values = [*values[:-1], values[-1], values[-1]]
                con.execute(sql, values)
                rows += 1
                if rows % 100 == 0 and time.perf_counter() - started > budget_s:
                    con.commit()
                    con.close()
                    return rows, time.perf_counter() - started
            con.commit()
    con.close()
    return rows, time.perf_counter() - started


def bench_throughput(work: Path, songs: int, budget_s: float) -> bool:
    root = work / "big"
    per_day = 100_000
    days = max(1, songs // per_day)
    started = time.perf_counter()
    total_rows = 0
    for d in range(days):
        day = date(2026, 10, 1) + timedelta(days=d)
        lo = d * per_day
        total_rows += write_day(
            root,
            day,
            day_rows(day, range(lo, lo + min(per_day, songs - lo)), 100, 100),
            "run-part-00000",
        )
    print(
        f"generated {total_rows:,} rows in {days * 7} files ({time.perf_counter() - started:.1f}s)"
    )

    wh = open_warehouse(f"duckdb:///{work / 'big.duckdb'}")
    started = time.perf_counter()
    summary = load_pending(LocalStore(root), wh)
    ours_s = time.perf_counter() - started
    assert summary.exit_code == 0, summary.lines()
    loaded = sum(summary.rows.values())
    assert summary.rows["SONGS"] == songs and wh.table_counts()["SONGS"] == songs
    wh.close()
    ours = loaded / ours_s

    base_rows, base_s = baseline_load(root, work / "baseline.duckdb", budget_s)
    base = base_rows / base_s
    ratio = ours / base
    print(f"load_pending : {loaded:,} rows in {ours_s:.2f}s = {ours:,.0f} rows/s")
    print(
        f"row-by-row   : {base_rows:,} rows in {base_s:.2f}s = {base:,.0f} rows/s "
        f"(time budget {budget_s:.0f}s)"
    )
    ok = ratio >= 20
    print(f"speed-up     : {ratio:.1f}x (target >= 20x) {'PASS' if ok else 'FAIL'}")
    return ok


def bench_reoffer(work: Path, days: int = 30, per_day: int = 20_000, files: int = 1) -> bool:
    history = work / f"history-{files}"
    new_only = work / f"new-only-{files}"
    first = date(2026, 9, 1)
    for d in range(days + 1):
        day = first + timedelta(days=d)
        lo = d * per_day // 2  # half of each day's songs were seen the day before
        rows = day_rows(day, range(lo, lo + per_day), 50, 100)
        write_day(history, day, rows, f"2026{d:04d}T060000Z-0000abcd-part-00000", files)
        if d == days:
            write_day(new_only, day, rows, f"2026{d:04d}T060000Z-0000abcd-part-00000", files)
    last = history.glob(f"*/dt={(first + timedelta(days=days)).isoformat()}/*")
    moved = [(p, p.read_bytes()) for p in last]
    for p, _ in moved:
        p.unlink()  # the 30-day warehouse is built without the new day
    # Per `files`: the runs share `work`, and a warehouse left by the other run would hold
    # its history (a key of both runs would be "already loaded").
    base_db = work / f"w30-{files}.duckdb"
    wh = open_warehouse(f"duckdb:///{base_db}")
    setup = load_pending(LocalStore(history), wh)
    built = sum(1 for p in history.rglob("*") if p.is_file())
    assert setup.exit_code == 0 and len(setup.loaded) == built, setup.lines()[:5]
    # A table with fewer rows than `files` gets fewer files, so days can differ in count:
    # what a re-offer must load is exactly the new day's files.
    per_day_files = len(moved)
    wh.close()
    for p, data in moved:
        p.write_bytes(data)

    def timed(store_root: Path, rep: int, tag: str) -> float:
        db = work / f"{tag}-{rep}-{files}.duckdb"
        shutil.copy(base_db, db)
        wh = open_warehouse(f"duckdb:///{db}")
        started = time.perf_counter()
        summary = load_pending(LocalStore(store_root), wh)
        elapsed = time.perf_counter() - started
        assert len(summary.loaded) == per_day_files and summary.exit_code == 0, summary.lines()
        wh.close()
        return elapsed

    # Interleaved, so a burst of load from another process on the machine hits both sides.
    pairs = [(timed(new_only, r, "alone"), timed(history, r, "all")) for r in range(5)]
    alone = statistics.median(a for a, _ in pairs)
    everything = statistics.median(e for _, e in pairs)
    fresh_wh = open_warehouse(f"duckdb:///{work / f'fresh-{files}.duckdb'}")
    started = time.perf_counter()
    load_pending(LocalStore(new_only), fresh_wh)
    fresh = time.perf_counter() - started
    fresh_wh.close()
    ratio = everything / alone
    print(f"one new day alone (30 days in the warehouse): {alone:.3f}s")
    print(
        f"all {days} days again + the new day:            {everything:.3f}s "
        f"({built:,} files skipped, {per_day_files:,} new)"
    )
    print(f"(one day into an empty warehouse:              {fresh:.3f}s)")
    ok = ratio <= 1.2
    print(f"ratio        : {ratio:.2f}x (target <= 1.2x) {'PASS' if ok else 'FAIL'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--songs", type=int, default=1_000_000)
    parser.add_argument("--baseline-seconds", type=float, default=20.0)
    parser.add_argument(
        "--day-files", type=int, default=2000, help="files per day in the second re-offer run"
    )
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        work = Path(tmp)
        print("== throughput: load_pending vs row-by-row INSERT")
        ok1 = bench_throughput(work, args.songs, args.baseline_seconds)
        print(f"== re-offer: {args.days} loaded days + 1 new day vs the new day alone")
        ok2 = bench_reoffer(work, args.days)
        print(f"== re-offer with {args.day_files:,}-file days")
        ok3 = bench_reoffer(work, args.days, files=args.day_files)
    ok = ok1 and ok2 and ok3
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
