"""The V_* views for BI tools: one source (sql/views.sql), created on DuckDB by every
migration and rendered into the Snowflake deployment SQL (09_views.sql), so the two cannot
drift. Like the analytics queries, each view is written once in DuckDB's dialect and
transpiled by sqlglot.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from spotify_etl.warehouse.ddl import Dialect
from spotify_etl.warehouse.sqlfiles import read_sql, sql_blocks


@dataclass(frozen=True)
class ViewInfo:
    name: str
    grain: str
    description: str
    sql: str  # the SELECT, DuckDB dialect


@cache
def list_views() -> tuple[ViewInfo, ...]:
    """In file order: a view may read the views above it."""
    blocks = sql_blocks(read_sql("views.sql"), ("view", "grain", "description"))
    views = [ViewInfo(m["view"], m["grain"], m["description"], sql) for m, sql in blocks]
    return tuple(views)


def view_statement(view: ViewInfo, dialect: Dialect) -> str:
    if dialect == "duckdb":  # written in DuckDB's dialect: nothing to translate
        return f"CREATE OR REPLACE VIEW {view.name} AS {view.sql}"
    import sqlglot

    select = sqlglot.parse_one(view.sql, read="duckdb").sql(dialect=dialect)
    return f"CREATE OR REPLACE VIEW {view.name} AS {select}"


@cache
def view_statements(dialect: Dialect) -> tuple[str, ...]:
    """Every view's statement, once per process: each open of a warehouse replaces its views,
    and translating them with sqlglot took 0.2 s an open (a third of a 100,000-play import)."""
    return tuple(view_statement(v, dialect) for v in list_views())
