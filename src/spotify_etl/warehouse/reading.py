"""Turning transformed files into a DuckDB SELECT, after checking each is what it claims.

The header (CSV) or schema (Parquet) must be exactly the model's columns in order: a file
with the wrong columns is refused before a row is read. Values are typed by the reader, so a
wrong type fails the whole file (SKIP_FILE), never a silent NULL.
"""

from __future__ import annotations

import csv
import gzip
import zlib
from pathlib import Path
from typing import Any

from spotify_etl.errors import InputError
from spotify_etl.model import CSV_NULL, FileFormat, Table
from spotify_etl.warehouse.ddl import sql_type


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def first_line(message: str) -> str:
    """DuckDB errors run to a page; keep the lines that say what and where."""
    lines = [ln.strip() for ln in message.splitlines() if ln.strip()]
    keep = [ln for ln in lines[:6] if not ln.startswith(("Possible", "*", "Column "))]
    return " | ".join(keep[:3])[:500]


def _csv_header(path: Path) -> list[str]:
    if path.stat().st_size == 0:
        raise InputError("empty file (0 bytes): expected a gzip CSV with a header row")
    try:
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            line = fh.readline()
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"not a readable gzip file: {exc}") from None
    except UnicodeDecodeError:
        raise InputError("header is not UTF-8") from None
    if not line:
        raise InputError("empty CSV: no header row")
    return header_names(line)


def header_names(line: str) -> list[str]:
    """The names in a CSV header line; RFC 4180 lets them be quoted, as transform writes them."""
    return next(csv.reader([line.rstrip("\r\n")]), [])


def check_columns(found: list[str], table: Table) -> None:
    wanted = list(table.column_names)
    if found == wanted:
        return
    missing = [c for c in wanted if c not in found]
    extra = [c for c in found if c not in wanted]
    detail = []
    if missing:
        detail.append(f"missing {', '.join(missing)}")
    if extra:
        detail.append(f"unexpected {', '.join(extra)}")
    if not detail:
        detail.append("columns out of order")
    raise InputError(f"wrong columns for {table.name}: {'; '.join(detail)}")


def check_csv(path: Path, table: Table) -> None:
    check_columns(_csv_header(path), table)


def _paths(paths: list[Path]) -> str:
    return "[" + ", ".join(sql_literal(str(p)) for p in paths) + "]"


def csv_reader(paths: list[Path], table: Table) -> str:
    """One read_csv over many files (checked beforehand), with a `filename` column."""
    columns = ", ".join(
        f"{sql_literal(c.name)}: {sql_literal(sql_type(c.type, 'duckdb'))}" for c in table.columns
    )
    return (
        f"read_csv({_paths(paths)}, columns={{{columns}}}, header=true, "
        f"auto_detect=false, delim=',', quote='\"', escape='\"', "
        f"nullstr={sql_literal(CSV_NULL)}, allow_quoted_nulls=false, strict_mode=true, "
        f"compression='gzip', hive_partitioning=false, filename=true)"
    )


def check_parquet(con: Any, path: Path, table: Table) -> None:
    source = f"read_parquet({sql_literal(str(path))}, hive_partitioning=false)"
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    except Exception as exc:  # duckdb.Error; not imported here to keep this module pure
        raise InputError(f"not a readable Parquet file: {first_line(str(exc))}") from None
    check_columns([row[0] for row in described], table)


def parquet_reader(paths: list[Path], table: Table) -> str:
    """One read_parquet over many files (schemas checked beforehand), typed per the model."""
    source = f"read_parquet({_paths(paths)}, hive_partitioning=false, filename=true)"
    casts = ", ".join(
        f"CAST({c.name} AS {sql_type(c.type, 'duckdb')}) AS {c.name}" for c in table.columns
    )
    return f"(SELECT {casts}, filename FROM {source})"


def reader_sql(paths: list[Path], table: Table, fmt: FileFormat) -> str:
    return csv_reader(paths, table) if fmt == "csv" else parquet_reader(paths, table)
