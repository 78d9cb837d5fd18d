"""Options shared by several commands, declared once so they read the same everywhere."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from spotify_etl.config import PipelineConfig
    from spotify_etl.extract.context import ExtractRun

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


def extraction_from_flags(
    config: Path | None, api_base: str | None, budget: int | None
) -> tuple[PipelineConfig, ExtractRun]:
    """The config and the extraction context that `extract` and `run` build from these
    flags, after the checks `config check` runs: the one way both commands start."""
    from spotify_etl.config import load_config, load_secrets
    from spotify_etl.extract.context import ExtractRun
    from spotify_etl.pipeline.checks import preflight
    from spotify_etl.spotify import token_store_for

    cfg = load_config(config)
    secrets = load_secrets()
    preflight(cfg, secrets, api_base=api_base)
    tokens = token_store_for(cfg, secrets.spotify_client_id, api_base=api_base)
    return cfg, ExtractRun(secrets=secrets, api_base=api_base, budget=budget, token_store=tokens)
