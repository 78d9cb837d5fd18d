"""Named analytics queries: one SQL source (sql/*.sql), run on DuckDB or Snowflake.

analytics.sql holds the general questions, report.sql what the report's charts ask, trends.sql
the trend detection; views.sql is not queries but the V_* views (views.py).

Queries are written in portable SQL with `:name` parameters; sqlglot binds the parameters as
literals (typed by each parameter's default) and writes the statement in the warehouse's
dialect, so no query text is duplicated per engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from spotify_etl.errors import ConfigError
from spotify_etl.warehouse.base import Warehouse
from spotify_etl.warehouse.ddl import Dialect
from spotify_etl.warehouse.sqlfiles import read_sql, sql_blocks


@dataclass(frozen=True)
class QueryInfo:
    name: str
    description: str
    params: dict[str, str | int] = field(default_factory=dict)
    sql: str = ""
    source: str = ""  # the file it is written in


QUERY_FILES = ("analytics.sql", "report.sql", "trends.sql", "listening.sql")


def _parse_params(text: str) -> dict[str, str | int]:
    params: dict[str, str | int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, default = part.strip().partition("=")
        params[name.strip()] = int(default) if default.strip().lstrip("-").isdigit() else default
    return params


@cache
def _catalog() -> dict[str, QueryInfo]:
    queries: dict[str, QueryInfo] = {}
    for source in QUERY_FILES:
        for info in _parse_file(read_sql(source), source):
            if info.name in queries:
                raise ValueError(f"query {info.name!r} is defined twice")
            queries[info.name] = info
    return queries


def _parse_file(text: str, source: str) -> list[QueryInfo]:
    return [
        QueryInfo(
            meta["name"], meta["description"], _parse_params(meta.get("params", "")), sql, source
        )
        for meta, sql in sql_blocks(text, ("name", "description", "params"))
    ]


def list_queries() -> list[QueryInfo]:
    return sorted(_catalog().values(), key=lambda q: q.name)


def get_query(name: str) -> QueryInfo:
    try:
        return _catalog()[name]
    except KeyError:
        names = ", ".join(sorted(_catalog()))
        raise ConfigError(f"unknown query {name!r}", hint=f"one of: {names}") from None


def render(name: str, dialect: Dialect, params: dict[str, Any] | None = None) -> str:
    """The query `name` in `dialect`, with its parameters bound as literals."""
    return _render(name, dialect, tuple(sorted((params or {}).items())))


@cache
def _render(name: str, dialect: Dialect, bound: tuple[tuple[str, Any], ...]) -> str:
    # Pure and costly (sqlglot parses and writes the whole statement): once per process.
    params = dict(bound)
    import sqlglot
    from sqlglot import exp

    info = get_query(name)
    unknown = set(params or {}) - set(info.params)
    if unknown:
        raise ConfigError(
            f"query {name!r} takes no parameter {', '.join(sorted(unknown))}",
            hint=f"parameters: {', '.join(info.params) or 'none'}",
        )
    values = {**info.params, **(params or {})}
    tree = sqlglot.parse_one(info.sql, read="duckdb")
    for node in list(tree.find_all(exp.Placeholder)):
        default = info.params[node.name]
        value = values[node.name]
        if isinstance(default, int):
            try:
                literal: exp.Expression = exp.Literal.number(int(value))
            except (TypeError, ValueError):
                raise ConfigError(f"parameter {node.name} of {name!r} must be an integer") from None
        else:
            literal = exp.Literal.string(str(value))
        node.replace(literal)
    return tree.sql(dialect=dialect)


def run_query(
    wh: Warehouse, name: str, params: dict[str, Any] | None = None
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run a named query; column names come back lower case on every engine."""
    columns, rows = wh.execute(render(name, wh.dialect, params))
    return [c.lower() for c in columns], rows
