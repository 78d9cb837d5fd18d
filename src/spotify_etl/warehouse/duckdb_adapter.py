"""The embedded warehouse: one DuckDB file, Snowpipe semantics (load history, landing, MERGE).

Each file is one transaction: landing rows, the MERGE into the model and the load-history row
commit together, so a crash leaves all of a file or none of it and the file is simply pending
again. DuckDB allows one writing process; a second one gets a clear ConfigError.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb

from spotify_etl.errors import ConfigError, InputError, LockedError
from spotify_etl.model import TABLES, Table
from spotify_etl.storage import LocalStore, ObjectStore
from spotify_etl.warehouse import migrate
from spotify_etl.warehouse.base import FileLoad
from spotify_etl.warehouse.ddl import Dialect, landing_name, merge_load
from spotify_etl.warehouse.history import HistoryMixin, iter_blocks, utc_now
from spotify_etl.warehouse.reading import first_line, reader_sql

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


class DuckDBWarehouse(HistoryMixin):
    dialect: Dialect = "duckdb"

    def __init__(self, path: str, tables: tuple[Table, ...] = TABLES) -> None:
        self.path = path
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

    def load_file(self, store: ObjectStore, item: FileLoad) -> int:
        """Land one file, MERGE it and record it, in one transaction. InputError if unreadable."""
        f = item.file
        with local_copy(store, f.key) as path:
            try:
                reader = reader_sql(self.con, path, f.table, f.format)
            except InputError as exc:
                raise InputError(f"{f.key}: {exc}") from None
            load_id = self.next_load_id()
            cols = ", ".join(f.table.column_names)
            try:
                with self.transaction():
                    _c, counted = self.execute(
                        f"INSERT INTO {landing_name(f.table)} SELECT {cols}, ?, ?, ? FROM {reader}",
                        [f.key, load_id, utc_now()],
                    )
                    rows = int(counted[0][0]) if counted else 0
                    self.execute(merge_load(f.table), [load_id])
                    self.record(item, "loaded", rows, None, load_id)
            except _DATA_ERRORS as exc:
                raise InputError(f"{f.key}: {first_line(str(exc))}") from None
        return rows

    def close(self) -> None:
        self.con.close()


@contextlib.contextmanager
def local_copy(store: ObjectStore, key: str) -> Iterator[Path]:
    """A local path for DuckDB to read: the file itself, or a temporary download from S3."""
    if isinstance(store, LocalStore):
        yield Path(store.uri(key))
        return
    suffix = ".csv.gz" if key.endswith(".csv.gz") else Path(key).suffix
    with tempfile.TemporaryDirectory(prefix="spotify-etl-load-") as tmp:
        path = Path(tmp) / f"file{suffix}"
        with store.open(key) as src, path.open("wb") as dst:
            for block in iter_blocks(src):
                dst.write(block)
        yield path
