"""Chunked loading: many files per statement, still Snowpipe's rules per file."""

from __future__ import annotations

import gzip
import itertools
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spotify_etl.config import WarehouseSettings
from spotify_etl.model import ARTIST, SONGS
from spotify_etl.storage import LocalStore
from spotify_etl.warehouse import Warehouse, load_pending, open_warehouse
from spotify_etl.warehouse.duckdb_adapter import DuckDBWarehouse
from tests.warehouse.dataset import SONG_ROWS, stamped, write_dataset
from tests.warehouse.filegen import csv_text, key_for, write_csv


def snapshot(wh: Warehouse) -> dict[str, list[tuple[Any, ...]]]:
    return {t: wh.execute(f"SELECT * FROM {t} ORDER BY ALL")[1] for t in wh.table_counts()}


def song_files(root: Path, n: int) -> list[str]:
    """n SONGS files of one day, each with its own songs."""
    keys = []
    for i in range(n):
        rows = [{**r, "song_id": f"{r['song_id']}-{i}"} for r in stamped(SONG_ROWS)]
        path = write_csv(root, SONGS, "2026-11-24", rows, name=f"batch-{i:02d}")
        keys.append(path.relative_to(root).as_posix())
    return keys


def test_one_corrupt_file_fails_alone_and_the_rest_of_its_chunk_loads(
    wh: Warehouse, store: LocalStore, transformed: Path
) -> None:
    keys = song_files(transformed, 9)
    # A good header, then a value that is not an INTEGER: found only while reading.
    text = csv_text(SONGS, stamped(SONG_ROWS)).replace(",150000,", ",long,", 1)
    assert ",long," in text
    bad = transformed / key_for(SONGS, "2026-11-24", "batch-04")
    bad.write_bytes(gzip.compress(text.encode(), mtime=0))
    summary = load_pending(store, wh)
    bad_key = bad.relative_to(transformed).as_posix()
    assert [k for k, _why in summary.failed] == [bad_key]
    assert "long" in summary.failed[0][1] and "\n" not in summary.failed[0][1]
    assert sorted(summary.loaded) == sorted(k for k in keys if k != bad_key)
    assert summary.rows == {"SONGS": 8 * len(SONG_ROWS)}
    history = {h.path: h for h in wh.load_history(limit=20)}
    assert history[bad_key].status == "failed" and history[bad_key].error
    landed = {r[0] for r in wh.execute("SELECT DISTINCT _source_file FROM SONGS_LANDING")[1]}
    assert landed == set(keys) - {bad_key}
    assert wh.table_counts()["SONGS"] == 8 * len(SONG_ROWS)


def test_a_clean_chunk_is_one_statement_and_a_bad_file_costs_a_few(
    store: LocalStore, transformed: Path
) -> None:
    from spotify_etl.warehouse.base import FileLoad
    from spotify_etl.warehouse.files import list_transformed

    song_files(transformed, 16)
    wh = DuckDBWarehouse(":memory:")
    wh.ensure_schema()
    items = [FileLoad(f, f"sum-{n}") for n, f in enumerate(list_transformed(store).files)]
    assert wh.load_chunk(store, items[:8]).attempts == 1
    text = csv_text(SONGS, stamped(SONG_ROWS)).replace(",150000,", ",long,", 1)
    (transformed / items[12].file.key).write_bytes(gzip.compress(text.encode(), mtime=0))
    result = wh.load_chunk(store, items[8:])
    assert len(result.loaded) == 7 and [k for k, _ in result.failed] == [items[12].file.key]
    assert result.attempts <= 1 + 2 * 3  # bisection: two halves per level, log2(8) levels
    wh.close()


def test_chunk_limits_split_by_files_and_bytes(store: LocalStore, transformed: Path) -> None:
    from spotify_etl.warehouse.base import FileLoad
    from spotify_etl.warehouse.files import list_transformed
    from spotify_etl.warehouse.landing import iter_chunks

    song_files(transformed, 5)
    items = [FileLoad(f, "") for f in sorted(list_transformed(store).files, key=lambda f: f.key)]
    assert [len(c) for c in iter_chunks(items, 2, 10**9)] == [2, 2, 1]
    three = sum(i.file.size for i in items[:3])  # gzip sizes differ by a byte or two
    assert [len(c) for c in iter_chunks(items, 100, three)] == [3, 2]
    assert [len(c) for c in iter_chunks(items, 100, 1)] == [1, 1, 1, 1, 1]


_CRASHER = """
import os, signal, sys
from spotify_etl.storage import LocalStore
from spotify_etl.warehouse import load_pending, open_warehouse
from spotify_etl.warehouse.landing import LandingWarehouse
from spotify_etl.config import WarehouseSettings

real = LandingWarehouse.record_many
chunks = []

def record_many(self, items, status, rows, error, load_id):
    if status == "loaded":
        chunks.append(len(items))
        if len(chunks) == 2:  # the second chunk: landed and merged, not committed
            os.kill(os.getpid(), signal.SIGKILL)
    real(self, items, status, rows, error, load_id)

LandingWarehouse.record_many = record_many
load_pending(LocalStore(sys.argv[1]), open_warehouse(sys.argv[2]), WarehouseSettings(chunk_files=3))
"""


def test_a_killed_load_leaves_no_trace_of_its_chunk_and_the_rerun_converges(
    tmp_path: Path, transformed: Path, store: LocalStore, wh_url: str
) -> None:
    keys = song_files(transformed, 7)
    killed = subprocess.run(
        [sys.executable, "-c", _CRASHER, str(transformed), wh_url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    wh = open_warehouse(wh_url)
    loaded = {h.path for h in wh.load_history(limit=100)}
    assert loaded == set(keys[:3])  # the first chunk committed, the second never began
    landed = {r[0] for r in wh.execute("SELECT DISTINCT _source_file FROM SONGS_LANDING")[1]}
    assert landed == loaded
    assert wh.table_counts()["SONGS"] == 3 * len(SONG_ROWS)
    summary = load_pending(store, wh, WarehouseSettings(chunk_files=3))
    assert summary.skipped == 3 and len(summary.loaded) == 4
    clean = open_warehouse(f"duckdb:///{tmp_path / 'clean.duckdb'}")
    load_pending(store, clean)
    assert snapshot(wh) == snapshot(clean)
    wh.close()
    clean.close()


def test_two_rows_of_one_key_and_instant_in_one_file_resolve_the_same_way_each_time(
    tmp_path: Path,
) -> None:
    stamp = datetime(2026, 11, 24, 6)
    rows = [
        {"artist_id": "a1", "artist_name": name, "popularity": pop, "fetched_at": stamp}
        for name, pop in (("x", 1), ("y", None), ("z", 3))
    ]
    picks = set()
    for n, order in enumerate((rows, rows[::-1], rows[1:] + rows[:1])):
        root = tmp_path / str(n)
        write_csv(root, ARTIST, "2026-11-24", order)
        wh = DuckDBWarehouse(":memory:")
        wh.ensure_schema()
        load_pending(LocalStore(root), wh)
        picks.add(tuple(wh.execute("SELECT artist_name, popularity FROM ARTIST")[1]))
        wh.close()
    assert len(picks) == 1


def test_chunk_size_and_merge_passes_do_not_change_the_model(
    tmp_path: Path, transformed: Path
) -> None:
    write_dataset(transformed)
    results = []
    runs = ((1, 50_000), (2, 50_000), (1000, 50_000), (1000, 3), (1000, 1))
    for (files, merge_rows), first_insert in itertools.product(runs, (True, False)):
        wh = DuckDBWarehouse(":memory:", merge_rows=merge_rows)
        wh.insert_when_empty = first_insert  # a first load's INSERT or the MERGE: same model
        wh.ensure_schema()
        assert (
            load_pending(
                LocalStore(transformed), wh, WarehouseSettings(chunk_files=files)
            ).exit_code
            == 0
        )
        results.append(snapshot(wh))
        wh.close()
    assert all(r == results[0] for r in results[1:])
    assert sum(len(rows) for rows in results[0].values()) > 10  # a dataset, not empty tables


_STAMPS = [datetime(2026, 11, 24, h) for h in (6, 7, 8)]
_sighting = st.fixed_dictionaries(
    {
        "artist_id": st.sampled_from(["a1", "a2", "a3"]),
        "artist_name": st.sampled_from(["x", "y"]),
        "followers": st.sampled_from([None, 10, 20]),
        "popularity": st.sampled_from([None, 1, 2]),
        "fetched_at": st.sampled_from(_STAMPS),
        "file": st.integers(0, 3),
    }
)


def _newest_known(rows: list[dict[str, Any]], column: str) -> Any:
    """The oracle: newest non-NULL; ties by file key (a file holds one row per key)."""
    known = [r for r in rows if r[column] is not None]
    if not known:
        return None
    return max(known, key=lambda r: (r["fetched_at"], r["file"]))[column]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    sightings=st.lists(_sighting, min_size=1, max_size=12),
    merge_rows=st.sampled_from([1, 2, 50_000]),  # many MERGE passes, or one
    first_insert=st.booleans(),  # into the empty table by INSERT, or by MERGE
)
def test_one_chunk_keeps_the_newest_known_value_per_column_and_twice_is_once(
    tmp_path: Path, sightings: list[dict[str, Any]], merge_rows: int, first_insert: bool
) -> None:
    """Law: each column is its newest non-NULL sighting, however many MERGE passes split the
    chunk; loading again changes nothing."""
    import tempfile

    one_per_file = {(s["artist_id"], s["file"]): s for s in sightings}  # as transform writes
    sightings = list(one_per_file.values())

    with tempfile.TemporaryDirectory(dir=tmp_path) as tmp:
        root = Path(tmp)
        for n in range(4):
            rows = [s for s in sightings if s["file"] == n]
            if rows:
                write_csv(root, ARTIST, "2026-11-24", rows, name=f"f{n}")
        wh = DuckDBWarehouse(":memory:", merge_rows=merge_rows)
        wh.insert_when_empty = first_insert
        wh.ensure_schema()
        load_pending(LocalStore(root), wh)
        got = wh.execute(
            "SELECT artist_id, artist_name, followers, popularity, first_seen_at, last_seen_at "
            "FROM ARTIST ORDER BY artist_id"
        )[1]
        want = []
        for key in sorted({s["artist_id"] for s in sightings}):
            rows = [s for s in sightings if s["artist_id"] == key]
            stamps = [r["fetched_at"] for r in rows]
            picks = [_newest_known(rows, c) for c in ("artist_name", "followers", "popularity")]
            want.append((key, *picks, min(stamps), max(stamps)))
        assert got == want
        before = snapshot(wh)
        again = load_pending(LocalStore(root), wh)
        assert again.loaded == [] and snapshot(wh) == before
        wh.close()


def test_a_first_load_inserts_and_a_later_one_merges(store: LocalStore, transformed: Path) -> None:
    """Into an empty model table the chunk is INSERTed (no join with the target); once the
    table has rows, chunks MERGE."""
    write_dataset(transformed)
    wh = DuckDBWarehouse(":memory:")
    wh.ensure_schema()
    seen: list[str] = []
    run = wh.execute

    def execute(sql: str, params: Any = None) -> Any:
        seen.append(sql.split(" (")[0])
        return run(sql, params)

    wh.execute = execute  # type: ignore[method-assign]
    load_pending(store, wh, WarehouseSettings(chunk_files=1))
    items = [
        s for s in seen if s in ("INSERT INTO PLAYLIST_ITEM", "MERGE INTO PLAYLIST_ITEM AS t USING")
    ]
    assert len(items) > 1  # one chunk per day's file
    assert items[0] == "INSERT INTO PLAYLIST_ITEM"
    assert set(items[1:]) == {"MERGE INTO PLAYLIST_ITEM AS t USING"}
    wh.close()
