"""The one load transaction both adapters share: a chunk of files lands, merges and is recorded.

A chunk is many files of one table (and one format). Its landing INSERT reads them all in one
statement, one MERGE moves its keys into the model (warehouse.merge; in passes of about
`merge_rows` rows where the adapter bounds it), and the load-history rows of every file
commit in the same transaction: a crash leaves the whole chunk or none of it, and a rerun
finds its files pending again.

Files are checked before landing (header or schema: cheap, and it names the problem); a file
whose values are bad is only found while reading, and then the chunk is split in halves until
the bad file stands alone (bisection): it is recorded as failed, every other file loads.
One bad file among n costs about 2 * log2(n) extra statements; a clean chunk costs nothing
extra, which is why this beats reading every file twice to validate it. A chunk that runs
out of the engine's memory limit (DuckDB's `duckdb_memory_limit`: its MERGE does not spill
everything) is split the same way, so a big backfill still loads, in smaller statements; a
single file too big for the limit stops the load with the setting to raise.

Adapters supply only how files are read: `check_file` (the shape), `staged` (a relation
over the chunk's files with a `_source_file` column) and `data_error` (which engine errors
mean "this data is bad" rather than "stop"), and `out_of_memory` (which mean "too big").
"""

from __future__ import annotations

import contextlib
import logging
from abc import abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from spotify_etl.errors import ConfigError, InputError, SpotifyEtlError
from spotify_etl.model import Table
from spotify_etl.storage import ObjectStore
from spotify_etl.warehouse.base import FileLoad
from spotify_etl.warehouse.ddl import HISTORY_TABLE, LOAD_ID, SOURCE_FILE, landing_name
from spotify_etl.warehouse.fold import chunk_fold
from spotify_etl.warehouse.history import HISTORY_COLS, SqlWarehouse, utc_now
from spotify_etl.warehouse.merge import chunk_insert, chunk_merge
from spotify_etl.warehouse.reading import first_line

log = logging.getLogger(__name__)

_HISTORY_ROWS_PER_STATEMENT = 500  # bounded statement size (10 parameters per row)


class _OutOfMemory(SpotifyEtlError):
    """A chunk's statements exceeded the engine's memory limit; split the chunk."""


@dataclass
class ChunkResult:
    loaded: dict[str, int] = field(default_factory=dict)  # key -> rows landed
    failed: list[tuple[str, str]] = field(default_factory=list)  # (key, error)
    attempts: int = 0  # landing statements run (1 for a clean chunk)


class LandingWarehouse(SqlWarehouse):
    """The base of the DuckDB and Snowflake adapters; see the module docstring."""

    # Rows per MERGE pass (None: one pass per chunk). DuckDB sets it from [warehouse]
    # merge_rows: its MERGE must fit memory_limit. Snowflake's warehouse sizes itself.
    merge_rows: int | None = None
    # True where no other process can write between "is this table empty?" and the INSERT
    # that follows (DuckDB: one writer per file): a first load then skips the MERGE's join.
    insert_when_empty: bool = False

    @abstractmethod
    def check_file(self, store: ObjectStore, item: FileLoad) -> None:
        """Raise InputError (without the key) when the file is not the table's shape."""

    @abstractmethod
    def staged(
        self, store: ObjectStore, table: Table, items: Sequence[FileLoad], load_id: int
    ) -> contextlib.AbstractContextManager[str]:
        """A relation (SQL) over the files: the table's columns plus `_source_file`."""

    @abstractmethod
    def data_error(self, exc: Exception) -> str | None:
        """The one-line reason if `exc` means the data is bad; None means stop the load."""

    def out_of_memory(self, exc: Exception) -> bool:
        """True if `exc` is the engine's memory limit (a smaller chunk may fit)."""
        return False

    def load_chunk(self, store: ObjectStore, items: Sequence[FileLoad]) -> ChunkResult:
        result = ChunkResult()
        good: list[FileLoad] = []
        for item in items:
            try:
                self.check_file(store, item)
            except InputError as exc:
                self._failed(result, item, str(exc))
            else:
                good.append(item)
        self._land(store, good, result)
        return result

    def _land(self, store: ObjectStore, items: Sequence[FileLoad], result: ChunkResult) -> None:
        if not items:
            return
        result.attempts += 1
        try:
            result.loaded.update(self._land_once(store, items))
        except InputError as exc:
            if len(items) == 1:
                self._failed(result, items[0], str(exc))
                return
            log.info("chunk of %d files has a bad one; splitting it", len(items))
            self._halves(store, items, result)
        except _OutOfMemory as exc:
            if len(items) == 1:
                raise ConfigError(
                    f"loading {items[0].file.key} exceeded the warehouse's memory limit ({exc})",
                    hint='raise [warehouse] duckdb_memory_limit, e.g. "1GB"',
                ) from None
            log.warning("chunk of %d files exceeded the memory limit; splitting it", len(items))
            self._halves(store, items, result)

    def _halves(self, store: ObjectStore, items: Sequence[FileLoad], result: ChunkResult) -> None:
        half = len(items) // 2
        self._land(store, items[:half], result)
        self._land(store, items[half:], result)

    def _land_once(self, store: ObjectStore, items: Sequence[FileLoad]) -> dict[str, int]:
        table = items[0].file.table
        load_id = self.next_load_id()
        cols = ", ".join(table.column_names)
        try:
            with self.staged(store, table, items, load_id) as source, self.transaction():
                self.execute(
                    f"INSERT INTO {landing_name(table)} SELECT {cols}, {SOURCE_FILE}, ?, ? "
                    f"FROM {source}",
                    [load_id, utc_now()],
                )
                _c, counted = self.execute(
                    f"SELECT {SOURCE_FILE}, COUNT(*) FROM {landing_name(table)} "
                    f"WHERE {LOAD_ID} = ? GROUP BY {SOURCE_FILE}",
                    [load_id],
                )
                rows = {str(key): int(n) for key, n in counted}
                self._merge(table, load_id, sum(rows.values()))
                loaded = {i.file.key: rows.get(i.file.key, 0) for i in items}
                self.record_many(items, "loaded", loaded, None, load_id)
        except InputError:
            raise
        except Exception as exc:
            if self.out_of_memory(exc):
                raise _OutOfMemory(first_line(str(exc))) from None
            reason = self.data_error(exc)
            if reason is None:
                raise
            raise InputError(reason) from None
        return loaded

    def _merge(self, table: Table, load_id: int, rows: int) -> None:
        # A MERGE holds its whole source (the ranked, grouped chunk) in memory at once; split
        # by a hash of the key, each pass holds about merge_rows rows and every key still
        # meets all of its chunk's rows in one pass, so the result is the same.
        passes = 1 if self.merge_rows is None else max(1, -(-rows // self.merge_rows))
        # Decided once, before the first pass: later passes hold other keys, so they stay new.
        statement = chunk_insert if self.insert_when_empty and self._empty(table) else chunk_merge
        if passes == 1:
            self.execute(statement(table), [load_id])
        else:
            for part in range(passes):
                self.execute(statement(table, partitioned=True), [load_id, passes, part])
        # PLAY: short-format plays (minute precision) folded into the precise play of their
        # minute, whichever arrived first (warehouse.fold); once over the chunk, after every
        # pass, since a minute's rows have different keys and so may sit in different passes.
        for fold in chunk_fold(table):
            self.execute(fold, [load_id])

    def _empty(self, table: Table) -> bool:
        _cols, rows = self.execute(f"SELECT 1 FROM {table.name} LIMIT 1")
        return not rows

    def _failed(self, result: ChunkResult, item: FileLoad, error: str) -> None:
        log.info("skipped file %s: %s", item.file.key, error)
        result.failed.append((item.file.key, error))
        with self.transaction():
            self.record_many([item], "failed", {}, error[:2000], self.next_load_id())

    def record_many(
        self,
        items: Sequence[FileLoad],
        status: str,
        rows: dict[str, int],
        error: str | None,
        load_id: int,
    ) -> None:
        """Upsert the files' history rows (call inside the chunk's transaction)."""
        now = utc_now()
        for start in range(0, len(items), _HISTORY_ROWS_PER_STATEMENT):
            part = items[start : start + _HISTORY_ROWS_PER_STATEMENT]
            keys = [i.file.key for i in part]
            marks = ", ".join("?" for _ in keys)
            self.execute(f"DELETE FROM {HISTORY_TABLE} WHERE path IN ({marks})", keys)
            values: list[Any] = []
            for i in part:
                f = i.file
                values += [f.key, f.table.name, f.size, i.checksum, f.mtime_ns, status]
                values += [rows.get(f.key, 0), error, load_id, now]
            row = "(" + ", ".join("?" for _ in range(10)) + ")"
            self.execute(
                f"INSERT INTO {HISTORY_TABLE} ({HISTORY_COLS}) VALUES "
                + ", ".join(row for _ in part),
                values,
            )


def iter_chunks(
    items: Sequence[FileLoad], max_files: int, max_bytes: int
) -> Iterator[list[FileLoad]]:
    """Consecutive runs of one table and format, at most `max_files` files and `max_bytes`
    (a single larger file is a chunk of its own). Order is kept."""
    chunk: list[FileLoad] = []
    size = 0
    for item in items:
        f = item.file
        same = bool(chunk) and (chunk[0].file.table, chunk[0].file.format) == (f.table, f.format)
        if chunk and (not same or len(chunk) >= max_files or size + f.size > max_bytes):
            yield chunk
            chunk, size = [], 0
        chunk.append(item)
        size += f.size
    if chunk:
        yield chunk
