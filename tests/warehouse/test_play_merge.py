"""PLAY's MERGE rule per column, on DuckDB and the Snowflake SQL (fakesnow): the API's row and
the export's row of one play become one row with the fields of both, in any order, in one
file or two, and loading again changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from spotify_etl.config import Secrets
from spotify_etl.model import PLAY
from spotify_etl.storage import LocalStore
from spotify_etl.warehouse import Warehouse, load_pending, open_warehouse
from spotify_etl.warehouse.ddl import dedup_source, merge_statement
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
