"""`spotify-etl import history FILE|DIR|ZIP`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from spotify_etl.cli_options import ConfigOpt


def import_history(
    target: Annotated[
        Path, typer.Argument(help="An export file, its folder, or my_spotify_data.zip.")
    ],
    config: ConfigOpt = None,
    no_load: Annotated[
        bool, typer.Option("--no-load", help="Write the PLAY files only; `load` them later.")
    ] = False,
) -> None:
    """Import a privacy export's listening history (extended or account data) into PLAY.

    Streamed, idempotent (the same export twice changes nothing), personal fields dropped
    (ip_addr, username, user agent), bad records quarantined with their reason.
    """
    from spotify_etl.config import load_config, load_secrets
    from spotify_etl.console import emit_json, json_mode
    from spotify_etl.history.importer import import_history as run_import

    summary = run_import(load_config(config), target, secrets=load_secrets(), load=not no_load)
    if json_mode():  # one JSON object, as `run` prints
        from spotify_etl.pipeline.report import import_data

        emit_json("import_history", import_data(summary))
        raise typer.Exit(summary.exit_code)
    for line in summary.lines():
        typer.echo(line)
    raise typer.Exit(summary.exit_code)


def register(app: typer.Typer) -> None:
    import_app = typer.Typer(help="Import data from outside the Web API.", no_args_is_help=True)
    import_app.command("history")(import_history)
    app.add_typer(import_app, name="import")
