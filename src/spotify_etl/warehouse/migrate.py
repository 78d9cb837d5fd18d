"""Versioned schema: create what is missing, add new nullable columns, never rebuild.

The DDL is generated from the model (ddl.py); a warehouse records each model SCHEMA_VERSION
it was migrated to in SCHEMA_MIGRATIONS with the statements that got it there. A new
NOT NULL column cannot be added to rows that exist, so that asks the user to rebuild instead
of guessing a default.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from spotify_etl.errors import ConfigError
from spotify_etl.model import SCHEMA_VERSION, TABLES, Table
from spotify_etl.warehouse.ddl import (
    MIGRATIONS_TABLE,
    Dialect,
    create_statements,
    expected_columns,
)
from spotify_etl.warehouse.views import view_statements


class _Migratable(Protocol):
    dialect: Dialect

    def execute(
        self, sql: str, params: Sequence[Any] | None = None
    ) -> tuple[list[str], list[tuple[Any, ...]]]: ...

    def existing_columns(self) -> dict[str, set[str]]: ...


def plan(existing: dict[str, set[str]], dialect: Dialect, tables: tuple[Table, ...]) -> list[str]:
    """The ALTER statements that bring existing tables up to the model (pure, for tests)."""
    statements: list[str] = []
    for table, columns in expected_columns(tables).items():
        have = existing.get(table)
        if have is None:
            continue  # created by CREATE TABLE IF NOT EXISTS
        for col in columns:
            if col.name.lower() in have:
                continue
            if not col.nullable:
                raise ConfigError(
                    f"table {table} lacks required column {col.name}: this model change needs "
                    "a rebuild of the warehouse (reload the transformed files into a new one)"
                )
            statements.append(f"ALTER TABLE {table} ADD COLUMN {col.ddl(dialect)}")
    return statements


def apply(wh: _Migratable, tables: tuple[Table, ...]) -> list[str]:
    """Bring the warehouse to the current model; returns the ALTER statements it ran."""
    before = wh.existing_columns()
    if MIGRATIONS_TABLE in before:
        _cols, rows = wh.execute(f"SELECT max(version) FROM {MIGRATIONS_TABLE}")
        if rows and rows[0][0] is not None and int(rows[0][0]) > SCHEMA_VERSION:
            raise ConfigError(
                f"the warehouse is at schema version {rows[0][0]}, newer than this "
                f"spotify-etl ({SCHEMA_VERSION})",
                hint="upgrade spotify-etl",
            )
    alters = plan(before, wh.dialect, tables)
    for statement in create_statements(wh.dialect, tables):
        wh.execute(statement)
    for statement in alters:
        wh.execute(statement)
    # Views hold no data: replacing them every time keeps them at this version's definition.
    # They read the whole model, so a warehouse built for a partial model (tests) has none.
    if tables == TABLES:
        for statement in view_statements(wh.dialect):
            wh.execute(statement)
    _cols, rows = wh.execute(f"SELECT max(version) FROM {MIGRATIONS_TABLE}")
    current = rows[0][0] if rows and rows[0][0] is not None else None
    if current is None or int(current) != SCHEMA_VERSION or alters:
        wh.execute(
            f"INSERT INTO {MIGRATIONS_TABLE} (version, applied_at, statements) VALUES (?, ?, ?)",
            [SCHEMA_VERSION, datetime.now(UTC).replace(tzinfo=None), ";\n".join(alters) or None],
        )
    return alters
