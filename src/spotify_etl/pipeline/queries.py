"""Printing a named query's answer as a table, CSV or JSON (shared by `query` and the demo)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.table import Table

from spotify_etl.console import emit_json, json_mode, out

if TYPE_CHECKING:
    from spotify_etl.warehouse import Warehouse


def emit_query_json(
    name: str, columns: list[str], rows: list[tuple[Any, ...]], limit: int | None
) -> None:
    """`--log-format json`: one object with the rows shown and how many there are in all."""
    shown = rows[:limit] if limit else rows
    emit_json("query", {"name": name, "columns": columns, "rows": shown, "total": len(rows)})


def print_query(warehouse: Warehouse, name: str, *, limit: int | None = None) -> None:
    from spotify_etl.warehouse import list_queries, run_query

    described = {q.name: q.description for q in list_queries()}
    columns, rows = run_query(warehouse, name)
    shown = rows[:limit] if limit else rows
    if json_mode():
        emit_query_json(name, columns, rows, limit)
        return
    table = Table(title=f"{name}: {described.get(name, '')}", title_justify="left")
    for column in columns:
        table.add_column(column)
    for row in shown:
        table.add_row(*("" if v is None else str(v) for v in row))
    if len(shown) < len(rows):
        table.caption = f"{len(shown)} of {len(rows)} rows shown: spotify-etl query {name} for all"
        table.caption_justify = "left"
    out.print(table)
