"""The Snowflake deployment SQL: parses, is in a valid order, matches the real file names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from spotify_etl.model import CSV_NULL, TABLES, TABLES_BY_NAME, Table
from spotify_etl.warehouse.ddl import combines
from spotify_etl.warehouse.snowflake_sql import (
    CSV_OPTIONS,
    DeploySettings,
    pipe_pattern,
    render_sections,
    statements,
    task_body,
    task_statements,
)

INFRA = Path(__file__).resolve().parents[2] / "infra" / "snowflake"
# sqlglot has no grammar for these; it keeps them as a Command and we check their bodies.
_OPAQUE = re.compile(r"^(CREATE PIPE|CREATE TASK|CREATE STREAM|ALTER TASK) ")


def _parse(sql: str) -> exp.Expr:
    return sqlglot.parse_one(sql, read="snowflake", error_level=sqlglot.ErrorLevel.RAISE)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_every_statement_parses_with_the_snowflake_dialect(fmt: str) -> None:
    for sql in statements(DeploySettings(format=fmt)):  # type: ignore[arg-type]
        tree = _parse(sql)
        if not isinstance(tree, exp.Command):
            continue
        assert _OPAQUE.match(sql), sql
        if " AS " in sql and not sql.startswith("ALTER"):
            text = sql.split(" AS ", 1)[1]
            if text.startswith("EXECUTE IMMEDIATE $$"):  # a task of several statements
                table = TABLES_BY_NAME[sql.split("MERGE_", 1)[1].split(" ", 1)[0]]
                assert text == task_body(table), sql
                steps = [_parse(step) for step in task_statements(table)]
                assert isinstance(steps[0], exp.Merge), sql
                assert all(isinstance(s, (exp.Update, exp.Delete)) for s in steps[1:]), sql
                text = task_statements(table)[0]
            body = _parse(text)
            assert isinstance(body, (exp.Copy, exp.Merge)), sql
            if isinstance(body, exp.Merge):
                # one row per key: the latest (QUALIFY), or each column by its rule (GROUP BY)
                into = body.this.name
                dedup = "GROUP BY" if combines(TABLES_BY_NAME[into]) else "QUALIFY ROW_NUMBER()"
                assert dedup in body.sql("snowflake"), sql


def _first(sqls: list[str], prefix: str) -> int:
    return next(i for i, s in enumerate(sqls) if s.startswith(prefix))


def _last(sqls: list[str], prefix: str) -> int:
    return max(i for i, s in enumerate(sqls) if s.startswith(prefix))


def test_statements_are_in_a_valid_order() -> None:
    sqls = statements()
    assert (
        _last(sqls, "CREATE DATABASE") < _first(sqls, "USE SCHEMA") < _first(sqls, "CREATE TABLE")
    )
    assert _last(sqls, "CREATE STORAGE INTEGRATION") < _first(sqls, "CREATE STAGE")
    assert _last(sqls, "CREATE OR REPLACE FILE FORMAT") < _first(sqls, "CREATE STAGE")
    assert _last(sqls, "CREATE TABLE") < _first(sqls, "CREATE PIPE")
    assert _last(sqls, "CREATE STAGE") < _first(sqls, "CREATE PIPE")
    for t in TABLES:
        stream = _first(sqls, f"CREATE STREAM IF NOT EXISTS {t.name}_LANDING_STREAM ")
        task = _first(sqls, f"CREATE TASK IF NOT EXISTS MERGE_{t.name} ")
        assert stream < task < _first(sqls, f"ALTER TASK MERGE_{t.name} RESUME")
    assert _last(sqls, "ALTER TASK") < _first(sqls, "SELECT")
    monitoring = " ".join(s for s in sqls if s.startswith("SELECT"))
    assert "SYSTEM$PIPE_STATUS" in monitoring and "COPY_HISTORY" in monitoring
    assert sum(s.startswith("CREATE PIPE") and "AUTO_INGEST = TRUE" in s for s in sqls) == len(
        TABLES
    )


def test_infra_files_are_the_generated_sql() -> None:
    rendered = render_sections()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in INFRA.glob("*.sql")}
    assert on_disk == rendered, "run: spotify-etl snowflake ddl --out infra/snowflake"


def _names(table: Table, ext: str) -> list[str]:
    return [
        f"{table.folder}/dt=2026-11-24/20261124T060000Z-1a2b3c4d-part-00000.{ext}",
        f"{table.folder}/dt=2026-01-01/20260101T000000Z-ffffffff-part-00012.{ext}",
    ]


@pytest.mark.parametrize("fmt,ext", [("csv", "csv.gz"), ("parquet", "parquet")])
@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_each_pipe_pattern_matches_its_files_only(table: Table, fmt: str, ext: str) -> None:
    pattern = re.compile(pipe_pattern(table, fmt))  # type: ignore[arg-type]
    for name in _names(table, ext):
        assert pattern.fullmatch(name) and pattern.search(name), name
    others = [n for t in TABLES if t is not table for n in _names(t, ext)]
    outside = [f"_quarantine/{n}" for n in _names(table, ext)] + [
        "_batches/dt=2026-11-24/20261124T060000Z-1a2b3c4d-part-00000.json",
        f"_quarantine/{table.folder}/dt=2026-11-24/x.{ext}",
        f"{table.folder}/dt=2026-11-24/x.{'parquet' if fmt == 'csv' else 'csv.gz'}",
        f"{table.folder}/dt=2026-11-24/nested/x.{ext}",
        f"{table.folder}/2026-11-24/x.{ext}",
    ]
    for name in others + outside:
        assert not pattern.search(name), name


def test_csv_file_format_is_the_transform_contract() -> None:
    tree = _parse(f"CREATE FILE FORMAT F {CSV_OPTIONS}")
    text = tree.sql("snowflake")
    null_if = re.search(r"NULL_IF=\('(.*?)'\)", text.replace(" ", ""))
    assert null_if is not None
    literal = _parse(f"SELECT '{null_if.group(1)}'").find(exp.Literal)
    assert literal is not None and literal.this == CSV_NULL
    for option in (
        "SKIP_HEADER = 1",
        "FIELD_OPTIONALLY_ENCLOSED_BY = '\"'",
        "EMPTY_FIELD_AS_NULL = FALSE",
        "COMPRESSION = GZIP",
        "FIELD_DELIMITER = ','",
        "ESCAPE_UNENCLOSED_FIELD = NONE",
    ):
        assert option in CSV_OPTIONS


def test_ddl_command_writes_and_prints_the_same_sql(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from spotify_etl.warehouse.cli import snowflake_app

    runner = CliRunner()
    printed = runner.invoke(snowflake_app, ["ddl", "--database", "prod", "--stage-url", "s3://b/p"])
    assert printed.exit_code == 0, printed.output
    assert "CREATE DATABASE IF NOT EXISTS PROD;" in printed.output
    assert "URL = 's3://b/p/'" in printed.output
    written = runner.invoke(snowflake_app, ["ddl", "--out", str(tmp_path)])
    assert written.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(render_sections())


def test_the_deployment_model_sql_runs_for_real_on_duckdb(tmp_path: Path) -> None:
    """Tables and task MERGEs of the Snowflake deployment, transpiled by sqlglot, on DuckDB:
    landing rows (from a real load) merged by the tasks' statements give the same model."""
    import duckdb

    from spotify_etl.storage import LocalStore
    from spotify_etl.warehouse import load_pending, open_warehouse
    from spotify_etl.warehouse.ddl import landing_name
    from spotify_etl.warehouse.snowflake_sql import _tables, stream_name
    from tests.warehouse.dataset import write_dataset

    write_dataset(tmp_path / "t")
    wh = open_warehouse(f"duckdb:///{tmp_path / 'w.duckdb'}")
    load_pending(LocalStore(tmp_path / "t"), wh)
    wh.close()
    con = duckdb.connect()
    con.execute(f"ATTACH '{tmp_path / 'w.duckdb'}' AS loaded (READ_ONLY)")
    for sql in _tables(DeploySettings()):
        con.execute(sqlglot.transpile(sql, read="snowflake", write="duckdb")[0])
    for t in TABLES:
        con.execute(f"INSERT INTO {landing_name(t)} SELECT * FROM loaded.{landing_name(t)}")
        steps = [s.replace(stream_name(t), landing_name(t)) for s in task_statements(t)]
        for _ in range(2):  # a task running twice over the same rows changes nothing
            for step in steps:  # the MERGE, then (PLAY) the fold of short-format plays
                con.execute(sqlglot.transpile(step, read="snowflake", write="duckdb")[0])
        got = con.execute(f"SELECT * FROM {t.name} ORDER BY ALL").fetchall()
        want = con.execute(f"SELECT * FROM loaded.{t.name} ORDER BY ALL").fetchall()
        assert got == want, t.name
