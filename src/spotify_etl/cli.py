"""The `spotify-etl` command: thin. Parse, call the stage, print, map errors to exit codes.

Exit codes: 0 done, 1 failed, 2 usage or configuration error, 75 stopped early (quota or
budget) and resumable. A user's mistake prints one line, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Annotated

import typer

from spotify_etl.console import Mode
from spotify_etl.errors import SpotifyEtlError

app = typer.Typer(
    name="spotify-etl",
    help="Spotify Web API -> raw zone -> Album/Artist/Songs model -> DuckDB or Snowflake.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    # Plain click help: no boxes to break in a pipe, and no `<bool>` beside every flag.
    rich_markup_mode=None,
)


Globals = Mode  # the global flags' values (console.Mode); kept under the CLI's name too

# Flags of the root command, accepted before or after the subcommand: `spotify-etl run -q`.
_GLOBAL_FLAGS = ("--quiet", "-q", "--verbose", "-v", "--version")
_GLOBAL_VALUED = ("--log-format",)


def hoist_global_flags(argv: Sequence[str]) -> list[str]:
    """Move the root command's flags to the front, where click looks for them.

    Everything after a `--` is left alone (it belongs to the command, as written).
    """
    front: list[str] = []
    rest: list[str] = []
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest += args[i:]
            break
        if arg in _GLOBAL_FLAGS:
            front.append(arg)
        elif arg in _GLOBAL_VALUED and i + 1 < len(args):
            front += args[i : i + 2]
            i += 1
        elif arg.split("=", 1)[0] in _GLOBAL_VALUED:
            front.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest


def _version(value: bool) -> None:
    if value:
        from spotify_etl import __version__

        typer.echo(f"spotify-etl {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only warnings and results.")
    ] = False,
    log_format: Annotated[
        str, typer.Option("--log-format", help="plain | json (for Lambda/CloudWatch).")
    ] = "plain",
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging.")] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    from spotify_etl.logs import setup_logging

    if log_format not in ("plain", "json"):
        raise typer.BadParameter("use plain or json", param_hint="--log-format")
    Globals.quiet = quiet
    Globals.log_format = log_format
    # Summaries are printed by the commands; logs add detail only when asked (--verbose).
    setup_logging(fmt=log_format, level="DEBUG" if verbose else "WARNING", quiet=quiet)


# Which stage owns each top-level command, in the order `--help` lists them. A command
# imports only its own stage: the others cost about 0.3 s of imports (HTTP client, report,
# simulator) on every run of `transform` or `load`. tests/test_cli.py checks this table
# against what each stage registers.
STAGES: dict[str, str] = {
    "run": "spotify_etl.pipeline.cli",
    "unlock": "spotify_etl.pipeline.cli",
    "schedule": "spotify_etl.pipeline.cli",
    "init": "spotify_etl.pipeline.cli",
    "status": "spotify_etl.pipeline.cli",
    "config": "spotify_etl.pipeline.cli",
    "extract": "spotify_etl.extract.cli",
    "transform": "spotify_etl.transform.cli",
    "load": "spotify_etl.warehouse.cli",
    "query": "spotify_etl.warehouse.cli",
    "snowflake": "spotify_etl.warehouse.cli",
    "report": "spotify_etl.report.cli",
    "auth": "spotify_etl.spotify.cli",
    "simulator": "spotify_etl.simulator.cli",
    "listen": "spotify_etl.pipeline.listen_cli",
    "import": "spotify_etl.history.cli",
}

_registered: list[str] = []  # stage modules on `app`, in registration order


def command_of(argv: Sequence[str]) -> str | None:
    """The top-level command `argv` names (global flags skipped), or None."""
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in _GLOBAL_VALUED:
            i += 2
            continue
        if arg in _GLOBAL_FLAGS or arg.split("=", 1)[0] in _GLOBAL_VALUED:
            i += 1
            continue
        return None if arg.startswith("-") else arg
    return None


def register_commands(command: str | None = None) -> None:
    """Assemble the stages' commands on `app`: only `command`'s stage when it is a known
    command, every stage otherwise (help, a typo's suggestions). Idempotent; tests call it."""
    import importlib

    wanted = [STAGES[command]] if command in STAGES else list(dict.fromkeys(STAGES.values()))
    if all(module in _registered for module in wanted):
        return
    if len(wanted) > 1 and _registered:
        # Registered one stage before, now all: start over so `--help` keeps STAGES' order.
        app.registered_commands.clear()
        app.registered_groups.clear()
        _registered.clear()
    for name in wanted:
        if name not in _registered:
            importlib.import_module(name).register(app)
            _registered.append(name)


def main(argv: list[str] | None = None) -> None:
    args = hoist_global_flags(sys.argv[1:] if argv is None else argv)
    register_commands(command_of(args))
    try:
        # Standalone mode: click reports usage errors itself (exit 2) and handles Exit/Abort.
        app(args=args, prog_name="spotify-etl")
    except SpotifyEtlError as exc:
        from spotify_etl.logs import redact

        typer.secho(f"error: {redact(str(exc))}", err=True, fg="red")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
