"""Transformed files: gzip CSV (the documented NULL convention) and typed Parquet via DuckDB.

CSV, as `spotify_etl.model` declares and both loaders read back:
- header row, comma, RFC 4180 quoting with `"` (doubled inside), `\\n` line ends, UTF-8;
- NULL is the bare token `\\N`; every string value is quoted, so an empty string is `""`
  and stays '' (DuckDB `nullstr='\\N'`; Snowflake `NULL_IF=('\\\\N')
  EMPTY_FIELD_AS_NULL=FALSE FIELD_OPTIONALLY_ENCLOSED_BY='"'`);
- BOOLEAN `true`/`false`, DOUBLE as Python repr, integers bare; DATE and TIMESTAMP are the
  quoted strings 'YYYY-MM-DD' and 'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC).
- A string that is literally `\\N` is written quoted; DuckDB's default allow_quoted_nulls
  would still read it as NULL, so every reader here (and the loaders) sets it to false.

Bytes are deterministic: the gzip header carries no file name and mtime 0.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any

from isal import igzip, isal_zlib

from spotify_etl.model import CSV_NULL, Column, Table

GZIP_LEVEL = 2  # ISA-L levels are 0-3; 2 is as fast as 1 and ~1% smaller
_GZIP_WBITS = 31  # 16 + 15: a gzip container (no file name, mtime 0), a 32 KiB window


def _cell(index: int, column: Column, plain: bool) -> str:
    """The f-string field that formats one column's value (see the module docstring).

    `plain`: the value cannot hold a quote (a checked id, a date or timestamp we wrote).
    """
    v = f"r[{index}]"
    if column.type in ("VARCHAR", "DATE", "TIMESTAMP"):
        text = v if plain else f"{v}.replace(Q, QQ)"
        if not column.nullable:
            return f'"{{{text}}}"'
        return f"{{NUL if {v} is None else Q + {text} + Q}}"
    if column.type == "BOOLEAN":
        return f"{{NUL if {v} is None else 'true' if {v} else 'false'}}"
    if column.type == "DOUBLE":
        return f"{{NUL if {v} is None else repr({v})}}"
    return f"{{NUL if {v} is None else {v}}}"


@cache
def line_formatter(table: Table) -> Callable[[tuple[Any, ...]], str]:
    """One compiled f-string per table: a row in, a CSV line out, no per-field calls.

    About twice as fast as csv.writer here, which must call back into Python for each NULL.
    """
    plain = plain_columns(table)
    fields = ",".join(_cell(i, c, c.name in plain) for i, c in enumerate(table.columns))
    source = "lambda r: f'''" + fields + "\\n'''"
    # Built only from the model's column declarations, never from input.
    namespace = {"Q": '"', "QQ": '""', "NUL": CSV_NULL}
    return eval(source, namespace)  # type: ignore[no-any-return]  # noqa: S307


def plain_columns(table: Table) -> set[str]:
    """Columns whose values never need quote doubling: checked ids, dates, timestamps."""
    from spotify_etl.transform.checks import declared_rules

    ids = {r.column for r in declared_rules(9999).get(table.name, ()) if "ID(v)" in r.expr}
    return ids | {c.name for c in table.columns if c.type in ("DATE", "TIMESTAMP")}


# Rows formatted and compressed at a time: the whole table's text, its UTF-8 copy and the
# line strings were a batch's memory peak (26 MB of a 128-page batch's 95 MB).
_ROWS_PER_PIECE = 2048


def encode_csv(table: Table, rows: Iterable[tuple[Any, ...]]) -> bytes:
    """Gzip CSV (module docstring), streamed through the compressor piece by piece; the
    pieces' boundaries are fixed, so the bytes are the same for the same rows."""
    line = line_formatter(table)
    gz = isal_zlib.compressobj(GZIP_LEVEL, isal_zlib.DEFLATED, _GZIP_WBITS)
    header = ",".join(f'"{name}"' for name in table.column_names) + "\n"
    out = [gz.compress(header.encode("utf-8"))]
    it = iter(rows)
    while piece := list(islice(it, _ROWS_PER_PIECE)):
        out.append(gz.compress("".join(map(line, piece)).encode("utf-8")))
    out.append(gz.flush())
    return b"".join(out)


def gzip_bytes(data: bytes) -> bytes:
    """Deterministic gzip (no name, mtime 0), ISA-L: ~7x zlib's speed at a similar size."""
    return igzip.compress(data, GZIP_LEVEL, mtime=0)


def csv_read_sql(table: Table, path: str) -> str:
    """A DuckDB expression that reads one transformed CSV with the declared types."""
    columns = ", ".join(f"'{c.name}': '{c.type}'" for c in table.columns)
    escaped = path.replace("'", "''")
    return (
        f"read_csv('{escaped}', header=true, delim=',', quote='\"', escape='\"', "
        f"nullstr='\\N', allow_quoted_nulls=false, auto_detect=false, hive_partitioning=false, "
        f"columns={{{columns}}})"
    )


class ParquetWriter:
    """CSV bytes -> Parquet bytes through DuckDB (no pyarrow); one connection per run."""

    def __init__(self) -> None:
        import duckdb  # only for Parquet: CSV runs (and their memory) do without it

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
