"""The embedded warehouse: one DuckDB file, Snowpipe semantics (load history, landing, MERGE).

The shared chunk transaction is in warehouse.landing; this adapter supplies how files are
read: one read_csv / read_parquet over the chunk's files, the file name as a column. Memory
is bounded by DuckDB's memory_limit (it spills past it) and by the chunk sizes. DuckDB allows
one writing process; a second one gets a clear ConfigError.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb

from spotify_etl.config import WarehouseSettings
from spotify_etl.errors import ConfigError, LockedError
from spotify_etl.model import TABLES, Table
from spotify_etl.storage import ObjectStore
from spotify_etl.warehouse import migrate
from spotify_etl.warehouse.base import FileLoad
from spotify_etl.warehouse.ddl import SOURCE_FILE, Dialect
from spotify_etl.warehouse.landing import LandingWarehouse
from spotify_etl.warehouse.reading import (
    check_csv,
    check_parquet,
    first_line,
    reader_sql,
    sql_literal,
)

# The load's working memory (DuckDB's own default is 80% of RAM) and rows per MERGE pass:
# defined once, as the [warehouse] settings' defaults.
DEFAULT_MEMORY_LIMIT = WarehouseSettings().duckdb_memory_limit
DEFAULT_MERGE_ROWS = WarehouseSettings().duckdb_merge_rows

# Errors that mean "this file's content is bad" (skip it, record why); any other DuckDB error
# (binder, catalog, out of memory) is ours or the machine's and must stop the load instead.
_DATA_ERRORS = (
    duckdb.ConversionException,
    duckdb.InvalidInputException,
    duckdb.ConstraintException,
    duckdb.IOException,
)


def duckdb_path(url: str, base_dir: Path | None = None) -> str:
    """`duckdb:///abs/path`, `duckdb:///./rel/path`, `duckdb://rel/path` or `duckdb:///:memory:`."""
    rest = url.removeprefix("duckdb://")
    if rest.startswith(("/./", "/../", "/~")):
        rest = rest[1:]
    if rest.startswith("//"):  # duckdb:/// + an absolute path
        rest = "/" + rest.lstrip("/")
    if rest in ("/:memory:", ":memory:"):
        return ":memory:"
    if not rest:  # a load into memory would vanish at exit: only on explicit request
        raise ConfigError(
            f"no path in the warehouse URL {url!r}", hint="use duckdb:///path/warehouse.duckdb"
        )
    path = Path(rest).expanduser()
    if not path.is_absolute():
        path = (base_dir or Path.cwd()) / path
    return str(path.resolve())


class DuckDBWarehouse(LandingWarehouse):
    dialect: Dialect = "duckdb"
    insert_when_empty = True  # the file takes one writing process (a second gets ConfigError)

    def __init__(
        self,
        path: str,
        tables: tuple[Table, ...] = TABLES,
        memory_limit: str = DEFAULT_MEMORY_LIMIT,
        merge_rows: int = DEFAULT_MERGE_ROWS,
    ) -> None:
        self.path = path
        self.merge_rows = merge_rows
        self.url = f"duckdb://{path}" if path != ":memory:" else "duckdb:///:memory:"
        self.tables = tables
        if path != ":memory:":
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:  # e.g. a folder of the path is a regular file
                raise ConfigError(
                    f"cannot create the warehouse folder {Path(path).parent}: {exc.strerror}",
                    hint="point warehouse.url at a path whose folders are folders",
                ) from None
        try:
            self.con = duckdb.connect(path)
        except duckdb.IOException as exc:
            text = str(exc)
            if "lock" in text.lower():
                pid = re.search(r"PID (\d+)", text)
                holder = f" (PID {pid.group(1)})" if pid else ""
                raise LockedError(  # exit 75, like a held extraction lease: try again later
                    f"warehouse {path} is locked by another process{holder}",
                    hint="wait for the other load to finish, or stop it",
                ) from None
            raise ConfigError(f"cannot open warehouse {path}: {first_line(text)}") from None
        except duckdb.Error as exc:
            raise ConfigError(f"cannot open warehouse {path}: {first_line(str(exc))}") from None
        if path != ":memory:" and not self._file_backed():
            # DuckDB opens a CSV or Parquet file as a read-only view in an in-memory
            # database: a load into it would report success and vanish at exit.
            self.con.close()
            raise ConfigError(
                f"cannot open warehouse {path}: not a DuckDB database file",
                hint="point the warehouse URL at a .duckdb file (it is created if missing)",
            )
        self.con.execute("SET memory_limit = ?", [memory_limit])
        # Landing and MERGE need no row order; keeping it would hold rows back in memory.
        self.con.execute("SET preserve_insertion_order = false")

    def _file_backed(self) -> bool:
        _cols, rows = self.execute(
            "SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
        )
        return bool(rows and rows[0][0])

    def ensure_schema(self) -> list[str]:
        return migrate.apply(self, self.tables)

    def execute(
        self, sql: str, params: Sequence[Any] | None = None
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        cur = self.con.execute(sql, list(params) if params is not None else None)
        if cur.description is None:
            return [], []
        return [d[0] for d in cur.description], cur.fetchall()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        self.con.begin()
        try:
            yield
        except BaseException:
            self.con.rollback()
            raise
        self.con.commit()

    def check_file(self, store: ObjectStore, item: FileLoad) -> None:
        f = item.file
        with store.local_path(f.key) as path:
            if f.format == "csv":
                check_csv(path, f.table)
            else:
                check_parquet(self.con, path, f.table)

    @contextlib.contextmanager
    def staged(
        self, store: ObjectStore, table: Table, items: Sequence[FileLoad], load_id: int
    ) -> Iterator[str]:
        keys = [i.file.key for i in items]
        with local_copies(store, keys) as paths:
            reader = reader_sql(paths, table, items[0].file.format)
            names = ", ".join(sql_literal(str(p)) for p in paths)
            key_list = ", ".join(sql_literal(k) for k in keys)
            files = f"(SELECT unnest([{names}]) AS path, unnest([{key_list}]) AS {SOURCE_FILE})"
            yield f"{reader} AS r JOIN {files} AS m ON r.filename = m.path"

    def data_error(self, exc: Exception) -> str | None:
        return first_line(str(exc)) if isinstance(exc, _DATA_ERRORS) else None

    def out_of_memory(self, exc: Exception) -> bool:
        return isinstance(exc, duckdb.OutOfMemoryException)

    def close(self) -> None:
        self.con.close()


@contextlib.contextmanager
def local_copies(store: ObjectStore, keys: Sequence[str]) -> Iterator[list[Path]]:
    """Local paths for DuckDB to read: the files themselves, or temporary downloads from S3
    (one chunk at a time, so the disk used is bounded by the chunk's bytes)."""
    with contextlib.ExitStack() as stack:
        yield [stack.enter_context(store.local_path(key)) for key in keys]
