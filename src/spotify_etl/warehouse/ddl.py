"""Warehouse SQL generated from the table contract (spotify_etl.model), for DuckDB and Snowflake.

Nothing here is written per table by hand: the model, landing and bookkeeping tables and the
MERGE statements all derive from `model.TABLES`, so a new column in the model reaches every
statement at once. Identifiers are left unquoted (upper case in Snowflake, as written in DuckDB),
which is why the same text works in both engines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from spotify_etl.model import TABLES, Column, ColumnType, Table

Dialect = Literal["duckdb", "snowflake"]

LANDING_SUFFIX = "_LANDING"
HISTORY_TABLE = "LOAD_HISTORY"
MIGRATIONS_TABLE = "SCHEMA_MIGRATIONS"
# Landing bookkeeping: which file a row came from, which load (one per file) and when.
SOURCE_FILE = "_source_file"
LOAD_ID = "_load_id"
LOADED_AT = "_loaded_at"

# The model's type names are DuckDB's. Snowflake's TIMESTAMP means whatever the account's
# TIMESTAMP_TYPE_MAPPING says (Snowflake docs, "Date & time data types"), so it is spelled out:
# the warehouse holds UTC without an offset.
_SAME: dict[ColumnType, str] = {t: t for t in get_args(ColumnType)}
_TYPES: dict[Dialect, dict[ColumnType, str]] = {
    "duckdb": _SAME,
    "snowflake": {**_SAME, "TIMESTAMP": "TIMESTAMP_NTZ"},
}


def sql_type(type_: ColumnType, dialect: Dialect) -> str:
    return _TYPES[dialect][type_]


@dataclass(frozen=True)
class ColumnDef:
    name: str
    type: ColumnType
    nullable: bool = True

    def ddl(self, dialect: Dialect) -> str:
        null = "" if self.nullable else " NOT NULL"
        return f"{self.name} {sql_type(self.type, dialect)}{null}"


def _def(col: Column) -> ColumnDef:
    return ColumnDef(col.name, col.type, col.nullable)


def landing_name(table: Table) -> str:
    return f"{table.name}{LANDING_SUFFIX}"


def model_columns(table: Table) -> tuple[ColumnDef, ...]:
    """Dimensions replace fetched_at by first_seen_at/last_seen_at; facts and links keep it."""
    if table.kind != "dimension":
        return tuple(_def(c) for c in table.columns)
    body = tuple(_def(c) for c in table.columns if c.name != "fetched_at")
    return (
        *body,
        ColumnDef("first_seen_at", "TIMESTAMP", False),
        ColumnDef("last_seen_at", "TIMESTAMP", False),
    )


def landing_columns(table: Table) -> tuple[ColumnDef, ...]:
    """Exactly the file's columns, then where each row came from."""
    return (
        *(_def(c) for c in table.columns),
        ColumnDef(SOURCE_FILE, "VARCHAR", False),
        ColumnDef(LOAD_ID, "BIGINT", False),
        ColumnDef(LOADED_AT, "TIMESTAMP", False),
    )


HISTORY_COLUMNS: tuple[ColumnDef, ...] = (
    ColumnDef("path", "VARCHAR", False),
    ColumnDef("table_name", "VARCHAR", False),
    ColumnDef("size", "BIGINT", False),
    ColumnDef("checksum", "VARCHAR", False),
    ColumnDef("mtime_ns", "BIGINT"),
    ColumnDef("status", "VARCHAR", False),  # loaded | failed
    ColumnDef("rows_loaded", "BIGINT", False),
    ColumnDef("error", "VARCHAR"),
    ColumnDef("load_id", "BIGINT", False),
    ColumnDef("loaded_at", "TIMESTAMP", False),
)

MIGRATION_COLUMNS: tuple[ColumnDef, ...] = (
    ColumnDef("version", "INTEGER", False),
    ColumnDef("applied_at", "TIMESTAMP", False),
    ColumnDef("statements", "VARCHAR"),
)


def create_table(
    name: str, columns: tuple[ColumnDef, ...], dialect: Dialect, key: tuple[str, ...] = ()
) -> str:
    lines = [f"  {c.ddl(dialect)}" for c in columns]
    # Snowflake keys are informational (not enforced) but document the grain for tools;
    # DuckDB would build an index that slows bulk loads and the MERGE keeps keys unique anyway.
    if key and dialect == "snowflake":
        lines.append(f"  PRIMARY KEY ({', '.join(key)})")
    body = ",\n".join(lines)
    return f"CREATE TABLE IF NOT EXISTS {name} (\n{body}\n)"


def create_statements(dialect: Dialect, tables: tuple[Table, ...] = TABLES) -> list[str]:
    """Every table the loader needs, in dependency-free order."""
    statements = [
        create_table(MIGRATIONS_TABLE, MIGRATION_COLUMNS, dialect),
        create_table(HISTORY_TABLE, HISTORY_COLUMNS, dialect, ("path",)),
    ]
    for table in tables:
        statements.append(create_table(table.name, model_columns(table), dialect, table.key))
        statements.append(create_table(landing_name(table), landing_columns(table), dialect))
    return statements


def expected_columns(tables: tuple[Table, ...] = TABLES) -> dict[str, tuple[ColumnDef, ...]]:
    """Table name -> the columns the current model wants, for migrations."""
    wanted: dict[str, tuple[ColumnDef, ...]] = {
        HISTORY_TABLE: HISTORY_COLUMNS,
        MIGRATIONS_TABLE: MIGRATION_COLUMNS,
    }
    for table in tables:
        wanted[table.name] = model_columns(table)
        wanted[landing_name(table)] = landing_columns(table)
    return wanted


def combines(table: Table) -> bool:
    """A fact whose rows of one key come from several sources and are combined column by
    column (model.Column.merge), not replaced whole: PLAY."""
    return table.kind != "dimension" and any(c.merge != "latest" for c in table.columns)


def combined_value(col: Column) -> str:
    """One key's rows -> one value, by the column's merge rule (portable aggregates only)."""
    c = col.name
    if c == "fetched_at":
        return f"MAX({c}) AS {c}"
    if col.merge == "known":  # any known value; MAX makes the choice deterministic
        return f"MAX({c}) AS {c}"
    if col.merge == "union":  # two sources at most: 'api', 'export' -> 'api+export'
        return (
            f"CASE WHEN MIN({c}) = MAX({c}) THEN MIN({c}) "
            f"ELSE MIN({c}) || '+' || MAX({c}) END AS {c}"
        )
    return f"MAX_BY({c}, fetched_at) AS {c}"


def dedup_source(table: Table, source: str, where: str = "") -> str:
    """The MERGE source: one row per key, the latest fetch wins (no nondeterministic merge);
    for a combining fact, each column by its merge rule over all the key's rows."""
    cols = ", ".join(table.column_names)
    where_sql = f" WHERE {where}" if where else ""
    if combines(table):
        values = ", ".join(
            c.name if c.name in table.key else combined_value(c) for c in table.columns
        )
        return f"SELECT {values} FROM {source}{where_sql} GROUP BY {', '.join(table.key)}"
    return (
        f"SELECT {cols} FROM {source}{where_sql} "
        f"QUALIFY ROW_NUMBER() OVER (PARTITION BY {', '.join(table.key)} "
        f"ORDER BY fetched_at DESC) = 1"
    )


def merge_statement(table: Table, source_sql: str) -> str:
    """MERGE the deduplicated `source_sql` into the model table.

    Dimensions: upsert; each value is the newest known one: a newer fetch wins, but its NULL
    never erases a known value (a track seen in an album's track list has no isrc or
    popularity; the full track fetched earlier does), and an older file fills only gaps.
    first_seen_at only moves back and last_seen_at only forward, so files may arrive in any
    order. Facts and links: inserted by key; an equal or newer fetch of the same key
    overwrites with the same or newer values, so loading a day twice changes nothing.
    """
    on = " AND ".join(f"t.{k} = s.{k}" for k in table.key)
    values = [c for c in table.column_names if c not in table.key]
    if table.kind == "dimension":
        body = [c for c in values if c != "fetched_at"]

        def newest(c: str) -> str:
            if not table.column(c).nullable:
                return f"CASE WHEN s.fetched_at >= t.last_seen_at THEN s.{c} ELSE t.{c} END"
            return (
                f"CASE WHEN s.fetched_at >= t.last_seen_at THEN COALESCE(s.{c}, t.{c}) "
                f"ELSE COALESCE(t.{c}, s.{c}) END"
            )

        sets = [f"{c} = {newest(c)}" for c in body]
        sets.append("first_seen_at = LEAST(t.first_seen_at, s.fetched_at)")
        sets.append("last_seen_at = GREATEST(t.last_seen_at, s.fetched_at)")
        matched = "TRUE"
        insert_cols = [*table.key, *body, "first_seen_at", "last_seen_at"]
        insert_vals = [f"s.{c}" for c in (*table.key, *body)] + ["s.fetched_at", "s.fetched_at"]
    elif combines(table):
        # Every row adds what it knows, whatever order the sources arrive in: the export
        # (ms_played, reasons, shuffle...) and the API (context, exact time) fill each other.
        sets = [f"{c} = {merged_value(table.column(c))}" for c in values]
        matched = "TRUE"
        insert_cols = list(table.column_names)
        insert_vals = [f"s.{c}" for c in table.column_names]
    else:
        sets = [f"{c} = s.{c}" for c in values]
        matched = "s.fetched_at >= t.fetched_at"
        insert_cols = list(table.column_names)
        insert_vals = [f"s.{c}" for c in table.column_names]
    return (
        f"MERGE INTO {table.name} AS t USING ({source_sql}) AS s ON {on}\n"
        f"WHEN MATCHED AND ({matched}) THEN UPDATE SET {', '.join(sets)}\n"
        f"WHEN NOT MATCHED THEN INSERT ({', '.join(insert_cols)}) "
        f"VALUES ({', '.join(insert_vals)})"
    )


def merged_value(col: Column) -> str:
    """A stored value (`t.`) and a new one (`s.`) of the same play -> the value kept (see
    Column.merge); also how a short-format play folds into its precise row (warehouse.fold)."""
    c = col.name
    if c == "fetched_at":
        return f"GREATEST(t.{c}, s.{c})"
    if col.merge == "known":
        return (
            f"CASE WHEN s.fetched_at >= t.fetched_at THEN COALESCE(s.{c}, t.{c}) "
            f"ELSE COALESCE(t.{c}, s.{c}) END"
        )
    if col.merge == "union":
        return (
            f"CASE WHEN POSITION(s.{c} IN t.{c}) > 0 THEN t.{c} "
            f"WHEN POSITION(t.{c} IN s.{c}) > 0 THEN s.{c} "
            f"ELSE LEAST(t.{c}, s.{c}) || '+' || GREATEST(t.{c}, s.{c}) END"
        )
    return f"CASE WHEN s.fetched_at >= t.fetched_at THEN s.{c} ELSE t.{c} END"


def merge_load(table: Table) -> str:
    """MERGE the rows of one load (one file) from the landing table; `?` is the load id."""
    source = dedup_source(table, landing_name(table), f"{LOAD_ID} = ?")
    return merge_statement(table, source)
