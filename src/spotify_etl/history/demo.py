"""The demo's listening history: 30 days of the simulated listener's privacy export, imported."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spotify_etl.config import PipelineConfig, Secrets


def import_demo_history(
    config: PipelineConfig, secrets: Secrets, *, seed: int, scale: int, days: int = 30
) -> list[str]:
    """Write the export beside the lake (spotify-data/export/) and import it; summary lines."""
    from spotify_etl.history.importer import import_history
    from spotify_etl.simulator.catalog import Catalog
    from spotify_etl.simulator.history_export import write_export, zip_export
    from spotify_etl.simulator.playclock import PlayClock, PlayClockSettings

    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = end - timedelta(days=days)
    # 40 favourite songs: the first daily run fetches them (queued by the import) at small cost
    clock = PlayClock(Catalog(seed, scale), PlayClockSettings(start=start, library=40))
    folder = Path(config.path(config.storage.raw)).parent / "export"
    files = write_export(clock, folder, start, end)
    archive = zip_export(files, folder, folder / "my_spotify_data.zip")
    summary = import_history(config, archive, secrets=secrets)
    return [f"imported {archive} (the simulated listener's last {days} days)", *summary.lines()]
