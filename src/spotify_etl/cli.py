"""The `spotify-etl` command: thin. Parse, call the stage, print, map errors to exit codes.

Exit codes: 0 done, 1 failed, 2 usage or configuration error, 75 stopped early (quota or
budget) and resumable. A user's mistake prints one line, never a traceback.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from spotify_etl.errors import SpotifyEtlError

app = typer.Typer(
    name="spotify-etl",
    help="Spotify Web API -> raw zone -> Album/Artist/Songs model -> DuckDB or Snowflake.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


class Globals:
    quiet: bool = False
    log_format: str = "plain"


@app.callback()
def _root(
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only warnings and results.")
    ] = False,
    log_format: Annotated[
        str, typer.Option("--log-format", help="plain | json (for Lambda/CloudWatch).")
    ] = "plain",
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging.")] = False,
) -> None:
    from spotify_etl.logs import setup_logging

    if log_format not in ("plain", "json"):
        raise typer.BadParameter("use plain or json", param_hint="--log-format")
    Globals.quiet = quiet
    Globals.log_format = log_format
    # Summaries are printed by the commands; logs add detail only when asked (--verbose).
    setup_logging(fmt=log_format, level="DEBUG" if verbose else "WARNING", quiet=quiet)


_registered = False


def register_commands() -> None:
    """Assemble the stages' commands on `app` (once; tests call it too)."""
    global _registered
    if _registered:
        return
    _registered = True
    # Each stage owns its commands; this module only assembles them.
    from spotify_etl.extract import cli as extract_cli
    from spotify_etl.history import cli as history_cli
    from spotify_etl.pipeline import cli as pipeline_cli
    from spotify_etl.pipeline import listen_cli
    from spotify_etl.report import cli as report_cli
    from spotify_etl.simulator import cli as simulator_cli
    from spotify_etl.spotify import cli as auth_cli
    from spotify_etl.transform import cli as transform_cli
    from spotify_etl.warehouse import cli as warehouse_cli

    for module in (
        pipeline_cli,
        extract_cli,
        transform_cli,
        warehouse_cli,
        report_cli,
        auth_cli,
        simulator_cli,
        listen_cli,
        history_cli,
    ):
        module.register(app)


def main(argv: list[str] | None = None) -> None:
    register_commands()
    try:
        # Standalone mode: click reports usage errors itself (exit 2) and handles Exit/Abort.
        app(args=argv, prog_name="spotify-etl")
    except SpotifyEtlError as exc:
        from spotify_etl.logs import redact

        typer.secho(f"error: {redact(str(exc))}", err=True, fg="red")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
