"""Query results as a table, CSV or JSON, for the command line."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def format_rows(columns: list[str], rows: list[tuple[Any, ...]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([dict(zip(columns, map(_plain, r), strict=True)) for r in rows], indent=2)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([["" if v is None else _plain(v) for v in r] for r in rows])
        return buf.getvalue().rstrip("\n")
    from rich.console import Console
    from rich.table import Table

    table = Table(*columns)
    for r in rows:
        table.add_row(*["" if v is None else str(_plain(v)) for v in r])
    buf = io.StringIO()
    Console(file=buf, width=200, markup=False).print(table)  # names are data, not markup
    return buf.getvalue().rstrip("\n")
