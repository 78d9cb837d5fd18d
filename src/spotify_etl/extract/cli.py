"""`spotify-etl extract --config pipeline.toml [--api-base URL] [--budget N]`."""

from __future__ import annotations

import typer

from spotify_etl.cli_options import ApiBaseOpt, BudgetOpt, ConfigOpt


def extract(
    config: ConfigOpt = None,
    api_base: ApiBaseOpt = None,
    budget: BudgetOpt = None,
) -> None:
    """Fetch the configured sources into the raw zone (incremental, resumable)."""
    from spotify_etl.config import load_config, load_secrets
    from spotify_etl.console import emit_json, json_mode, progress
    from spotify_etl.extract.run import run_extract
    from spotify_etl.pipeline.checks import preflight
    from spotify_etl.spotify import token_store_for

    cfg = load_config(config)
    secrets = load_secrets()
    preflight(cfg, secrets, api_base=api_base)  # the validation `config check` runs
    with progress("extract: work done of planned") as update:
        result = run_extract(
            cfg,
            secrets=secrets,
            api_base=api_base,
            budget=budget,
            token_store=token_store_for(cfg, secrets.spotify_client_id, api_base=api_base),
            progress=update,
        )
    if json_mode():  # one JSON object, as `run` prints: the run summary's own extract object
        from spotify_etl.pipeline.report import extract_data

        emit_json("extract", {"exit_code": result.exit_code, **extract_data(result)})
    else:
        typer.echo(result.summary())
    raise typer.Exit(result.exit_code)


def register(app: typer.Typer) -> None:
    app.command("extract")(extract)
