"""`spotify-etl simulator serve`: the offline Spotify Web API in the foreground."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from spotify_etl.errors import SpotifyEtlError
from spotify_etl.simulator.config import SimulatorConfig

simulator_app = typer.Typer(
    name="simulator",
    help="The offline Spotify Web API simulator (tests, demo, benchmarks).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@simulator_app.callback()
def _group() -> None:
    """The offline Spotify Web API simulator (tests, demo, benchmarks)."""


# Every default below is SimulatorConfig's own: the command line states none of its own.
_D = SimulatorConfig()
# Options named otherwise than their SimulatorConfig field (the flags keep their short names).
RENAMED = {"quota_window": "quota_window_s", "token_lifetime": "token_lifetime_s"}
# Options that are not SimulatorConfig fields: where to listen, and what builds one.
NOT_FIELDS = frozenset(
    {
        "host",
        "port",
        "bucket_quota",
        "bucket_group",
        "developer_account",
        "plays_per_hour",
        "play_speed",
    }
)


@simulator_app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port; 0 picks a free one.")] = 0,
    profile: Annotated[str, typer.Option(help="development | extended")] = _D.profile,
    seed: Annotated[int, typer.Option(help="Catalog seed.")] = _D.seed,
    scale: Annotated[int, typer.Option(help="Approximate number of tracks.")] = _D.scale,
    day: Annotated[int, typer.Option(help="Simulated day to start on.")] = _D.day,
    client_id: Annotated[str, typer.Option(help="Accepted client id.")] = _D.client_id,
    client_secret: Annotated[
        str,
        typer.Option(
            help="Accepted client secret (default: the documented demo secret).",
            envvar="SPOTIFY_SIMULATOR_CLIENT_SECRET",
            show_default=False,
        ),
    ] = _D.client_secret,
    window_requests: Annotated[
        int | None, typer.Option(help="Requests per rolling window (none: no limit).")
    ] = _D.window_requests,
    window_seconds: Annotated[
        float, typer.Option(help="Rolling window length.")
    ] = _D.window_seconds,
    daily_quota: Annotated[
        int | None, typer.Option(help="Requests per endpoint bucket per quota window.")
    ] = _D.daily_quota,
    bucket_quota: Annotated[
        list[str] | None,
        typer.Option(
            help="One bucket's size, e.g. artist-albums=100 (repeatable).",
            metavar="BUCKET=SIZE",
        ),
    ] = None,
    bucket_group: Annotated[
        list[str] | None,
        typer.Option(
            help="Move a path template or prefix to a bucket, e.g. /albums/{id}/tracks=tracks "
            "(repeatable; Spotify may regroup its buckets).",
            metavar="PATH=BUCKET",
        ),
    ] = None,
    developer_account: Annotated[
        list[str] | None,
        typer.Option(
            help="A further client id (same secret) and the developer account whose quota it "
            "shares, e.g. second-app=dev-1 (repeatable).",
            metavar="CLIENT_ID=ACCOUNT",
        ),
    ] = None,
    quota_window: Annotated[
        float, typer.Option(help="Rolling quota window, s.")
    ] = _D.quota_window_s,
    retry_after_drop_rate: Annotated[
        float, typer.Option(help="Share of 429 replies without Retry-After.")
    ] = _D.retry_after_drop_rate,
    token_lifetime: Annotated[
        float, typer.Option(help="Access token lifetime, s.")
    ] = _D.token_lifetime_s,
    error_rate: Annotated[
        float, typer.Option(help="Share of 500/502/503 replies.")
    ] = _D.error_rate,
    latency_ms: Annotated[
        float, typer.Option(help="Added latency per Web API reply.")
    ] = _D.latency_ms,
    malformed_rate: Annotated[
        float, typer.Option(help="Share of malformed bodies.")
    ] = _D.malformed_rate,
    truncated_rate: Annotated[
        float, typer.Option(help="Share of truncated bodies.")
    ] = _D.truncated_rate,
    drop_rate: Annotated[float, typer.Option(help="Share of dropped connections.")] = _D.drop_rate,
    fault_seed: Annotated[int, typer.Option(help="Seed of the fault sequence.")] = _D.fault_seed,
    plays_per_hour: Annotated[
        float | None,
        typer.Option(help="Play clock: the user plays music at this pace (recently-played)."),
    ] = None,
    play_speed: Annotated[
        float, typer.Option(help="Play clock: simulated seconds per real second.")
    ] = 1.0,
) -> None:
    """Serve until interrupted; prints the base URL (e.g. http://127.0.0.1:54321) first."""
    # The options as given, first thing (nothing else is local yet): each one that is a
    # SimulatorConfig field goes to it under its field's name, so none is passed by hand.
    given = dict(locals())
    from spotify_etl.simulator.server import serve

    if profile not in ("development", "extended"):
        raise typer.BadParameter("use development or extended", param_hint="--profile")
    sizes = _pairs(bucket_quota, "--bucket-quota", "BUCKET=SIZE, e.g. search=500")
    if not all(size.isdigit() for size in sizes.values()):
        raise typer.BadParameter("write BUCKET=SIZE, e.g. search=500", param_hint="--bucket-quota")
    groups = _pairs(bucket_group, "--bucket-group", "PATH=BUCKET, e.g. /albums=catalog")
    accounts = _pairs(developer_account, "--developer-account", "CLIENT_ID=ACCOUNT, e.g. a=dev-1")
    fields = {RENAMED.get(k, k): v for k, v in given.items() if k not in NOT_FIELDS}
    config = SimulatorConfig(
        **fields,
        bucket_quota={name: int(size) for name, size in sizes.items()},
        bucket_groups=groups,
        developer_accounts=accounts,
        play_clock=_play_clock(seed, scale, plays_per_hour, play_speed),
    )
    serve(config, host, port)


def _pairs(items: list[str] | None, hint: str, form: str) -> dict[str, str]:
    """NAME=VALUE options (repeatable) as a mapping; a later NAME replaces an earlier one."""
    out: dict[str, str] = {}
    for item in items or []:
        name, _, value = item.partition("=")
        if not name or not value:
            raise typer.BadParameter(f"write {form}", param_hint=hint)
        out[name] = value
    return out


def _play_clock(seed: int, scale: int, per_hour: float | None, speed: float) -> object:
    """A play clock starting now (None without --plays-per-hour: the fixed daily list)."""
    if per_hour is None:
        return None
    from datetime import UTC, datetime

    from spotify_etl.simulator.catalog import Catalog
    from spotify_etl.simulator.playclock import PlayClock, PlayClockSettings

    settings = PlayClockSettings(datetime.now(UTC), per_hour, speed)
    return PlayClock(Catalog(seed, scale), settings)


def _export_commands() -> None:
    from spotify_etl.simulator.export_cli import export_command

    simulator_app.command("export")(export_command)


_export_commands()


def register(app: typer.Typer) -> None:
    """Add the `simulator` command group to the main app."""
    app.add_typer(simulator_app, name="simulator")


def main() -> None:
    """Entry point of `python -m spotify_etl.simulator`."""
    try:
        simulator_app(standalone_mode=True)
    except SpotifyEtlError as exc:
        typer.secho(f"error: {exc}", err=True, fg="red")
        sys.exit(exc.exit_code)
