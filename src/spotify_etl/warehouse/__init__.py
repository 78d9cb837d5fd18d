"""Load: transformed files -> warehouse (DuckDB file or Snowflake), and the analytics queries.

wh = open_warehouse("duckdb:///./spotify-data/warehouse.duckdb")
summary = load_pending(open_store(transformed_url), wh)
columns, rows = run_query(wh, "top_artists_by_songs")
"""

from __future__ import annotations

from spotify_etl.warehouse.analytics import QueryInfo, list_queries, run_query
from spotify_etl.warehouse.base import LoadSummary, Warehouse
from spotify_etl.warehouse.connect import open_configured, open_warehouse
from spotify_etl.warehouse.loader import load_pending

__all__ = [
    "LoadSummary",
    "QueryInfo",
    "Warehouse",
    "list_queries",
    "load_pending",
    "open_configured",
    "open_warehouse",
    "run_query",
]
