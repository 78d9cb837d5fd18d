"""Options shared by several commands, declared once so they read the same everywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="Pipeline TOML file (see `spotify-etl init`)."),
]
ApiBaseOpt = Annotated[
    str | None,
    typer.Option("--api-base", help="Any Spotify-compatible API base, e.g. the simulator's URL."),
]
BudgetOpt = Annotated[
    int | None,
    typer.Option("--budget", min=3, help="API requests this run may make (at least 3)."),
]
