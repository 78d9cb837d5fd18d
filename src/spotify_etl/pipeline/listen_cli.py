"""`spotify-etl listen`: poll recently-played every interval into the warehouse."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Annotated

import typer

from spotify_etl.cli_options import ApiBaseOpt, ConfigOpt


def listen(
    config: ConfigOpt = None,
    api_base: ApiBaseOpt = None,
    interval: Annotated[
        str, typer.Option("--interval", help="Time between polls, e.g. 20m, 90s, 1h.")
    ] = "20m",
    once: Annotated[bool, typer.Option("--once", help="Poll once, load, and exit.")] = False,
    budget: Annotated[
        int | None,
        typer.Option("--budget", min=1, help="API requests per UTC day (default extract.budget)."),
    ] = None,
) -> None:
    """Listening history in near real time: recently-played -> PLAY, every interval.

    Stops cleanly on Ctrl-C or SIGTERM (after the micro-batch in flight) and resumes from its
    cursor; exits 75 when the budget or the quota stops it.
    """
    from spotify_etl.config import load_config, load_secrets
    from spotify_etl.console import emit_json, json_mode
    from spotify_etl.pipeline.checks import require_spotify_credentials
    from spotify_etl.pipeline.listen import Listener, parse_interval
    from spotify_etl.spotify import token_store_for

    interval_s = parse_interval(interval)
    cfg = load_config(config)
    secrets = load_secrets()
    require_spotify_credentials(secrets)
    # Keyed by the service --api-base names, as `run` does: a simulator on the command line
    # must never be sent (or handed back) the real Spotify token of the same config.
    store = token_store_for(cfg, secrets.spotify_client_id, api_base=api_base)
    listener = Listener(
        cfg, secrets=secrets, interval_s=interval_s, api_base=api_base,
        token_store=store, budget=budget,
    )  # fmt: skip
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        typer.echo(
            f"listen: {signal.Signals(signum).name}: stopping after this micro-batch",
            err=json_mode(),  # stdout holds the one JSON summary
        )
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, on_signal)
    report = listener.run(stop, once=once)
    if json_mode():  # one JSON object, as `run` prints
        from spotify_etl.pipeline.report import listen_data

        emit_json("listen", listen_data(report))
        raise typer.Exit(report.exit_code)
    for line in report.lines():
        typer.echo(line)
    raise typer.Exit(report.exit_code)


def register(app: typer.Typer) -> None:
    app.command("listen")(listen)
