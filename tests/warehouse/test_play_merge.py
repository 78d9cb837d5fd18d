"""PLAY's MERGE rule per column, on DuckDB and the Snowflake SQL (fakesnow): the API's row and
the export's row of one play become one row with the fields of both, in any order, in one
file or two, and loading again changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spotify_etl.config import Secrets
from spotify_etl.model import PLAY
from spotify_etl.storage import LocalStore
from spotify_etl.warehouse import Warehouse, load_pending, open_warehouse
from spotify_etl.warehouse.ddl import dedup_source, merge_statement
from spotify_etl.warehouse.fold import fold_statements, touched_minutes
from tests.warehouse.filegen import write_csv

pytestmark = pytest.mark.filterwarnings("ignore:Arrow output on a DB-API result:UserWarning")

T = "2026-11-24 10:15:30"
API = {
    "played_at": T, "song_id": "s1", "played_at_exact": "2026-11-24 10:15:30.123",
    "context_type": "playlist", "context_uri": "spotify:playlist:p1", "source": "api",
    "track_name": "One", "artist_name": "Alpha", "fetched_at": "2026-11-24 10:20:00",
}  # fmt: skip
EXPORT = {
    "played_at": T, "song_id": "s1", "ms_played": 201000, "source": "export",
    "track_name": "One", "artist_name": "Alpha", "reason_start": "clickrow",
    "reason_end": "trackdone", "shuffle": False, "skipped": False, "platform": "iOS",
    "conn_country": "SE", "fetched_at": T,
}  # fmt: skip
OTHER = {**EXPORT, "song_id": "s2", "ms_played": 5000, "skipped": True}
COLS = "played_at_exact, ms_played, context_type, context_uri, source, reason_end, skipped"
# song, exact time known, ms_played, context type and uri, source, reason_end, skipped
EXPECTED = [
    ("s1", True, 201000, "playlist", "spotify:playlist:p1", "api+export", "trackdone", False),
    ("s2", False, 5000, None, None, "export", "trackdone", True),
]


@pytest.fixture(params=["duckdb", "duckdb-merge-passes", "snowflake"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Warehouse]:
    if request.param == "snowflake":
        request.getfixturevalue("fake_snowflake")
        secrets = Secrets(snowflake_user="u", snowflake_password="not-a-real-pass")  # type: ignore[arg-type]
        wh = open_warehouse("snowflake://acct/SPOTIFY/MODEL?warehouse=WH", secrets)
    else:
        # merge-passes: every MERGE split into one pass per row, the same rows must result
        passes = {"merge_rows": 1} if request.param == "duckdb-merge-passes" else {}
        wh = open_warehouse(f"duckdb:///{tmp_path / 'wh.duckdb'}", **passes)
    yield wh
    wh.close()


def _rows(wh: Warehouse) -> list[tuple[Any, ...]]:
    rows = wh.execute(f"SELECT song_id, {COLS} FROM PLAY ORDER BY song_id")[1]
    return [(r[0], r[1] is not None, *r[2:]) for r in rows]


@pytest.mark.parametrize("order", ["api first", "export first", "one file"])
def test_one_play_from_both_sources_is_one_row_with_both_fields(
    engine: Warehouse, tmp_path: Path, order: str
) -> None:
    root = tmp_path / "t"
    store = LocalStore(root)
    if order == "one file":
        write_csv(root, PLAY, "2026-11-24", [API, EXPORT, OTHER])
        load_pending(store, engine)
    else:
        first, second = (
            ([API], [EXPORT, OTHER]) if order == "api first" else ([EXPORT, OTHER], [API])
        )
        write_csv(root, PLAY, "2026-11-24", first, name="a")
        load_pending(store, engine)
        write_csv(root, PLAY, "2026-11-25", second, name="b")
        load_pending(store, engine)
    assert _rows(engine) == EXPECTED
    # the MERGE again over every landed row (a task re-run, a replayed file): nothing changes
    engine.execute(merge_statement(PLAY, dedup_source(PLAY, "PLAY_LANDING")))
    assert _rows(engine) == EXPECTED


# The short export format ("Account data"): endTime to the minute, names only, keyed at
# HH:MM:00 (history.plays). A precise row of the same song in that minute is the same play.
def _short(song: str, minute: str, ms: int) -> dict[str, Any]:
    at = f"2026-11-24 {minute}:00"
    return {
        "played_at": at, "song_id": song, "ms_played": ms, "source": "export",
        "track_name": f"T{song}", "artist_name": "Alpha", "fetched_at": at,
    }  # fmt: skip


def _api(song: str, second: str, context: str = "album") -> dict[str, Any]:
    return {
        "played_at": f"2026-11-24 {second}", "song_id": song,
        "played_at_exact": f"2026-11-24 {second}.250", "context_type": context,
        "context_uri": f"spotify:{context}:c1", "source": "api", "track_name": f"T{song}",
        "artist_name": "Alpha", "fetched_at": "2026-11-24 23:00:00",
    }  # fmt: skip


def _extended(song: str, second: str, ms: int) -> dict[str, Any]:
    at = f"2026-11-24 {second}"
    return {
        "played_at": at, "song_id": song, "ms_played": ms, "source": "export",
        "track_name": f"T{song}", "artist_name": "Alpha", "reason_start": "trackdone",
        "reason_end": "trackdone", "shuffle": True, "skipped": False, "platform": "iOS",
        "conn_country": "SE", "fetched_at": at,
    }  # fmt: skip


SHORT = [
    _short("s3", "10:30", 180000),  # folds into the API's 10:30:42
    _short("s4", "11:00", 99000),  # folds into the extended export's 11:00:15
    _short("s5", "12:00", 30000),  # two precise plays of s5 in 12:00: ambiguous, kept
    _short("s6", "13:00", 1000),  # no precise play: kept
]
PRECISE = [
    _api("s3", "10:30:42"),
    _api("s3", "10:31:05"),  # the next minute: another play
    _extended("s4", "11:00:15", 200000),
    _api("s5", "12:00:10"),
    _api("s5", "12:00:50"),
]
FOLD_COLS = "played_at, song_id, played_at_exact, ms_played, context_type, source, reason_end"
FOLDED = [
    ("10:30:42", "s3", True, 180000, "album", "api+export", None),
    ("10:31:05", "s3", True, None, "album", "api", None),
    ("11:00:15", "s4", False, 200000, None, "export", "trackdone"),
    ("12:00:00", "s5", False, 30000, None, "export", None),
    ("12:00:10", "s5", True, None, "album", "api", None),
    ("12:00:50", "s5", True, None, "album", "api", None),
    ("13:00:00", "s6", False, 1000, None, "export", None),
]


def _folded_rows(wh: Warehouse) -> list[tuple[Any, ...]]:
    rows = wh.execute(f"SELECT {FOLD_COLS} FROM PLAY ORDER BY played_at, song_id")[1]
    return [(r[0].strftime("%H:%M:%S"), r[1], r[2] is not None, *r[3:]) for r in rows]


def _remerge(wh: Warehouse) -> None:
    """Every landed row merged again, then folded (a task re-run, a replayed file)."""
    wh.execute(merge_statement(PLAY, dedup_source(PLAY, "PLAY_LANDING")))
    for statement in fold_statements(touched_minutes("PLAY_LANDING")):
        wh.execute(statement)


@pytest.mark.parametrize("order", ["short first", "precise first", "one file"])
def test_a_short_format_play_folds_into_its_precise_play_in_either_order(
    engine: Warehouse, tmp_path: Path, order: str
) -> None:
    root = tmp_path / "t"
    store = LocalStore(root)
    if order == "one file":
        write_csv(root, PLAY, "2026-11-24", [*SHORT, *PRECISE])
        load_pending(store, engine)
    else:
        first, second = (SHORT, PRECISE) if order == "short first" else (PRECISE, SHORT)
        write_csv(root, PLAY, "2026-11-24", first, name="a")
        load_pending(store, engine)
        write_csv(root, PLAY, "2026-11-25", second, name="b")
        load_pending(store, engine)
    assert _folded_rows(engine) == FOLDED
    _remerge(engine)
    assert _folded_rows(engine) == FOLDED


@pytest.mark.parametrize("order", ["short first", "precise first"])
def test_the_snowflake_task_folds_a_short_play_in_either_order(tmp_path: Path, order: str) -> None:
    """MERGE_PLAY's statements (the MERGE from the stream, then the fold), transpiled by
    sqlglot and run on DuckDB, one stream batch at a time: the same rows as the bulk load."""
    import duckdb
    import sqlglot

    from spotify_etl.warehouse.snowflake_sql import (
        DeploySettings,
        _tables,
        stream_name,
        task_statements,
    )

    root = tmp_path / "t"
    write_csv(root, PLAY, "2026-11-24", SHORT, name="a")
    write_csv(root, PLAY, "2026-11-25", PRECISE, name="b")
    wh = open_warehouse(f"duckdb:///{tmp_path / 'w.duckdb'}")
    load_pending(LocalStore(root), wh)
    wh.close()
    con = duckdb.connect()
    con.execute(f"ATTACH '{tmp_path / 'w.duckdb'}' AS loaded (READ_ONLY)")
    for sql in _tables(DeploySettings()):
        con.execute(sqlglot.transpile(sql, read="snowflake", write="duckdb")[0])
    steps = [
        sqlglot.transpile(s, read="snowflake", write="duckdb")[0] for s in task_statements(PLAY)
    ]
    batches = ["play/dt=2026-11-24/a.csv.gz", "play/dt=2026-11-25/b.csv.gz"]
    for key in batches if order == "short first" else batches[::-1]:
        pick = f"SELECT * FROM loaded.PLAY_LANDING WHERE _source_file = '{key}'"
        con.execute(f"CREATE OR REPLACE TABLE {stream_name(PLAY)} AS {pick}")
        assert con.execute(f"SELECT count(*) FROM {stream_name(PLAY)}").fetchone() != (0,)
        con.execute(f"INSERT INTO PLAY_LANDING {pick}")
        for _ in range(2):  # a task re-run over the same stream rows changes nothing
            for step in steps:
                con.execute(step)
    rows = con.execute(f"SELECT {FOLD_COLS} FROM PLAY ORDER BY played_at, song_id").fetchall()
    assert [(r[0].strftime("%H:%M:%S"), r[1], r[2] is not None, *r[3:]) for r in rows] == FOLDED


# Property: any plays of a few songs over a few minutes (short-format, API, extended export),
# spread over loads in any order, give the PLAY rows of one load of them all; merging every
# landed row again (and folding) changes nothing; each play is one row.
_CELLS = st.sampled_from(["short", "api", "extended", "short+api", "short+extended", "short+2"])


@st.composite
def _plays(draw: st.DrawFn) -> tuple[list[list[dict[str, Any]]], int]:
    loads: list[list[dict[str, Any]]] = [[], [], []]
    expected = 0
    cells = draw(st.dictionaries(st.tuples(st.sampled_from("abc"), st.integers(0, 3)), _CELLS))
    for (song, minute), cell in cells.items():
        at = f"10:{minute:02d}"
        second = draw(st.integers(1, 59))
        precise = []
        if "api" in cell or cell == "short+2":
            precise.append(_api(song, f"{at}:{second:02d}"))
        if "extended" in cell:
            precise.append(_extended(song, f"{at}:{second:02d}", 1000 * second))
        if cell == "short+2":
            precise.append(_extended(song, f"{at}:{(second % 59) + 1:02d}", 7000))
            if precise[0]["played_at"] == precise[1]["played_at"]:
                precise.pop()
        where = draw(st.integers(0, 2))
        loads[where] += precise  # a minute's precise plays arrive together (see fold.py)
        expected += len(precise)
        if "short" in cell:
            loads[draw(st.integers(0, 2))].append(_short(song, at, 500 * second))
            expected += 0 if len(precise) == 1 else 1
    return loads, expected


def _load_all(wh: Warehouse, root: Path, loads: list[list[dict[str, Any]]]) -> None:
    for n, rows in enumerate(loads):
        if rows:
            write_csv(root, PLAY, f"2026-11-{24 + n}", rows, name=f"l{n}")
            assert load_pending(LocalStore(root), wh).failed == []


@pytest.mark.parametrize("kind", ["duckdb", "snowflake"])
def test_any_order_of_loads_gives_the_same_play_rows_and_remerging_changes_nothing(
    kind: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> None:
    if kind == "snowflake":
        request.getfixturevalue("fake_snowflake")
    counter = iter(range(10**6))

    def warehouse() -> Warehouse:
        n = next(counter)
        if kind == "snowflake":
            secrets = Secrets(snowflake_user="u", snowflake_password="not-a-real-pass")  # type: ignore[arg-type]
            return open_warehouse(f"snowflake://acct/PROP{n}/MODEL?warehouse=WH", secrets)
        return open_warehouse(f"duckdb:///{tmp_path_factory.mktemp('wh') / f'{n}.duckdb'}")

    @settings(max_examples=20 if kind == "duckdb" else 6, deadline=None)
    @given(_plays(), st.permutations([0, 1, 2]))
    def check(plays: tuple[list[list[dict[str, Any]]], int], order: list[int]) -> None:
        loads, expected = plays
        results = []
        for arrangement in ([[r for rows in loads for r in rows]], [loads[i] for i in order]):
            wh = warehouse()
            try:
                _load_all(wh, tmp_path_factory.mktemp("t"), arrangement)
                before = _folded_rows(wh)
                _remerge(wh)
                assert _folded_rows(wh) == before  # re-merging changes nothing
                results.append(before)
            finally:
                wh.close()
        assert results[0] == results[1]  # any order of loads: the rows of one load
        assert len(results[0]) == expected  # each play once; an ambiguous short row apart

    check()


def test_the_import_maps_a_short_play_only_onto_the_one_precise_play_of_its_minute(
    engine: Warehouse, tmp_path: Path
) -> None:
    """import history's minute map (the same rule as the fold, the other order): short rows
    are not precise; a minute with two plays of the song is ambiguous."""
    from spotify_etl.history.importer import _minutes
    from spotify_etl.history.plays import AMBIGUOUS

    write_csv(tmp_path / "t", PLAY, "2026-11-24", [*PRECISE, _short("s6", "13:00", 1000)])
    load_pending(LocalStore(tmp_path / "t"), engine)
    assert _minutes(engine) == {
        ("s3", "2026-11-24 10:30"): "2026-11-24 10:30:42",
        ("s3", "2026-11-24 10:31"): "2026-11-24 10:31:05",
        ("s4", "2026-11-24 11:00"): "2026-11-24 11:00:15",
        ("s5", "2026-11-24 12:00"): AMBIGUOUS,
    }
