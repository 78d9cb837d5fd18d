"""The MERGE of one chunk (many files of one table, one load id) from its landing rows.

One statement per table per chunk, whatever the number of files in it, and it touches only
the keys the chunk holds (DuckDB splits a big chunk's MERGE into passes over hash classes of
the key, to bound its memory: a key's rows are all in one pass, so nothing below changes).
The rule is the one a file-by-file load follows, per column:

- Dimensions: for each column the newest non-NULL value of the chunk is the candidate, and it
  carries the time it was fetched. It replaces the model's value when it is at least as new
  as the row's last_seen_at; otherwise it only fills a NULL. So a NULL never erases a known
  value (a track seen in an album's track list has no isrc; the full track fetched earlier
  does), and files of a chunk may arrive in any order. first_seen_at moves only back,
  last_seen_at only forward.
- Facts and links: the newest row of each key replaces the model's row when it is at least
  as new.
- A combining fact (PLAY; ddl.combines): each column by its model.Column.merge rule, so the
  API's row and the export's row of one play fill each other whichever chunk or file holds
  them: "known" takes the newest non-NULL value of the chunk, "union" every distinct source.
- Ties (same fetched_at) are broken by the file key: the later file, in day order, wins, as
  it would loading file by file. A transformed file holds one row per key, so that is a total
  order; for a hand-made file with two rows of one key and one fetched_at, a hash of the
  row's values decides, so the result still never depends on the engine's row order.
  (Sorting on the values themselves would also do, at twice the MERGE's cost.)

Written once for both engines: MAX_BY and ROW_NUMBER exist in DuckDB and Snowflake alike.
"""

from __future__ import annotations

from spotify_etl.model import Table
from spotify_etl.warehouse.ddl import (
    LOAD_ID,
    SOURCE_FILE,
    combined_value,
    combines,
    landing_name,
    merge_statement,
)

RANK = "_rank"


def _at(column: str) -> str:
    return f"{column}__at"


def _ranked(table: Table, order: str, partitioned: bool) -> str:
    """The chunk's landing rows, each with its rank within its key (1 = per `order`);
    `partitioned`: only the keys whose hash is `?` modulo `?` (after the load id's `?`)."""
    cols = ", ".join(table.column_names)
    values = ", ".join(c for c in table.column_names if c not in table.key)
    key = ", ".join(table.key)
    where = f"{LOAD_ID} = ?" + (f" AND HASH({key}) % ? = ?" if partitioned else "")
    return (
        f"SELECT {cols}, {SOURCE_FILE}, ROW_NUMBER() OVER (PARTITION BY {key} "
        f"ORDER BY fetched_at {order}, {SOURCE_FILE} {order}, HASH({values}) {order}) AS {RANK} "
        f"FROM {landing_name(table)} WHERE {where}"
    )


def _newest_known(c: str) -> str:
    """The chunk's newest non-NULL value of column `c` (ranks ascend with freshness)."""
    return f"MAX_BY({c}, CASE WHEN {c} IS NOT NULL THEN {RANK} END) AS {c}"


def dimension_source(table: Table, partitioned: bool = False) -> str:
    """One row per key: each column's newest non-NULL value and when it was fetched."""
    picks: list[str] = list(table.key)
    for c in table.column_names:
        if c in table.key or c == "fetched_at":
            continue
        picks.append(_newest_known(c))
        picks.append(f"MAX(CASE WHEN {c} IS NOT NULL THEN fetched_at END) AS {_at(c)}")
    picks.append("MIN(fetched_at) AS first_seen_at")
    picks.append("MAX(fetched_at) AS last_seen_at")
    return (
        f"SELECT {', '.join(picks)} FROM ({_ranked(table, 'ASC', partitioned)}) AS r "
        f"GROUP BY {', '.join(table.key)}"
    )


def fact_source(table: Table, partitioned: bool = False) -> str:
    """One row per key: the newest row (ties as in the module docstring)."""
    cols = ", ".join(table.column_names)
    return f"SELECT {cols} FROM ({_ranked(table, 'DESC', partitioned)}) AS r WHERE {RANK} = 1"


def combining_source(table: Table, partitioned: bool = False) -> str:
    """One row per key of a combining fact: each column by its merge rule over the chunk."""
    picks: list[str] = []
    for col in table.columns:
        c = col.name
        if c in table.key:
            picks.append(c)
        elif col.merge == "known":  # the newest known value, as file by file
            picks.append(_newest_known(c))
        else:
            picks.append(combined_value(col))
    return (
        f"SELECT {', '.join(picks)} FROM ({_ranked(table, 'ASC', partitioned)}) AS r "
        f"GROUP BY {', '.join(table.key)}"
    )


def _inserted(table: Table, partitioned: bool) -> tuple[str, list[str]]:
    """The chunk's one row per key and the model columns a new key's row is given (the
    MERGE's NOT MATCHED branch: each such column is the source's column of that name)."""
    if combines(table):
        return combining_source(table, partitioned), list(table.column_names)
    if table.kind != "dimension":
        return fact_source(table, partitioned), list(table.column_names)
    body = [c for c in table.column_names if c not in table.key and c != "fetched_at"]
    return dimension_source(table, partitioned), [
        *table.key,
        *body,
        "first_seen_at",
        "last_seen_at",
    ]


def chunk_insert(table: Table, partitioned: bool = False) -> str:
    """chunk_merge for a model table that has no rows: only its NOT MATCHED branch.

    Every key of the chunk is new, so the MERGE would insert exactly these rows; the INSERT
    skips its join with the (empty) target, which is most of a first load's cost. Parameters
    as chunk_merge's. Only for a writer that no one else can write beside (DuckDB's file lock):
    a row committed between "empty?" and the INSERT would otherwise be duplicated.
    """
    source, columns = _inserted(table, partitioned)
    names = ", ".join(columns)
    return f"INSERT INTO {table.name} ({names}) SELECT {names} FROM ({source}) AS s"


def chunk_merge(table: Table, partitioned: bool = False) -> str:
    """MERGE one chunk's landing rows into the model table; `?` is the chunk's load id, and
    when `partitioned`, two more `?`: the number of passes and this pass (DuckDB's HASH is
    unsigned, so every key falls in exactly one pass; landing.LandingWarehouse._merge)."""
    if combines(table):
        return merge_statement(table, combining_source(table, partitioned))
    on = " AND ".join(f"t.{k} = s.{k}" for k in table.key)
    if table.kind != "dimension":
        source, insert = _inserted(table, partitioned)
        values = [c for c in table.column_names if c not in table.key]
        return (
            f"MERGE INTO {table.name} AS t USING ({source}) AS s ON {on}\n"
            f"WHEN MATCHED AND (s.fetched_at >= t.fetched_at) THEN UPDATE SET "
            f"{', '.join(f'{c} = s.{c}' for c in values)}\n"
            f"WHEN NOT MATCHED THEN INSERT ({', '.join(insert)}) "
            f"VALUES ({', '.join(f's.{c}' for c in insert)})"
        )
    source, insert = _inserted(table, partitioned)
    body = insert[len(table.key) : -2]
    sets = [
        f"{c} = CASE WHEN s.{c} IS NOT NULL AND s.{_at(c)} >= t.last_seen_at THEN s.{c} "
        f"ELSE COALESCE(t.{c}, s.{c}) END"
        for c in body
    ]
    sets.append("first_seen_at = LEAST(t.first_seen_at, s.first_seen_at)")
    sets.append("last_seen_at = GREATEST(t.last_seen_at, s.last_seen_at)")
    return (
        f"MERGE INTO {table.name} AS t USING ({source}) AS s ON {on}\n"
        f"WHEN MATCHED THEN UPDATE SET {', '.join(sets)}\n"
        f"WHEN NOT MATCHED THEN INSERT ({', '.join(insert)}) "
        f"VALUES ({', '.join(f's.{c}' for c in insert)})"
    )
