"""The base of both warehouse adapters: load history and status queries over two primitives.

`SqlWarehouse` needs only `execute` (one statement, qmark parameters) and `transaction` from
an adapter; everything here is SQL both engines accept. landing.LandingWarehouse builds the
load transaction on top, and the adapters (duckdb_adapter, snowflake_adapter) derive from that.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

from spotify_etl.model import TABLES, Table
from spotify_etl.storage import ObjectStore
from spotify_etl.warehouse.ddl import HISTORY_COLUMNS, HISTORY_TABLE
from spotify_etl.warehouse.files import HistoryEntry, TransformedFile, list_transformed, pending

HISTORY_COLS = ", ".join(c.name for c in HISTORY_COLUMNS)


def utc_now() -> datetime:
    """UTC without offset, as every timestamp in the warehouse."""
    return datetime.now(UTC).replace(tzinfo=None)


class SqlWarehouse(ABC):
    """A warehouse reached by SQL: the adapter supplies `execute` and `transaction`."""

    tables: tuple[Table, ...] = TABLES
    _load_id: int | None = None

    @abstractmethod
    def execute(
        self, sql: str, params: Sequence[Any] | None = None
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Run one statement; (column names, rows) of its result, empty for DDL and DML."""

    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """A context in which statements commit together, or roll back on an exception."""

    def existing_columns(self) -> dict[str, set[str]]:
        """Table (upper case) -> column names (lower case) in the current schema."""
        _cols, rows = self.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = CURRENT_SCHEMA()"
        )
        found: dict[str, set[str]] = {}
        for table, column in rows:
            found.setdefault(str(table).upper(), set()).add(str(column).lower())
        return found

    def table_counts(self) -> dict[str, int]:
        union = " UNION ALL ".join(
            f"SELECT '{t.name}' AS table_name, COUNT(*) AS n FROM {t.name}" for t in self.tables
        )
        _cols, rows = self.execute(union)
        found = {str(name): int(n) for name, n in rows}
        return {t.name: found.get(t.name, 0) for t in self.tables}

    def history(self) -> dict[str, HistoryEntry]:
        _cols, rows = self.execute(f"SELECT {HISTORY_COLS} FROM {HISTORY_TABLE}")
        return {r[0]: HistoryEntry(*r) for r in rows}

    def load_history(self, limit: int = 20) -> list[HistoryEntry]:
        _cols, rows = self.execute(
            f"SELECT {HISTORY_COLS} FROM {HISTORY_TABLE} "
            f"ORDER BY loaded_at DESC, load_id DESC LIMIT {int(limit)}"
        )
        return [HistoryEntry(*r) for r in rows]

    def pending_files(self, store: ObjectStore) -> list[TransformedFile]:
        listing = list_transformed(store)
        return [f for f, _verdict, _sum in pending(store, listing.files, self.history())]

    def next_load_id(self) -> int:
        if self._load_id is None:
            _cols, rows = self.execute(f"SELECT COALESCE(MAX(load_id), 0) FROM {HISTORY_TABLE}")
            self._load_id = int(rows[0][0]) if rows else 0
        self._load_id += 1
        return self._load_id

    def note_unchanged(self, key: str, mtime_ns: int) -> None:
        """A file was rewritten with identical bytes: remember its new mtime so the next
        offer is judged from the listing again instead of by re-reading it."""
        self.execute(f"UPDATE {HISTORY_TABLE} SET mtime_ns = ? WHERE path = ?", [mtime_ns, key])


def iter_blocks(fh: Any, size: int = 1 << 20) -> Iterator[bytes]:
    yield from iter(lambda: fh.read(size), b"")
