"""Commands that span stages: run, init, config check, status."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from spotify_etl.cli_options import ApiBaseOpt, ConfigOpt
from spotify_etl.errors import EXIT_USAGE, ConfigError, SpotifyEtlError
from spotify_etl.storage import open_store


def starter_config() -> str:
    return resources.files("spotify_etl.pipeline").joinpath("starter.toml").read_text("utf-8")


def init(
    path: Annotated[Path, typer.Argument(help="Where to write the config.")] = Path(
        "pipeline.toml"
    ),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a commented starter config."""
    if path.exists() and not force:
        raise ConfigError(f"{path} already exists", hint="pass --force to overwrite it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(starter_config(), encoding="utf-8")
    except OSError as exc:  # a folder of the path is a file, no permission, …
        raise ConfigError(
            f"cannot write {path}: {exc.strerror or exc}", hint="choose a path in a folder"
        ) from None
    typer.echo(f"wrote {path}; edit its [sources], then: spotify-etl config check --config {path}")


def config_check(config: ConfigOpt = None) -> None:
    """Validate a config file and the environment it needs, naming any bad key."""
    from spotify_etl.config import load_config, load_secrets
    from spotify_etl.pipeline.access import playlist_access
    from spotify_etl.pipeline.checks import describe_config

    cfg = load_config(config)
    for line in describe_config(cfg, load_secrets()):
        typer.echo(line)
    for line in playlist_access(cfg):
        typer.echo(line)


def run(
    config: ConfigOpt = None,
    api_base: ApiBaseOpt = None,
    budget: Annotated[
        int | None,
        typer.Option("--budget", min=3, help="API requests this run may make (at least 3)."),
    ] = None,
) -> None:
    """The daily job: extract -> transform -> load (real Spotify when credentials are set)."""
    from spotify_etl.config import load_config, load_secrets
    from spotify_etl.console import stage_progress
    from spotify_etl.pipeline.checks import require_sources, require_spotify_credentials
    from spotify_etl.pipeline.report import print_report
    from spotify_etl.pipeline.run import run_pipeline
    from spotify_etl.spotify import token_store_for

    cfg = load_config(config)
    require_sources(cfg)
    secrets = load_secrets()
    require_spotify_credentials(secrets)
    with stage_progress() as progress:
        report = run_pipeline(
            cfg,
            secrets=secrets,
            api_base=api_base,
            budget=budget,
            token_store=token_store_for(cfg),
            progress=progress,
        )
    print_report(report)
    if report.extract is not None and report.extract.outcome == "failed":
        # What was fetched before the failure is loaded; the cause is the one error line.
        raise SpotifyEtlError(f"extract failed: {report.extract.message or report.extract.reason}")
    if report.extract is not None and report.extract.exit_code == EXIT_USAGE:
        raise ConfigError(report.extract.message)  # what was fetched is loaded; the fix is named
    raise typer.Exit(report.exit_code)


def status(config: ConfigOpt = None) -> None:
    """The state of the lake and the warehouse: runs, files per day, pending loads, checkpoint."""
    from spotify_etl.config import load_config
    from spotify_etl.pipeline.status import print_status

    print_status(load_config(config))


def unlock(
    config: ConfigOpt = None,
    force: Annotated[
        bool, typer.Option("--force", help="Also remove a lease whose holder still runs here.")
    ] = False,
) -> None:
    """Remove stale leases (a run killed on another machine) so the next run starts now."""
    from spotify_etl.config import load_config
    from spotify_etl.lease import unlock as remove_leases

    cfg = load_config(config)
    for line in remove_leases(open_store(cfg.path(cfg.storage.raw)), force=force):
        typer.echo(line)


def register(app: typer.Typer) -> None:
    app.command("run")(run)
    app.command("unlock")(unlock)
    app.command("init")(init)
    app.command("status")(status)
    config_app = typer.Typer(help="Inspect and validate configuration.", no_args_is_help=True)
    config_app.command("check")(config_check)
    app.add_typer(config_app, name="config")
