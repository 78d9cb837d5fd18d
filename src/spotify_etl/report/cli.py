"""`spotify-etl report`: the warehouse as one self-contained HTML page."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from spotify_etl.cli_options import ConfigOpt


def report_command(
    config: ConfigOpt = None,
    out: Annotated[
        str, typer.Option("--out", "-o", help="File to write (or s3://bucket/key.html).")
    ] = "report.html",
    days: Annotated[
        int, typer.Option("--days", min=1, help="Snapshot days the playlist charts cover.")
    ] = 30,
    warehouse: Annotated[
        str | None,
        typer.Option("--warehouse", help="duckdb:///path/warehouse.duckdb or snowflake://…"),
    ] = None,
) -> None:
    """Write an HTML report (charts and the tables behind them) that opens offline."""
    from spotify_etl.report.publish import build_for, publish
    from spotify_etl.warehouse.cli import _open, _settings

    started = time.perf_counter()
    settings = _settings(config)
    wh = _open(warehouse, settings, must_exist=True)
    try:
        built = build_for(settings, wh, days)
    finally:
        wh.close()
    where = publish(built, out)
    charts = sum(c.spec is not None for c in built.report.cards)
    typer.echo(
        f"report: {len(built.report.cards)} cards ({charts} charts) from "
        f"{len({name for name, _ in built.queries})} named queries, {built.size / 1024:,.0f} KB, "
        f"{time.perf_counter() - started:.1f} s"
    )
    typer.echo(where)


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)
