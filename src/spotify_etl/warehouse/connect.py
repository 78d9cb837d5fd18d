"""Choosing the warehouse adapter from its URL, in one place."""

from __future__ import annotations

import re
from pathlib import Path

from spotify_etl.config import Secrets, WarehouseSettings
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
    merge_rows: int | None = None,
) -> Warehouse:
    """Open (and migrate) the warehouse at `url`.

    `duckdb:///abs/path.duckdb`, `duckdb:///./relative.duckdb` (relative to `base_dir`, else
    the working directory) or `snowflake://account/database/schema?warehouse=WH&role=R`
    (credentials from `secrets`, i.e. SNOWFLAKE_* environment variables). `memory_limit` and
    `merge_rows` bound a DuckDB load (unset: the adapter's defaults); Snowflake ignores them.
    """
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme == "duckdb":
        from spotify_etl.warehouse.duckdb_adapter import (
            DEFAULT_MEMORY_LIMIT,
            DEFAULT_MERGE_ROWS,
            DuckDBWarehouse,
            duckdb_path,
        )

        path = duckdb_path(url, base_dir)
        wh: Warehouse = DuckDBWarehouse(
            path,
            memory_limit=memory_limit or DEFAULT_MEMORY_LIMIT,
            merge_rows=merge_rows or DEFAULT_MERGE_ROWS,
        )
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


def duckdb_file(url: str, base_dir: Path | None = None) -> str | None:
    """The file a `duckdb://` URL names (relative paths against `base_dir`, as open_warehouse
    resolves them; `:memory:` as is); None for any other warehouse."""
    if not url.startswith("duckdb:"):
        return None
    from spotify_etl.warehouse.duckdb_adapter import duckdb_path

    return duckdb_path(url, base_dir)


def resolved_url(url: str, base_dir: Path | None = None) -> str:
    """The URL with a DuckDB path made absolute, as open_warehouse would open it."""
    path = duckdb_file(url, base_dir)
    return url if path is None else "duckdb://" + path


def open_configured(
    settings: WarehouseSettings,
    secrets: Secrets | None = None,
    *,
    base_dir: Path | None = None,
    url: str | None = None,
) -> Warehouse:
    """open_warehouse for the `[warehouse]` settings, every load setting applied; `url`, when
    given, replaces settings.url (a relative DuckDB path then resolves against the working
    directory, not `base_dir`, the config file's folder)."""
    return open_warehouse(
        url or settings.url,
        secrets,
        base_dir=None if url else base_dir,
        memory_limit=settings.duckdb_memory_limit,
        merge_rows=settings.duckdb_merge_rows,
    )
