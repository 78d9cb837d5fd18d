"""`spotify-etl auth login | status | logout`: the user's authorisation, never its secrets."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from spotify_etl.cli_options import ApiBaseOpt, ConfigOpt
from spotify_etl.config import PipelineConfig, load_config, load_secrets
from spotify_etl.errors import AuthError
from spotify_etl.spotify.token_stores import token_store_for
from spotify_etl.spotify.tokens import StoredToken


def _config(path: Path | None, api_base: str | None = None) -> PipelineConfig:
    # The config says where the token lives; --api-base picks the service whose token it is.
    return load_config(path).with_api_base(api_base)


def describe(token: StoredToken, now: datetime | None = None) -> list[str]:
    """Lines for `auth status`: who, what, and how long the refresh token has left."""
    now = now or datetime.now(UTC)
    left = token.expires_at - now
    if left.total_seconds() <= 0:
        remaining = "EXPIRED: run `spotify-etl auth login`"
    else:
        remaining = f"{left.days} days left"
        if left.days < 14:
            remaining += ": run `spotify-etl auth login` soon"
    return [
        f"user: {token.user_id or '(unknown)'}",
        f"scopes: {token.scope or '(none)'}",
        f"authorised: {token.authorised_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC",
        f"refresh token expires: {token.expires_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC "
        f"({remaining})",
    ]


def login_command(
    config: ConfigOpt = None,
    api_base: ApiBaseOpt = None,
    port: Annotated[
        int, typer.Option(help="Loopback port for the redirect.", min=0, max=65535)
    ] = 8888,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Print the URL instead of opening it.")
    ] = False,
    scope: Annotated[
        list[str] | None,
        typer.Option(
            "--scope", help="Scope to request (repeatable, or space-separated).", metavar="SCOPE"
        ),
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for approval.", min=1)] = 300,
) -> None:
    """Authorise this app for your Spotify account (Authorization Code + PKCE)."""
    from spotify_etl.spotify.login import DEFAULT_SCOPES, login

    cfg = _config(config, api_base)
    secrets = load_secrets()
    if not secrets.spotify_client_id:
        raise AuthError("SPOTIFY_CLIENT_ID is not set", hint="export your app's client id")
    scopes = tuple(s for value in scope or [] for s in value.split()) or DEFAULT_SCOPES
    store = token_store_for(cfg, secrets.spotify_client_id)

    def show(url: str) -> None:
        if no_browser:
            typer.echo("Open this URL in a browser and approve the app:")
        else:
            typer.echo("Opening the browser; if it does not open, visit:")
        typer.echo(url)

    token = login(
        cfg.spotify,
        secrets.spotify_client_id,
        store,
        port=port,
        scopes=scopes,
        open_browser=not no_browser,
        show=show,
        timeout_s=timeout,
    )
    typer.echo(f"Authorised. Refresh token for {store.key_label} stored in {store.description}.")
    for line in describe(token):
        typer.echo(line)


def status_command(config: ConfigOpt = None, api_base: ApiBaseOpt = None) -> None:
    """Show the stored authorisation: user, scopes, and time left (no secrets)."""
    store = token_store_for(_config(config, api_base))
    token = store.load()
    if token is None:
        typer.echo(
            f"not logged in: no token for {store.key_label} in {store.description} "
            "(run `spotify-etl auth login`)"
        )
        raise typer.Exit(1)
    typer.echo(f"token: {store.key_label} in {store.description}")
    for line in describe(token):
        typer.echo(line)
    if token.expires_at <= datetime.now(UTC):
        raise typer.Exit(1)


def logout_command(config: ConfigOpt = None, api_base: ApiBaseOpt = None) -> None:
    """Delete the stored refresh token (of this service and client id only)."""
    store = token_store_for(_config(config, api_base))
    if store.delete():
        typer.echo(f"removed the token for {store.key_label} from {store.description}")
    else:
        typer.echo(f"no token stored for {store.key_label} in {store.description}")


def register(app: typer.Typer) -> None:
    auth = typer.Typer(name="auth", help="Spotify user authorisation.", no_args_is_help=True)
    auth.command("login")(login_command)
    auth.command("status")(status_command)
    auth.command("logout")(logout_command)
    app.add_typer(auth, name="auth")
