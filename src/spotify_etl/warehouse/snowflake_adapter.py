"""Snowflake behind the same interface: the bulk path for users without Snowpipe.

Per chunk (many files of one table; the shared transaction is in warehouse.landing): each
file is PUT to an internal stage (local folder) or named on the external stage (S3) and
COPied INTO a session-temporary table with the explicit file format, tagged with its key;
then one transaction appends the chunk to the landing table, runs one MERGE into the model
and records every file's load history. COPY runs with ON_ERROR = ABORT_STATEMENT on one file
at a time, which is SKIP_FILE for that file: a bad file fails the chunk, which is split until
the file stands alone, is recorded with its error, and the others load. (One COPY over the
whole chunk with METADATA$FILENAME would save the per-file statements on real Snowflake;
fakesnow cannot run it, so it would be untested here.)

Credentials come from Secrets (SNOWFLAKE_USER plus SNOWFLAKE_PASSWORD or a key pair) and are
registered for redaction; they never appear in the URL, messages or logs.
"""

from __future__ import annotations

import contextlib
import gzip
import io
from collections.abc import Iterator, Sequence
from typing import Any

from spotify_etl.config import Secrets
from spotify_etl.errors import AuthError, ConfigError, FatalError, InputError
from spotify_etl.logs import redact
from spotify_etl.model import TABLES, Table
from spotify_etl.storage import ObjectStore
from spotify_etl.warehouse import migrate
from spotify_etl.warehouse.base import FileLoad
from spotify_etl.warehouse.ddl import SOURCE_FILE, ColumnDef, Dialect, sql_type
from spotify_etl.warehouse.files import TransformedFile
from spotify_etl.warehouse.landing import LandingWarehouse
from spotify_etl.warehouse.reading import check_columns, header_names
from spotify_etl.warehouse.snowflake_auth import SnowflakeTarget, auth_options, parse_url
from spotify_etl.warehouse.snowflake_sql import CSV_OPTIONS, PARQUET_OPTIONS

LOAD_STAGE = "SPOTIFY_ETL_LOAD"  # internal stage for files PUT from a local folder


class SnowflakeWarehouse(LandingWarehouse):
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
            defs = [ColumnDef(c.name, c.type, True) for c in table.columns]
            defs.append(ColumnDef(SOURCE_FILE, "VARCHAR", True))
            cols = ",\n  ".join(d.ddl("snowflake") for d in defs)
            self.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {name} (\n  {cols}\n)")
            self._temps.add(name)
        self.execute(f"DELETE FROM {name}")
        return name

    def check_file(self, store: ObjectStore, item: FileLoad) -> None:
        f = item.file
        if f.format == "parquet":
            _check_parquet(store, f.key, f.table)
            return
        with store.open(f.key) as raw:
            head = raw.read(64 * 1024)
        if not head:
            raise InputError("empty file (0 bytes)")
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(head)) as gz:
                line = gz.readline().decode("utf-8")
        except (OSError, EOFError, UnicodeDecodeError) as exc:
            raise InputError(f"not a readable gzip CSV: {exc}") from None
        check_columns(header_names(line), f.table)

    def _source(self, store: ObjectStore, key: str, load_id: int, n: int = 0) -> str:
        """Where COPY reads the file. A local file is PUT into a folder of its own (load id
        and place in the chunk), so the folder is the file and no FILES list or pattern can
        pick up another."""
        folder, _, name = key.rpartition("/")
        local = store.local_file(key)
        if local is not None:
            path = local.as_posix().replace("'", "\\'")
            self.execute(
                f"PUT 'file://{path}' @{LOAD_STAGE}/{folder}/{load_id}-{n}/ "
                "AUTO_COMPRESS = FALSE OVERWRITE = TRUE"
            )
            return f"@{LOAD_STAGE}/{folder}/{load_id}-{n}/"
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

    @contextlib.contextmanager
    def staged(
        self, store: ObjectStore, table: Table, items: Sequence[FileLoad], load_id: int
    ) -> Iterator[str]:
        incoming = self._incoming(table)
        for n, item in enumerate(items):
            self._copy(store, item.file, incoming, load_id, n)
            self.execute(
                f"UPDATE {incoming} SET {SOURCE_FILE} = ? WHERE {SOURCE_FILE} IS NULL",
                [item.file.key],
            )
        yield incoming

    def _copy(
        self, store: ObjectStore, f: TransformedFile, target: str, load_id: int, n: int
    ) -> None:
        import snowflake.connector

        try:
            source = self._source(store, f.key, load_id, n)
            _cols, result = self.execute(self.copy_statement(f.table, target, source, f.format))
        except snowflake.connector.errors.ProgrammingError as exc:
            reason = self.data_error(exc)
            if reason is not None:
                raise InputError(reason) from None
            message = " | ".join(redact(str(exc.msg)).split("\n"))
            raise FatalError(f"Snowflake refused the COPY of {f.key}: {message}") from None
        statuses = {str(r[1]).upper() for r in result} if result and len(result[0]) > 1 else set()
        if statuses - {"LOADED"}:
            raise InputError(f"COPY reported {', '.join(sorted(statuses))}")
        if not statuses:
            # "Copy executed with 0 files processed": recording the file as loaded would
            # lose it for good. On S3 it means the stage is not the transformed root.
            raise ConfigError(
                f"COPY found no file {f.key} at {source.split(' ', 1)[0]}",
                hint="the external stage (snowflake://...?stage=NAME) must point at the same "
                "s3:// location as --transformed",
            )

    def data_error(self, exc: Exception) -> str | None:
        """SQLSTATE class 22/23 is the data (bad value, column count): skip the file.
        Anything else (compilation, privileges) is not this file's fault: stop."""
        import snowflake.connector

        if not isinstance(exc, snowflake.connector.errors.ProgrammingError):
            return None
        if not str(exc.sqlstate or "").startswith(("22", "23")):
            return None
        return " | ".join(redact(str(exc.msg)).split("\n"))

    def close(self) -> None:
        self.con.close()


def _check_parquet(store: ObjectStore, key: str, table: Table) -> None:
    """MATCH_BY_COLUMN_NAME would fill a missing column with NULLs: check the schema first."""
    import duckdb

    from spotify_etl.warehouse.reading import check_parquet

    with store.local_path(key) as path, contextlib.closing(duckdb.connect()) as con:
        try:
            check_parquet(con, path, table)
        except InputError as exc:
            raise InputError(str(exc)) from None
