"""`spotify-etl extract --config pipeline.toml [--api-base URL] [--budget N]`."""

from __future__ import annotations

import typer

from spotify_etl.cli_options import ApiBaseOpt, BudgetOpt, ConfigOpt, extraction_from_flags


def extract(
    config: ConfigOpt = None,
    api_base: ApiBaseOpt = None,
    budget: BudgetOpt = None,
) -> None:
    """Fetch the configured sources into the raw zone (incremental, resumable)."""
    import dataclasses

    from spotify_etl.console import emit_json, json_mode, progress
    from spotify_etl.extract.run import run_extract

    cfg, extraction = extraction_from_flags(config, api_base, budget)
    with progress("extract: work done of planned") as update:
        result = run_extract(cfg, dataclasses.replace(extraction, progress=update))
    if json_mode():  # one JSON object, as `run` prints: the run summary's own extract object
        from spotify_etl.pipeline.report import extract_data

        emit_json("extract", {"exit_code": result.exit_code, **extract_data(result)})
    else:
        typer.echo(result.summary())
    raise typer.Exit(result.exit_code)


def register(app: typer.Typer) -> None:
    app.command("extract")(extract)
