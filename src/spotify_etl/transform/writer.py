"""Transformed files: gzip CSV (the documented NULL convention) and typed Parquet via DuckDB.

CSV, as `spotify_etl.model` declares and both loaders read back:
- header row, comma, RFC 4180 quoting with `"` (doubled inside), `\\n` line ends, UTF-8;
- NULL is the bare token `\\N`; every string value is quoted, so an empty string is `""`
  and stays '' (DuckDB `nullstr='\\N'`; Snowflake `NULL_IF=('\\\\N')
  EMPTY_FIELD_AS_NULL=FALSE FIELD_OPTIONALLY_ENCLOSED_BY='"'`);
- BOOLEAN `true`/`false`, DOUBLE as Python repr, integers bare; DATE and TIMESTAMP are the
  quoted strings 'YYYY-MM-DD' and 'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC).
- A string that is literally `\\N` is written quoted; DuckDB's default allow_quoted_nulls
  still reads it as NULL, so a loader that must keep it reads with allow_quoted_nulls=false.

Bytes are deterministic: the gzip header carries no file name and mtime 0.
"""

from __future__ import annotations

import csv
import gzip
import io
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb

from spotify_etl.model import Table

GZIP_LEVEL = 6  # level 9 costs ~3x the time for ~3% smaller files


class _Bare(int):
    """An int-like value the csv module writes unquoted under QUOTE_NONNUMERIC."""

    text: str

    def __new__(cls, text: str) -> _Bare:
        obj = super().__new__(cls, 0)
        obj.text = text
        return obj

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__


NULL = _Bare("\\N")
TRUE = _Bare("true")
FALSE = _Bare("false")


def encode_csv(table: Table, rows: Iterable[tuple[Any, ...]]) -> bytes:
    buffer = io.BytesIO()
    with (
        gzip.GzipFile(
            filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=GZIP_LEVEL
        ) as gz,
        io.TextIOWrapper(gz, encoding="utf-8", newline="", write_through=False) as text,
    ):
        writer = csv.writer(text, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
        writer.writerow(table.column_names)
        writer.writerows(
            [NULL if v is None else TRUE if v is True else FALSE if v is False else v for v in row]
            for row in rows
        )
    return buffer.getvalue()


def csv_read_sql(table: Table, path: str) -> str:
    """A DuckDB expression that reads one transformed CSV with the declared types."""
    columns = ", ".join(f"'{c.name}': '{c.type}'" for c in table.columns)
    escaped = path.replace("'", "''")
    return (
        f"read_csv('{escaped}', header=true, delim=',', quote='\"', escape='\"', "
        f"nullstr='\\N', auto_detect=false, hive_partitioning=false, columns={{{columns}}})"
    )


class ParquetWriter:
    """CSV bytes -> Parquet bytes through DuckDB (no pyarrow); one connection per run."""

    def __init__(self) -> None:
        self._con = duckdb.connect(":memory:")
        # One thread keeps row groups, and so the bytes, identical from run to run.
        self._con.execute("SET threads = 1")
        self._con.execute("SET preserve_insertion_order = true")
        self._tmp = tempfile.TemporaryDirectory(prefix="spotify-etl-parquet-")

    def encode(self, table: Table, csv_gz: bytes) -> bytes:
        src = Path(self._tmp.name) / f"{table.folder}.csv.gz"
        dst = Path(self._tmp.name) / f"{table.folder}.parquet"
        src.write_bytes(csv_gz)
        target = str(dst).replace("'", "''")
        self._con.execute(
            f"COPY (SELECT * FROM {csv_read_sql(table, str(src))}) "
            f"TO '{target}' (FORMAT parquet, COMPRESSION zstd)"
        )
        data = dst.read_bytes()
        src.unlink()
        dst.unlink()
        return data

    def close(self) -> None:
        self._con.close()
        self._tmp.cleanup()
