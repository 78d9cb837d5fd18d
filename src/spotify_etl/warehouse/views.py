"""The V_* views for BI tools: one source (sql/views.sql), created on DuckDB by every
migration and rendered into the Snowflake deployment SQL (09_views.sql), so the two cannot
drift. Like the analytics queries, each view is written once in DuckDB's dialect and
transpiled by sqlglot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from spotify_etl.warehouse.ddl import Dialect

_HEADER = re.compile(r"^--\s*(view|grain|description):\s*(.*)$")


@dataclass(frozen=True)
class ViewInfo:
    name: str
    grain: str
    description: str
    sql: str  # the SELECT, DuckDB dialect


@cache
def list_views() -> tuple[ViewInfo, ...]:
    """In file order: a view may read the views above it."""
    text = resources.files("spotify_etl.warehouse").joinpath("sql/views.sql").read_text()
    views = []
    for block in re.split(r"\n(?=-- view:)", text)[1:]:
        meta: dict[str, str] = {}
        body: list[str] = []
        for line in block.splitlines():
            m = _HEADER.match(line)
            if m and not body:
                meta[m.group(1)] = m.group(2).strip()
            elif line.strip() and not line.lstrip().startswith("--"):
                body.append(line)
        views.append(
            ViewInfo(
                meta["view"],
                meta["grain"],
                meta["description"],
                "\n".join(body).strip().rstrip(";"),
            )
        )
    return tuple(views)


def view_statement(view: ViewInfo, dialect: Dialect) -> str:
    import sqlglot

    select = sqlglot.parse_one(view.sql, read="duckdb").sql(dialect=dialect)
    return f"CREATE OR REPLACE VIEW {view.name} AS {select}"


def view_statements(dialect: Dialect) -> list[str]:
    return [view_statement(v, dialect) for v in list_views()]
