"""Commands that span stages: run, init, config check, status."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from spotify_etl.cli_options import ApiBaseOpt, BudgetOpt, ConfigOpt, extraction_from_flags
from spotify_etl.config import DEFAULT_CONFIG_FILE
from spotify_etl.console import plural
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
    found = path.resolve() == (Path.cwd() / DEFAULT_CONFIG_FILE).resolve()
    check = "spotify-etl config check" + ("" if found else f" -c {path}")
    typer.echo(f"wrote {path}; edit its [sources], then: {check}")


def config_check(config: ConfigOpt = None, api_base: ApiBaseOpt = None) -> None:
    """Run the validation `run` does (same errors, same warnings) and describe the config."""
    from spotify_etl.config import load_config, load_secrets
    from spotify_etl.pipeline.access import playlist_access
    from spotify_etl.pipeline.checks import describe_config, validate

    cfg = load_config(config)
    secrets = load_secrets()
    found = validate(cfg, secrets, api_base=api_base)
    n_err, n_warn = len(found.errors), len(found.warnings)
    if n_err:
        typer.echo(f"config NOT OK: {plural(n_err, 'error')}, {plural(n_warn, 'warning')}")
    else:
        typer.echo("config OK" + (f" ({plural(n_warn, 'warning')})" if n_warn else ""))
    for line in describe_config(cfg, secrets, api_base=api_base):
        typer.echo(line)
    for line in playlist_access(cfg):
        typer.echo(line)
    for line in found.lines():
        typer.secho(line, err=True, fg="red" if line.startswith("error") else "yellow")
    if found.errors:
        raise typer.Exit(max(e.exit_code for e in found.errors))


def run(
    config: ConfigOpt = None,
    api_base: ApiBaseOpt = None,
    budget: BudgetOpt = None,
) -> None:
    """The daily job: extract -> transform -> load (real Spotify when credentials are set)."""
    from spotify_etl.console import stage_progress
    from spotify_etl.pipeline.report import print_report
    from spotify_etl.pipeline.run import run_pipeline

    cfg, extraction = extraction_from_flags(config, api_base, budget)
    with stage_progress() as progress:
        report = run_pipeline(cfg, extraction, progress=progress)
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


def schedule(
    config: ConfigOpt = None,
    kind: Annotated[
        str,
        typer.Option(
            "--kind", help="cron | systemd (user units) | github (Actions).", metavar="KIND"
        ),
    ] = "cron",
    at: Annotated[str, typer.Option("--at", help="Daily run time, HH:MM UTC.")] = "06:00",
    listen: Annotated[
        bool, typer.Option("--listen/--no-listen", help="Also keep `spotify-etl listen` running.")
    ] = True,
    install: Annotated[
        bool, typer.Option("--install", help="Install it (crontab or ~/.config/systemd/user).")
    ] = False,
) -> None:
    """Print (or --install) a cron line or systemd user timer for the daily run and `listen`."""
    import os

    from spotify_etl.config import discover_config, load_config
    from spotify_etl.pipeline import schedule as sched

    if kind not in ("cron", "systemd", "github"):
        raise ConfigError(f"--kind must be cron, systemd or github, got {kind!r}")
    hour, minute = sched.parse_time(at)
    chosen, _how = discover_config(config)
    if chosen is None:
        raise ConfigError(
            "schedule needs a config file",
            hint="pass -c FILE or create one with `spotify-etl init`",
        )
    cfg = load_config(chosen)
    plan = sched.Plan(
        executable=sched.current_executable(),
        config=chosen.resolve(),
        hour=hour,
        minute=minute,
        logs=Path(cfg.path("./spotify-data/logs")),
        listen=listen,
    )
    if kind == "cron":
        # cron hands the line to sh, which runs nothing when `>> run.log` names a missing
        # folder: it exists before the line is printed (to paste) or installed.
        plan.logs.mkdir(parents=True, exist_ok=True)
    if kind == "github":
        if install:
            raise ConfigError("--install is for cron and systemd", hint="commit the workflow")
        relative = os.path.relpath(plan.config, Path.cwd())
        typer.echo(sched.github_workflow(plan, relative), nl=False)
        return
    if not install:
        if kind == "cron":
            typer.echo("\n".join(sched.cron_lines(plan)))
        else:
            for name, text in sched.systemd_units(plan).items():
                typer.echo(f"# {name}\n{text}")
        return
    plan.logs.mkdir(parents=True, exist_ok=True)
    if kind == "cron":
        typer.echo(sched.install_cron(plan))
        return
    config_home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    typer.echo(sched.install_systemd(plan, config_home / "systemd" / "user"))


def register(app: typer.Typer) -> None:
    app.command("run")(run)
    app.command("unlock")(unlock)
    app.command("schedule")(schedule)
    app.command("init")(init)
    app.command("status")(status)
    config_app = typer.Typer(help="Inspect and validate configuration.", no_args_is_help=True)
    config_app.command("check")(config_check)
    app.add_typer(config_app, name="config")
