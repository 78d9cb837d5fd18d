"""Opening warehouses, versioned migrations, and the CSV contract as a round-trip law."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spotify_etl.errors import ConfigError, LockedError
from spotify_etl.model import ARTIST_GENRE, SCHEMA_VERSION, SONGS, TABLES
from spotify_etl.storage import LocalStore
from spotify_etl.warehouse import load_pending, open_warehouse
from spotify_etl.warehouse.ddl import create_statements
from spotify_etl.warehouse.duckdb_adapter import DuckDBWarehouse, duckdb_path
from spotify_etl.warehouse.migrate import plan
from spotify_etl.warehouse.reading import csv_reader
from tests.warehouse.dataset import SONG_ROWS, stamped
from tests.warehouse.filegen import write_csv


@pytest.mark.parametrize(
    "url",
    ["duckdbb:///x.duckdb", "postgres://h/db", "warehouse.duckdb", "snowflak://user:pw@acct/db/s"],
)
def test_unknown_scheme_is_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError, match="unknown warehouse URL scheme") as info:
        open_warehouse(url)
    assert "pw" not in str(info.value)


def test_duckdb_paths(tmp_path: Path) -> None:
    assert duckdb_path("duckdb:///abs/w.duckdb") == "/abs/w.duckdb"
    assert duckdb_path("duckdb:////abs/w.duckdb") == "/abs/w.duckdb"
    assert duckdb_path("duckdb:///./rel/w.duckdb", tmp_path) == str(tmp_path / "rel/w.duckdb")
    assert duckdb_path("duckdb://rel/w.duckdb", tmp_path) == str(tmp_path / "rel/w.duckdb")
    assert duckdb_path("duckdb:///:memory:") == ":memory:"


def test_a_locked_warehouse_is_a_clear_locked_error(tmp_path: Path) -> None:
    path = tmp_path / "locked.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys; c = duckdb.connect({str(path)!r}); print('ready', flush=True); "
            "sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(LockedError, match=r"is locked by another process \(PID \d+\)"):
            open_warehouse(f"duckdb:///{path}")
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=30)
    open_warehouse(f"duckdb:///{path}").close()


def test_a_file_that_is_not_a_database_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "not.duckdb"
    bad.write_text("hello, I am not a database" * 100)
    with pytest.raises(ConfigError, match="cannot open warehouse"):
        open_warehouse(f"duckdb:///{bad}")


def _without(name: str) -> tuple:  # type: ignore[type-arg]
    songs = dataclasses.replace(SONGS, columns=tuple(c for c in SONGS.columns if c.name != name))
    return tuple(songs if t.name == "SONGS" else t for t in TABLES)


def test_a_new_nullable_column_is_added_in_place(tmp_path: Path) -> None:
    path = str(tmp_path / "w.duckdb")
    old = DuckDBWarehouse(path, tables=_without("isrc"))
    old.ensure_schema()
    old.execute(
        "INSERT INTO SONGS (song_id, song_name, first_seen_at, last_seen_at) "
        "VALUES ('s1', 'kept', TIMESTAMP '2026-01-01', TIMESTAMP '2026-01-01')"
    )
    old.close()
    wh = DuckDBWarehouse(path)
    alters = wh.ensure_schema()
    assert alters == [
        "ALTER TABLE SONGS ADD COLUMN isrc VARCHAR",
        "ALTER TABLE SONGS_LANDING ADD COLUMN isrc VARCHAR",
    ]
    assert wh.execute("SELECT song_name, isrc FROM SONGS")[1] == [("kept", None)]
    versions = wh.execute("SELECT version, statements FROM SCHEMA_MIGRATIONS ORDER BY applied_at")[
        1
    ]
    assert versions[-1] == (SCHEMA_VERSION, ";\n".join(alters))
    assert wh.ensure_schema() == []  # idempotent
    wh.close()


# What schema 2 added (issue #12): a v1 warehouse takes them in place, its rows kept.
DURATION = "local_duration_ms"
TYPES = {"is_available": "BOOLEAN", DURATION: "INTEGER"}
V2_COLUMNS = {
    "SONGS": ("is_available",),
    "PLAYLIST_ITEM": ("episode_id", "local_name", "local_artist", "local_album", DURATION),
}


def test_a_schema_1_warehouse_migrates_to_episodes_shows_and_item_types(tmp_path: Path) -> None:
    v1 = tuple(
        dataclasses.replace(
            t, columns=tuple(c for c in t.columns if c.name not in V2_COLUMNS.get(t.name, ()))
        )
        for t in TABLES
        if t.name not in ("SHOWS", "EPISODE")
    )
    path = str(tmp_path / "w.duckdb")
    old = DuckDBWarehouse(path, tables=v1)
    old.ensure_schema()
    old.execute(
        "INSERT INTO SONGS (song_id, song_name, first_seen_at, last_seen_at) "
        "VALUES ('s1', 'kept', TIMESTAMP '2026-01-01', TIMESTAMP '2026-01-01')"
    )
    old.close()
    wh = DuckDBWarehouse(path)
    alters = wh.ensure_schema()
    assert sorted(alters) == sorted(
        f"ALTER TABLE {table}{suffix} ADD COLUMN {column} {TYPES.get(column, 'VARCHAR')}"
        for table, columns in V2_COLUMNS.items()
        for column in columns
        for suffix in ("", "_LANDING")
    )
    assert wh.execute("SELECT song_name, is_available FROM SONGS")[1] == [("kept", None)]
    assert wh.execute("SELECT count(*) FROM SHOWS")[1] == [(0,)]
    assert wh.execute("SELECT count(*) FROM EPISODE_LANDING")[1] == [(0,)]
    wh.close()


def test_a_new_required_column_asks_for_a_rebuild() -> None:
    existing = {
        "SONGS": {c.name for c in SONGS.columns if c.name != "song_name"}
        | {"first_seen_at", "last_seen_at"}
    }
    with pytest.raises(ConfigError, match="lacks required column song_name"):
        plan(existing, "duckdb", TABLES)


def test_a_newer_warehouse_is_refused(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    wh = open_warehouse(url)
    wh.execute("INSERT INTO SCHEMA_MIGRATIONS VALUES (?, now(), NULL)", [SCHEMA_VERSION + 1])
    wh.close()
    with pytest.raises(ConfigError, match="newer than this"):
        open_warehouse(url)


def test_generated_ddl_runs_for_real_on_duckdb() -> None:
    con = duckdb.connect()
    for statement in create_statements("duckdb"):
        con.execute(statement)
    names = {
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    assert {t.name for t in TABLES} | {f"{t.name}_LANDING" for t in TABLES} <= names


def test_songs_load_end_to_end_with_a_relative_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_csv(tmp_path / "t", SONGS, "2026-11-24", stamped(SONG_ROWS))
    wh = open_warehouse("duckdb:///./data/w.duckdb")
    assert load_pending(LocalStore(tmp_path / "t"), wh).rows == {"SONGS": 6}
    wh.close()
    assert (tmp_path / "data" / "w.duckdb").is_file()


_text = st.one_of(
    st.none(),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30),
)


@settings(max_examples=60, deadline=None)
@given(genres=st.lists(_text, min_size=1, max_size=5))
def test_csv_cells_round_trip_through_the_reader(genres: list[str | None]) -> None:
    """Law: whatever string (or NULL) is written per formats.md reads back identical."""
    rows = [{"artist_id": f"a{i}", "genre": g, "fetched_at": None} for i, g in enumerate(genres)]
    with tempfile.TemporaryDirectory() as tmp:
        path = write_csv(Path(tmp), ARTIST_GENRE, "2026-11-24", rows)
        got = (
            duckdb.connect()
            .execute(f"SELECT genre FROM {csv_reader([path], ARTIST_GENRE)}")
            .fetchall()
        )
    assert [g for (g,) in got] == genres


def test_the_printed_url_opens_the_same_file(tmp_path: Path) -> None:
    wh = open_warehouse(f"duckdb:///{tmp_path / 'w.duckdb'}")
    assert wh.url == f"duckdb://{tmp_path / 'w.duckdb'}"
    assert duckdb_path(wh.url) == str(tmp_path / "w.duckdb")
    wh.close()


def test_a_data_file_or_no_path_is_never_a_silent_in_memory_warehouse(
    tmp_path: Path, dataset_store: LocalStore
) -> None:
    """DuckDB opens a CSV or Parquet path as an in-memory database that reads the file: a
    load there reports success and is gone at exit. So is a URL with no path at all."""
    data_file = next(dataset_store.root.rglob("*.csv.gz"))
    before = data_file.read_bytes()
    with pytest.raises(ConfigError, match="not a DuckDB database file"):
        open_warehouse(f"duckdb:///{data_file}")
    assert data_file.read_bytes() == before
    with pytest.raises(ConfigError, match="no path in the warehouse URL"):
        open_warehouse("duckdb://")
    open_warehouse("duckdb:///:memory:").close()  # still there when asked for by name
