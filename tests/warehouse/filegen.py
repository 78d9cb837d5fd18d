"""Writing transformed files (docs/formats.md) from row dicts, for tests and the benchmark.

A stand-in for the transform's writer that follows the same contract: gzip CSV with the
model's header, `\\N` for NULL, `""` for an empty string; Parquet typed per model via DuckDB.
Missing keys in a row dict are NULL.
"""

from __future__ import annotations

import gzip
import json
import tempfile
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from spotify_etl.model import CSV_NULL, Table

RUN_ID = "20261124T060000Z-1a2b3c4d"


def cell(value: Any) -> str:
    if value is None:
        return CSV_NULL
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        value = json.dumps(list(value), ensure_ascii=False)
    text = str(value)
    if text == "" or text == CSV_NULL or any(ch in text for ch in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_text(table: Table, rows: Iterable[Mapping[str, Any]]) -> str:
    names = table.column_names
    lines = [",".join(names)]
    lines.extend(",".join(cell(row.get(n)) for n in names) for row in rows)
    return "\n".join(lines) + "\n"


def key_for(table: Table, dt: str, name: str = f"{RUN_ID}-part-00000", ext: str = "csv.gz") -> str:
    return f"{table.folder}/dt={dt}/{name}.{ext}"


def write_csv(
    root: Path,
    table: Table,
    dt: str,
    rows: Iterable[Mapping[str, Any]],
    name: str = f"{RUN_ID}-part-00000",
    compresslevel: int = 6,
) -> Path:
    path = root / key_for(table, dt, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = gzip.compress(
        csv_text(table, rows).encode("utf-8"), compresslevel=compresslevel, mtime=0
    )
    path.write_bytes(data)
    return path


def write_parquet(
    root: Path,
    table: Table,
    dt: str,
    rows: Iterable[Mapping[str, Any]],
    name: str = f"{RUN_ID}-part-00000",
) -> Path:
    """Parquet typed per model, written by DuckDB COPY (no pyarrow)."""
    import duckdb

    from spotify_etl.warehouse.reading import csv_reader

    path = root / key_for(table, dt, name, "parquet")
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        src = write_csv(Path(tmp), table, dt, rows, name)
        con = duckdb.connect()
        try:
            con.execute(
                f"COPY (SELECT {', '.join(table.column_names)} FROM {csv_reader([src], table)}) "
                f"TO '{path}' (FORMAT parquet)"
            )
        finally:
            con.close()
    return path
