"""Commands of this stage; registered on the main app by spotify_etl.cli."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this stage's commands to the main app (filled in by the stage)."""
