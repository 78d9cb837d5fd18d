"""Choosing the warehouse adapter from its URL, in one place."""

from __future__ import annotations

import re
from pathlib import Path

from spotify_etl.config import Secrets
from spotify_etl.errors import ConfigError
from spotify_etl.warehouse.base import Warehouse

SCHEMES = ("duckdb", "snowflake")


def safe_url(url: str) -> str:
    """The URL without any user:password@ part, for messages."""
    return re.sub(r"//[^/@]*@", "//***@", url)


def open_warehouse(
    url: str,
    secrets: Secrets | None = None,
    *,
    base_dir: Path | None = None,
    memory_limit: str | None = None,
) -> Warehouse:
    """Open (and migrate) the warehouse at `url`.

    `duckdb:///abs/path.duckdb`, `duckdb:///./relative.duckdb` (relative to `base_dir`, else
    the working directory) or `snowflake://account/database/schema?warehouse=WH&role=R`
    (credentials from `secrets`, i.e. SNOWFLAKE_* environment variables).
    """
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme == "duckdb":
        from spotify_etl.warehouse.duckdb_adapter import (
            DEFAULT_MEMORY_LIMIT,
            DuckDBWarehouse,
            duckdb_path,
        )

        path = duckdb_path(url, base_dir)
        wh: Warehouse = DuckDBWarehouse(path, memory_limit=memory_limit or DEFAULT_MEMORY_LIMIT)
    elif scheme == "snowflake":
        from spotify_etl.config import load_secrets
        from spotify_etl.warehouse.snowflake_adapter import SnowflakeWarehouse

        wh = SnowflakeWarehouse.connect(url, secrets or load_secrets())
    else:
        raise ConfigError(
            f"unknown warehouse URL scheme {scheme!r} in {safe_url(url)!r}",
            hint="use duckdb:///path/warehouse.duckdb or snowflake://account/database/schema",
        )
    try:
        wh.ensure_schema()
    except BaseException:
        wh.close()
        raise
    return wh
