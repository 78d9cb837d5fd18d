"""`spotify-etl simulator export`: the simulated listener's privacy export, in a real format."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer


def export_command(
    out: Annotated[Path, typer.Argument(help="Folder to write the export into.")],
    days: Annotated[float, typer.Option(help="Days of listening, ending at --end.")] = 30,
    end: Annotated[
        str, typer.Option(help="UTC day the history ends (YYYY-MM-DD); default today.")
    ] = "",
    fmt: Annotated[
        str, typer.Option("--format", help="extended (Streaming_History_Audio_*) | short")
    ] = "extended",
    plays_per_hour: Annotated[float, typer.Option(help="The listener's pace.")] = 12.0,
    seed: Annotated[int, typer.Option(help="Catalog seed (as `simulator serve`).")] = 42,
    scale: Annotated[int, typer.Option(help="Catalog scale (as `simulator serve`).")] = 10_000,
    zip_it: Annotated[bool, typer.Option("--zip", help="Also pack my_spotify_data.zip.")] = False,
) -> None:
    """Write the simulated user's listening history as Spotify's privacy export does."""
    from spotify_etl.simulator.catalog import Catalog
    from spotify_etl.simulator.history_export import write_export, zip_export
    from spotify_etl.simulator.playclock import PlayClock, PlayClockSettings

    if fmt not in ("extended", "short"):
        raise typer.BadParameter("use extended or short", param_hint="--format")
    try:
        last = datetime.fromisoformat(end).replace(tzinfo=UTC) if end else datetime.now(UTC)
    except ValueError:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint="--end") from None
    stop = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1)
    start = stop - timedelta(days=days)
    settings = PlayClockSettings(start=start, plays_per_hour=plays_per_hour)
    clock = PlayClock(Catalog(seed, scale), settings)
    files = write_export(clock, out, start, stop, fmt=fmt)
    for path in files:
        typer.echo(f"wrote {path}")
    if zip_it:
        typer.echo(f"wrote {zip_export(files, out, out / 'my_spotify_data.zip')}")
