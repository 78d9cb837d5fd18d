"""Snowflake behind the same interface: the bulk path for users without Snowpipe.

Per file: PUT it to an internal stage (local folder) or name it on the external stage (S3),
COPY INTO a session-temporary table with the explicit file format, then in one transaction
append it to the landing table, MERGE into the model and record the load history. COPY runs
with ON_ERROR = ABORT_STATEMENT on one file at a time, which is SKIP_FILE for that file: it
loads whole or not at all, and the loader records the error and goes on.

Credentials come from Secrets (SNOWFLAKE_USER plus SNOWFLAKE_PASSWORD or a key pair) and are
registered for redaction; they never appear in the URL, messages or logs.
"""

from __future__ import annotations

import contextlib
import gzip
import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from spotify_etl.config import Secrets
from spotify_etl.errors import AuthError, ConfigError, FatalError, InputError
from spotify_etl.logs import redact
from spotify_etl.model import TABLES, Table
from spotify_etl.storage import LocalStore, ObjectStore
from spotify_etl.warehouse import migrate
from spotify_etl.warehouse.base import FileLoad
from spotify_etl.warehouse.ddl import ColumnDef, Dialect, landing_name, merge_load, sql_type
from spotify_etl.warehouse.history import HistoryMixin, utc_now
from spotify_etl.warehouse.reading import check_columns, header_names
from spotify_etl.warehouse.snowflake_auth import SnowflakeTarget, auth_options, parse_url
from spotify_etl.warehouse.snowflake_sql import CSV_OPTIONS, PARQUET_OPTIONS

LOAD_STAGE = "SPOTIFY_ETL_LOAD"  # internal stage for files PUT from a local folder


class SnowflakeWarehouse(HistoryMixin):
    dialect: Dialect = "snowflake"

    def __init__(
        self, con: Any, target: SnowflakeTarget, tables: tuple[Table, ...] = TABLES
    ) -> None:
        self.con = con
        self.target = target
        self.url = target.url
        self.tables = tables
        self._temps: set[str] = set()

    @classmethod
    def connect(cls, url: str, secrets: Secrets) -> SnowflakeWarehouse:
        import snowflake.connector

        target = parse_url(url, secrets)
        options: dict[str, Any] = {
            "account": target.account,
            "database": target.database,
            "schema": target.schema,
            "paramstyle": "qmark",
            "application": "spotify-etl",
            **auth_options(secrets),
        }
        if target.warehouse:
            options["warehouse"] = target.warehouse
        if target.role:
            options["role"] = target.role
        try:
            con = snowflake.connector.connect(**options)
        except snowflake.connector.errors.Error as exc:
            # The connector's message names the account and the reason, never the password.
            raise AuthError(
                f"cannot connect to Snowflake {target.url}: {redact(str(exc.msg))}"
            ) from None
        return cls(con, target)

    def ensure_schema(self) -> list[str]:
        import snowflake.connector

        where = f"{self.target.database}.{self.target.schema}"
        try:
            self.execute(f"USE SCHEMA {where}")
        except snowflake.connector.errors.ProgrammingError:
            # Only a missing schema gets here: a deployed role need not be allowed to create.
            self.execute(f"CREATE DATABASE IF NOT EXISTS {self.target.database}")
            self.execute(f"CREATE SCHEMA IF NOT EXISTS {where}")
            self.execute(f"USE SCHEMA {where}")
        alters = migrate.apply(self, self.tables)
        self.execute(f"CREATE STAGE IF NOT EXISTS {LOAD_STAGE}")
        return alters

    def execute(
        self, sql: str, params: Sequence[Any] | None = None
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        with contextlib.closing(self.con.cursor()) as cur:
            cur.execute(sql, list(params) if params is not None else None)
            if not cur.description:
                return [], []
            return [d[0] for d in cur.description], [tuple(r) for r in cur.fetchall()]

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        self.execute("BEGIN")
        try:
            yield
        except BaseException:
            self.execute("ROLLBACK")
            raise
        self.execute("COMMIT")

    def _incoming(self, table: Table) -> str:
        """A session-temporary table shaped like the file: COPY's target before landing."""
        name = f"{table.name}_INCOMING"
        if name not in self._temps:
            cols = ",\n  ".join(
                ColumnDef(c.name, c.type, True).ddl("snowflake") for c in table.columns
            )
            self.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {name} (\n  {cols}\n)")
            self._temps.add(name)
        self.execute(f"DELETE FROM {name}")
        return name

    def _check_header(self, store: ObjectStore, key: str, table: Table) -> None:
        with store.open(key) as raw:
            head = raw.read(64 * 1024)
        if not head:
            raise InputError(f"{key}: empty file (0 bytes)")
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(head)) as gz:
                line = gz.readline().decode("utf-8")
        except (OSError, EOFError, UnicodeDecodeError) as exc:
            raise InputError(f"{key}: not a readable gzip CSV: {exc}") from None
        try:
            check_columns(header_names(line), table)
        except InputError as exc:
            raise InputError(f"{key}: {exc}") from None

    def _source(self, store: ObjectStore, key: str, load_id: int) -> str:
        """Where COPY reads the file. A local file is PUT into a folder of its own (one load
        id), so the folder is the file and no FILES list or pattern can pick up another."""
        folder, _, name = key.rpartition("/")
        if isinstance(store, LocalStore):
            path = Path(store.uri(key)).as_posix().replace("'", "\\'")
            self.execute(
                f"PUT 'file://{path}' @{LOAD_STAGE}/{folder}/{load_id}/ "
                "AUTO_COMPRESS = FALSE OVERWRITE = TRUE"
            )
            return f"@{LOAD_STAGE}/{folder}/{load_id}/"
        return f"@{self.target.stage}/{folder}/ FILES = ('{name}')"

    def copy_statement(self, table: Table, target: str, source: str, fmt: str) -> str:
        # Files PUT by us are removed once copied; files on the external stage are the data.
        purge = " PURGE = TRUE" if source.startswith(f"@{LOAD_STAGE}/") else ""
        if fmt == "csv":
            return (
                f"COPY INTO {target} ({', '.join(table.column_names)}) FROM {source} "
                f"FILE_FORMAT = ({CSV_OPTIONS}) ON_ERROR = ABORT_STATEMENT FORCE = TRUE{purge}"
            )
        # Parquet: a COPY transformation by column name (the schema was checked beforehand).
        stage, _, files = source.partition(" ")
        select = ", ".join(f"$1:{c.name}::{sql_type(c.type, 'snowflake')}" for c in table.columns)
        return (
            f"COPY INTO {target} ({', '.join(table.column_names)}) "
            f"FROM (SELECT {select} FROM {stage}){' ' + files if files else ''} "
            f"FILE_FORMAT = ({PARQUET_OPTIONS}) ON_ERROR = ABORT_STATEMENT FORCE = TRUE{purge}"
        )

    def load_file(self, store: ObjectStore, item: FileLoad) -> int:
        import snowflake.connector

        f = item.file
        if f.format == "csv":
            self._check_header(store, f.key, f.table)
        else:
            _check_parquet(store, f.key, f.table)
        incoming = self._incoming(f.table)
        load_id = self.next_load_id()
        try:
            source = self._source(store, f.key, load_id)
            _cols, result = self.execute(self.copy_statement(f.table, incoming, source, f.format))
        except snowflake.connector.errors.ProgrammingError as exc:
            message = " | ".join(redact(str(exc.msg)).split("\n"))
            # SQLSTATE class 22/23 is the data (bad value, column count): skip the file.
            # Anything else (compilation, privileges) is not this file's fault: stop.
            if str(exc.sqlstate or "").startswith(("22", "23")):
                raise InputError(f"{f.key}: {message}") from None
            raise FatalError(f"Snowflake refused the COPY of {f.key}: {message}") from None
        statuses = {str(r[1]).upper() for r in result} if result and len(result[0]) > 1 else set()
        if statuses - {"LOADED"}:
            raise InputError(f"{f.key}: COPY reported {', '.join(sorted(statuses))}")
        if not statuses:
            # "Copy executed with 0 files processed": recording the file as loaded would
            # lose it for good. On S3 it means the stage is not the transformed root.
            raise ConfigError(
                f"COPY found no file {f.key} at {source.split(' ', 1)[0]}",
                hint="the external stage (snowflake://...?stage=NAME) must point at the same "
                "s3:// location as --transformed",
            )
        cols = ", ".join(f.table.column_names)
        with self.transaction():
            _c, counted = self.execute(
                f"INSERT INTO {landing_name(f.table)} SELECT {cols}, ?, ?, ? FROM {incoming}",
                [f.key, load_id, utc_now()],
            )
            rows = int(counted[0][0]) if counted else 0
            self.execute(merge_load(f.table), [load_id])
            self.record(item, "loaded", rows, None, load_id)
        return rows

    def close(self) -> None:
        self.con.close()


def _check_parquet(store: ObjectStore, key: str, table: Table) -> None:
    """MATCH_BY_COLUMN_NAME would fill a missing column with NULLs: check the schema first."""
    import duckdb

    from spotify_etl.warehouse.duckdb_adapter import local_copy
    from spotify_etl.warehouse.reading import parquet_reader

    with local_copy(store, key) as path, contextlib.closing(duckdb.connect()) as con:
        try:
            parquet_reader(con, path, table)
        except InputError as exc:
            raise InputError(f"{key}: {exc}") from None
