"""The Snowflake adapter against fakesnow: PUT, COPY INTO with the explicit file format, MERGE,
load history, the analytics queries in Snowflake SQL, and the task MERGE. See conftest's
fake_snowflake for the two things fakesnow cannot run here."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from spotify_etl.config import Secrets
from spotify_etl.errors import AuthError, ConfigError
from spotify_etl.model import SONGS, TABLES
from spotify_etl.storage import LocalStore
from spotify_etl.warehouse import load_pending, open_warehouse, run_query
from spotify_etl.warehouse.ddl import landing_name
from spotify_etl.warehouse.snowflake_adapter import SnowflakeWarehouse
from spotify_etl.warehouse.snowflake_auth import auth_options as _auth
from spotify_etl.warehouse.snowflake_auth import parse_url
from spotify_etl.warehouse.snowflake_sql import stream_name, task_merge
from tests.warehouse.dataset import SONG_ROWS, stamped
from tests.warehouse.filegen import write_csv
from tests.warehouse.test_analytics import EXPECTED

pytestmark = pytest.mark.filterwarnings("ignore:Arrow output on a DB-API result:UserWarning")

SECRETS = Secrets(snowflake_user="loader", snowflake_password="s3cr3t-pass-word")  # type: ignore[arg-type]
URL = "snowflake://acct/SPOTIFY/MODEL?warehouse=WH"


@pytest.fixture
def sf(fake_snowflake: None) -> Iterator[SnowflakeWarehouse]:
    wh = open_warehouse(URL, SECRETS)
    assert isinstance(wh, SnowflakeWarehouse)
    yield wh
    wh.close()


def _plain(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return [tuple(float(v) if isinstance(v, Decimal) else v for v in r) for r in rows]


def test_bulk_load_then_every_query_in_snowflake_sql(
    sf: SnowflakeWarehouse, dataset_store: LocalStore
) -> None:
    summary = load_pending(dataset_store, sf)
    assert summary.exit_code == 0 and len(summary.loaded) == 9, summary.lines()
    assert sf.table_counts()["PLAYLIST_ITEM"] == 14
    again = load_pending(dataset_store, sf)
    assert again.loaded == [] and again.skipped == 9
    assert sf.table_counts()["SONGS"] == 6
    for name, expected in EXPECTED.items():
        assert _plain(run_query(sf, name)[1]) == expected, name
    # The NULL convention through Snowflake's file format: '' stays '', \N is NULL.
    upc = sf.execute("SELECT album_id, upc FROM ALBUM WHERE album_id IN ('al1', 'al3') ORDER BY 1")
    assert upc[1] == [("al1", None), ("al3", "")]


def test_a_bad_value_fails_that_file_only(
    sf: SnowflakeWarehouse, store: LocalStore, transformed: Path
) -> None:
    bad = write_csv(
        transformed, SONGS, "2026-11-23", stamped([{**SONG_ROWS[0], "duration_ms": "x"}])
    )
    write_csv(transformed, SONGS, "2026-11-24", stamped(SONG_ROWS))
    summary = load_pending(store, sf)
    assert [k for k, _ in summary.failed] == [bad.relative_to(transformed).as_posix()]
    assert len(summary.loaded) == 1 and sf.table_counts()["SONGS"] == 6
    assert {h.status for h in sf.load_history()} == {"loaded", "failed"}


def test_task_merge_from_a_stream_source_runs(
    sf: SnowflakeWarehouse, store: LocalStore, transformed: Path
) -> None:
    """The tasks' MERGE text (deduplicated source), with the landing table standing in for its
    stream (fakesnow has no streams)."""
    write_csv(transformed, SONGS, "2026-11-24", stamped(SONG_ROWS + SONG_ROWS))
    sf.execute(f"CREATE TABLE SONGS_SRC AS SELECT * FROM {landing_name(SONGS)} WHERE 1 = 0")
    load_pending(store, sf)  # fills SONGS_LANDING
    sf.execute("DELETE FROM SONGS")
    sql = task_merge(SONGS).replace(stream_name(SONGS), landing_name(SONGS))
    sf.execute(sql)
    sf.execute(sql)  # a second run over the same rows changes nothing
    assert sf.table_counts()["SONGS"] == 6


def test_transaction_rolls_back_on_fakesnow() -> None:
    """The real BEGIN/COMMIT/ROLLBACK (no shim) on statements fakesnow runs in a transaction."""
    import fakesnow
    import snowflake.connector

    from spotify_etl.warehouse.snowflake_auth import SnowflakeTarget

    with fakesnow.patch():
        con = snowflake.connector.connect(database="D", schema="S", paramstyle="qmark")
        wh = SnowflakeWarehouse(con, SnowflakeTarget("a", "D", "S", None, None, "ST"))
        wh.execute("CREATE DATABASE IF NOT EXISTS D")
        wh.execute("CREATE SCHEMA IF NOT EXISTS D.S")
        wh.execute("CREATE TABLE T (a INTEGER)")
        with pytest.raises(RuntimeError), wh.transaction():
            wh.execute("INSERT INTO T VALUES (1)")
            raise RuntimeError("crash")
        assert wh.execute("SELECT COUNT(*) FROM T")[1] == [(0,)]
        with wh.transaction():
            wh.execute("INSERT INTO T VALUES (?)", [2])
        assert wh.execute("SELECT a FROM T")[1] == [(2,)]
        wh.close()


def test_every_table_exists_after_open(sf: SnowflakeWarehouse) -> None:
    cols = sf.existing_columns()
    for t in TABLES:
        assert "first_seen_at" in cols[t.name] or "fetched_at" in cols[t.name]
        assert "_source_file" in cols[landing_name(t)]


def test_url_parsing_and_credentials() -> None:
    target = parse_url("snowflake://acct/db/sch?warehouse=W&role=R", Secrets())
    assert (target.account, target.database, target.schema, target.warehouse, target.role) == (
        "acct",
        "DB",
        "SCH",
        "W",
        "R",
    )
    assert parse_url("snowflake:///db/sch", Secrets(snowflake_account="xy")).account == "xy"  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match="credentials do not belong"):
        parse_url("snowflake://u:pw@acct/db/sch", Secrets())
    with pytest.raises(ConfigError, match="incomplete Snowflake URL"):
        parse_url("snowflake://acct/db", Secrets())
    with pytest.raises(AuthError, match="SNOWFLAKE_USER"):
        _auth(Secrets())
    with pytest.raises(AuthError, match="no Snowflake credentials"):
        _auth(Secrets(snowflake_user="u"))  # type: ignore[call-arg]


def test_key_pair_auth(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pass-phrase-1"),
    )
    path = tmp_path / "rsa_key.p8"
    path.write_bytes(pem)
    good = Secrets(
        snowflake_user="u",
        snowflake_private_key_path=str(path),
        snowflake_private_key_passphrase="pass-phrase-1",
    )  # type: ignore[arg-type]
    options = _auth(good)
    assert options["user"] == "u" and options["private_key"][:1] == b"\x30"  # DER sequence
    bad = Secrets(
        snowflake_user="u",
        snowflake_private_key_path=str(path),
        snowflake_private_key_passphrase="wrong-phrase",
    )  # type: ignore[arg-type]
    with pytest.raises(AuthError) as info:
        _auth(bad)
    assert "wrong-phrase" not in str(info.value)


def test_parquet_bulk_load_matches_csv(fake_snowflake: None, tmp_path: Path) -> None:
    import duckdb

    from spotify_etl.model import ALBUM
    from tests.warehouse.dataset import ALBUMS
    from tests.warehouse.filegen import key_for, write_parquet

    root = tmp_path / "pq"
    write_parquet(root, ALBUM, "2026-11-24", stamped(ALBUMS))
    write_parquet(root, SONGS, "2026-11-24", stamped(SONG_ROWS))
    broken = root / key_for(SONGS, "2026-11-23", ext="parquet")
    broken.parent.mkdir(parents=True)
    duckdb.connect().execute(f"COPY (SELECT 's9' AS song_id) TO '{broken}' (FORMAT parquet)")
    wh = open_warehouse(URL, SECRETS)
    summary = load_pending(LocalStore(root), wh)
    assert len(summary.loaded) == 2
    [(key, why)] = summary.failed
    assert key.endswith(".parquet") and "missing song_name" in why
    rows = wh.execute("SELECT album_id, album_name, upc, release_year FROM ALBUM ORDER BY album_id")
    assert rows[1] == [
        ("al1", "First", None, 1999),
        ("al2", "Second", None, 2005),
        ("al3", 'Third, "the" one', "", 2011),
        ("al4", "Fourth", None, None),
    ]
    assert wh.table_counts()["SONGS"] == 6
    wh.close()


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize(
    "source",
    [
        "@SPOTIFY_ETL_LOAD/songs/dt=2026-11-24/7/",
        "@TRANSFORMED_STAGE/songs/dt=2026-11-24/ FILES = ('x')",
    ],
)
def test_bulk_copy_statements_parse_as_snowflake(fmt: str, source: str) -> None:
    import sqlglot
    from sqlglot import exp

    from spotify_etl.warehouse.snowflake_auth import SnowflakeTarget

    wh = SnowflakeWarehouse(None, SnowflakeTarget("a", "D", "S", None, None, "TRANSFORMED_STAGE"))
    sql = wh.copy_statement(SONGS, "SONGS_INCOMING", source, fmt)
    tree = sqlglot.parse_one(sql, read="snowflake", error_level=sqlglot.ErrorLevel.RAISE)
    assert isinstance(tree, exp.Copy)
    assert ("PURGE = TRUE" in sql) == source.startswith("@SPOTIFY_ETL_LOAD/")
    assert "FILE_FORMAT = (TYPE = " in sql


def test_quoted_header_names_are_accepted(
    sf: SnowflakeWarehouse, store: LocalStore, transformed: Path
) -> None:
    from tests.warehouse.test_load_duckdb import quoted_header_file

    quoted_header_file(transformed)
    assert load_pending(store, sf).rows == {"SONGS": 6}


def test_a_refused_login_never_shows_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """No Snowflake account here: the connector's refusal is simulated, echoing the secret."""
    import snowflake.connector

    def refuse(**options: Any) -> None:
        raise snowflake.connector.errors.DatabaseError(
            msg=f"250001: Incorrect username or password ({options['password']})"
        )

    monkeypatch.setattr(snowflake.connector, "connect", refuse)
    with pytest.raises(AuthError) as info:
        open_warehouse(URL, SECRETS)
    assert "s3cr3t-pass-word" not in str(info.value)
    assert "Incorrect username or password" in str(info.value)


def test_a_copy_that_finds_no_file_stops_and_records_nothing(
    sf: SnowflakeWarehouse, dataset_store: LocalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An external stage that is not the transformed root makes COPY process 0 files: the
    file must stay pending, not be recorded as loaded with 0 rows (lost for good)."""
    monkeypatch.setattr(
        SnowflakeWarehouse,
        "_source",
        lambda self, store, key, load_id, n: "@SPOTIFY_ETL_LOAD/none/",
    )
    with pytest.raises(ConfigError, match=r"COPY found no file .* at @SPOTIFY_ETL_LOAD/none/"):
        load_pending(dataset_store, sf)
    assert sf.load_history() == []
    assert set(sf.table_counts().values()) == {0}
