"""Snowflake deployment SQL, generated from the model (infra/snowflake/ holds the rendered files).

Order matters and is the order of SECTIONS: database and schema, storage integration, file
formats, external stage, tables, pipes (Snowpipe: S3 -> landing), streams and tasks (landing ->
model by a deduplicated MERGE; PLAY's task then folds short-format plays, warehouse.fold),
monitoring queries. The CSV file format is the one transform
writes (docs/formats.md); the bulk loader (`spotify-etl snowflake load`) uses the same options
inline, so both paths read a file identically.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from spotify_etl.model import TABLES, FileFormat, Table
from spotify_etl.warehouse.ddl import (
    LOAD_ID,
    LOADED_AT,
    SOURCE_FILE,
    create_statements,
    dedup_source,
    landing_name,
    merge_statement,
    sql_type,
)
from spotify_etl.warehouse.fold import fold_statements, folds, touched_minutes

# '\\N' in a Snowflake literal is the two characters \N: transform's NULL token. Unenclosed
# backslashes are data (ESCAPE_UNENCLOSED_FIELD = NONE), "" is an empty string, not NULL.
CSV_OPTIONS = (
    "TYPE = CSV FIELD_DELIMITER = ',' SKIP_HEADER = 1 FIELD_OPTIONALLY_ENCLOSED_BY = '\"' "
    "NULL_IF = ('\\\\N') EMPTY_FIELD_AS_NULL = FALSE ESCAPE_UNENCLOSED_FIELD = NONE "
    "COMPRESSION = GZIP"
)
PARQUET_OPTIONS = "TYPE = PARQUET"


@dataclass(frozen=True)
class DeploySettings:
    database: str = "SPOTIFY_ETL"
    schema: str = "MODEL"
    warehouse: str = "SPOTIFY_ETL_WH"
    stage_url: str = "s3://spotify-etl-transformed/transformed/"
    aws_role_arn: str = "arn:aws:iam::123456789012:role/spotify-etl-snowflake"
    integration: str = "SPOTIFY_ETL_S3"
    stage: str = "TRANSFORMED_STAGE"
    format: FileFormat = "csv"
    task_schedule: str = "5 MINUTE"

    @property
    def file_format(self) -> str:
        return "SPOTIFY_ETL_CSV" if self.format == "csv" else "SPOTIFY_ETL_PARQUET"


def pipe_name(table: Table) -> str:
    return f"{table.name}_PIPE"


def pipe_pattern(table: Table, fmt: FileFormat = "csv") -> str:
    """Snowpipe applies PATTERN to the path below the stage URL (the transformed root):
    `<table>/dt=YYYY-MM-DD/<batch>.csv.gz`. Anchored, so `_quarantine/...` and a table whose
    name starts with another's (song_artist vs songs) never match."""
    ext = "[.]csv[.]gz" if fmt == "csv" else "[.]parquet"
    return f"^/?{table.folder}/dt=[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}/[^/]+{ext}$"


def _select_list(table: Table, fmt: FileFormat) -> str:
    if fmt == "csv":
        cols = [f"${i}" for i in range(1, len(table.columns) + 1)]
    else:
        cols = [f"$1:{c.name}::{sql_type(c.type, 'snowflake')}" for c in table.columns]
    # _load_id 0 marks rows landed by Snowpipe (its COPY_HISTORY is their load history).
    return ", ".join([*cols, "METADATA$FILENAME", "0", "CURRENT_TIMESTAMP()"])


def _database(s: DeploySettings) -> list[str]:
    return [
        f"CREATE WAREHOUSE IF NOT EXISTS {s.warehouse} WAREHOUSE_SIZE = 'XSMALL' "
        "AUTO_SUSPEND = 60 AUTO_RESUME = TRUE INITIALLY_SUSPENDED = TRUE",
        f"CREATE DATABASE IF NOT EXISTS {s.database}",
        f"CREATE SCHEMA IF NOT EXISTS {s.database}.{s.schema}",
        f"USE SCHEMA {s.database}.{s.schema}",
    ]


def _integration(s: DeploySettings) -> list[str]:
    # Needs ACCOUNTADMIN (or CREATE INTEGRATION). Afterwards run DESC INTEGRATION and put its
    # STORAGE_AWS_IAM_USER_ARN and STORAGE_AWS_EXTERNAL_ID into the IAM role's trust policy.
    return [
        f"CREATE STORAGE INTEGRATION IF NOT EXISTS {s.integration} TYPE = EXTERNAL_STAGE "
        f"STORAGE_PROVIDER = 'S3' ENABLED = TRUE STORAGE_AWS_ROLE_ARN = '{s.aws_role_arn}' "
        f"STORAGE_ALLOWED_LOCATIONS = ('{s.stage_url}')",
        f"DESC INTEGRATION {s.integration}",
    ]


def _file_formats(s: DeploySettings) -> list[str]:
    return [
        f"CREATE OR REPLACE FILE FORMAT SPOTIFY_ETL_CSV {CSV_OPTIONS}",
        f"CREATE OR REPLACE FILE FORMAT SPOTIFY_ETL_PARQUET {PARQUET_OPTIONS}",
    ]


def _stage(s: DeploySettings) -> list[str]:
    return [
        f"CREATE STAGE IF NOT EXISTS {s.stage} URL = '{s.stage_url}' "
        f"STORAGE_INTEGRATION = {s.integration} FILE_FORMAT = (FORMAT_NAME = '{s.file_format}')"
    ]


def _tables(s: DeploySettings) -> list[str]:
    return create_statements("snowflake")


def pipe_statement(table: Table, s: DeploySettings) -> str:
    target = ", ".join([*table.column_names, SOURCE_FILE, LOAD_ID, LOADED_AT])
    return (
        f"CREATE PIPE IF NOT EXISTS {pipe_name(table)} AUTO_INGEST = TRUE AS "
        f"COPY INTO {landing_name(table)} ({target}) "
        f"FROM (SELECT {_select_list(table, s.format)} FROM @{s.stage}) "
        f"FILE_FORMAT = (FORMAT_NAME = '{s.file_format}') "
        f"PATTERN = '{pipe_pattern(table, s.format)}' ON_ERROR = SKIP_FILE"
    )


def _pipes(s: DeploySettings) -> list[str]:
    # SHOW PIPES gives each pipe's notification_channel (an SQS ARN): point the transformed
    # bucket's s3:ObjectCreated:* notification for the prefix at it.
    return [pipe_statement(t, s) for t in TABLES]


def stream_name(table: Table) -> str:
    return f"{landing_name(table)}_STREAM"


def task_merge(table: Table) -> str:
    return merge_statement(table, dedup_source(table, stream_name(table)))


def task_statements(table: Table) -> list[str]:
    """What a table's task runs: its MERGE from the stream and, for PLAY, the fold of
    short-format plays into the precise play of their minute over the minutes the stream's
    rows touch (warehouse.fold), the same as the bulk load does after its MERGE."""
    out = [task_merge(table)]
    if folds(table):
        out += fold_statements(touched_minutes(stream_name(table)))
    return out


def task_body(table: Table) -> str:
    """One statement as is; several as one Snowflake Scripting block in one transaction.
    Inside an explicit transaction every read of the stream sees the same rows, and its
    offset moves only when the block commits, so a failed fold leaves the rows pending."""
    steps = task_statements(table)
    if len(steps) == 1:
        return steps[0]
    body = "".join(f"  {step};\n" for step in steps)
    return f"EXECUTE IMMEDIATE $$\nBEGIN\n  BEGIN TRANSACTION;\n{body}  COMMIT;\nEND;\n$$"


def _streams_tasks(s: DeploySettings) -> list[str]:
    out: list[str] = []
    for t in TABLES:
        out.append(
            f"CREATE STREAM IF NOT EXISTS {stream_name(t)} ON TABLE {landing_name(t)} "
            "APPEND_ONLY = TRUE"
        )
        out.append(
            f"CREATE TASK IF NOT EXISTS MERGE_{t.name} WAREHOUSE = {s.warehouse} "
            f"SCHEDULE = '{s.task_schedule}' "
            f"WHEN SYSTEM$STREAM_HAS_DATA('{stream_name(t)}') AS {task_body(t)}"
        )
        out.append(f"ALTER TASK MERGE_{t.name} RESUME")
    return out


def _monitoring(s: DeploySettings) -> list[str]:
    out = [
        f"SELECT '{pipe_name(t)}' AS pipe, SYSTEM$PIPE_STATUS('{pipe_name(t)}') AS status"
        for t in TABLES
    ]
    out += [
        "SELECT table_name, file_name, status, row_count, first_error_message, last_load_time "
        f"FROM TABLE(INFORMATION_SCHEMA.COPY_HISTORY(TABLE_NAME => '{landing_name(t)}', "
        "START_TIME => DATEADD(HOUR, -24, CURRENT_TIMESTAMP()))) ORDER BY last_load_time DESC"
        for t in TABLES
    ]
    out.append(
        "SELECT name, state, error_message, scheduled_time, completed_time "
        "FROM TABLE(INFORMATION_SCHEMA.TASK_HISTORY(SCHEDULED_TIME_RANGE_START => "
        "DATEADD(HOUR, -24, CURRENT_TIMESTAMP()))) ORDER BY scheduled_time DESC"
    )
    return out


def _views(s: DeploySettings) -> list[str]:
    from spotify_etl.warehouse.views import view_statements

    return list(view_statements("snowflake"))


SECTIONS: tuple[tuple[str, str, Callable[[DeploySettings], list[str]]], ...] = (
    ("01_database.sql", "Warehouse, database and schema", _database),
    ("02_storage_integration.sql", "Storage integration (ACCOUNTADMIN)", _integration),
    ("03_file_formats.sql", "File formats matching what transform writes", _file_formats),
    ("04_stage.sql", "External stage on the transformed bucket", _stage),
    ("05_tables.sql", "Model, landing and bookkeeping tables", _tables),
    ("06_pipes.sql", "One auto-ingest pipe per table", _pipes),
    (
        "07_streams_tasks.sql",
        "Streams and tasks: landing -> model (deduplicated MERGE)",
        _streams_tasks,
    ),
    ("08_monitoring.sql", "Monitoring: pipe status, copy and task history", _monitoring),
    ("09_views.sql", "Views for BI tools (the same as the DuckDB migrations create)", _views),
)


def statements(s: DeploySettings | None = None) -> list[str]:
    s = s or DeploySettings()
    return [stmt for _file, _title, build in SECTIONS for stmt in build(s)]


def render_sections(s: DeploySettings | None = None) -> dict[str, str]:
    """File name -> SQL text, as stored in infra/snowflake/."""
    s = s or DeploySettings()
    files = {}
    for name, title, build in SECTIONS:
        header = (
            f"-- {title}\n-- Generated by `spotify-etl snowflake ddl` from spotify_etl.model; "
            "do not edit by hand.\n"
        )
        files[name] = header + "".join(f"\n{stmt};\n" for stmt in build(s))
    return files


def render(s: DeploySettings | None = None) -> str:
    return "\n".join(render_sections(s).values())
