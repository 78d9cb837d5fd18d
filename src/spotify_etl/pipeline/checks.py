"""The start-up validation: one function, `validate`, run by `run`, `extract` and `config check`.

`config check` prints exactly the errors and warnings `run` would meet before its first
request, so a config that passes the check is one `run` accepts. A new check goes into
`validate` and both commands have it.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from spotify_etl.errors import AuthError, ConfigError, SpotifyEtlError

if TYPE_CHECKING:
    from spotify_etl.config import PipelineConfig, Secrets

EXPIRY_WARNING = timedelta(days=14)


@dataclass
class Findings:
    """What validation found: errors stop a run (exit 2); warnings are printed and it goes on."""

    errors: list[SpotifyEtlError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The findings as `run` and `config check` both print them (stderr)."""
        return [f"error: {e}" for e in self.errors] + [f"warning: {w}" for w in self.warnings]


def require_spotify_credentials(secrets: Secrets) -> None:
    missing = [
        name
        for name, value in (
            ("SPOTIFY_CLIENT_ID", secrets.spotify_client_id),
            ("SPOTIFY_CLIENT_SECRET", secrets.spotify_client_secret),
        )
        if not value
    ]
    if missing:
        raise AuthError(
            f"{' and '.join(missing)} not set",
            hint="export the credentials of your app from developer.spotify.com/dashboard, "
            "or run `make demo` to use the built-in simulator",
        )


def require_sources(config: PipelineConfig) -> None:
    """A run with nothing to fetch is a configuration mistake, not a green day."""
    src = config.sources
    library = src.library
    if not (
        src.playlists or src.artists or src.albums or src.tracks or src.searches
        or library.saved_tracks or library.playlists or library.recently_played or library.top
    ):  # fmt: skip
        from spotify_etl.config import CONFIG_ENV, DEFAULT_CONFIG_FILE, DEFAULTS_ORIGIN

        if config.origin == DEFAULTS_ORIGIN:
            hint = (
                f"no config file was found: pass -c FILE, set {CONFIG_ENV}, or write "
                f"./{DEFAULT_CONFIG_FILE} with `spotify-etl init`"
            )
        else:
            hint = (
                "add playlists, artists, albums, tracks, searches or [sources.library] to "
                f"{config.origin}"
            )
        raise ConfigError("no sources configured: nothing to extract", hint=hint)


def _require_modules(config: PipelineConfig) -> None:
    """A lean install (no extras) runs locally; S3 and Snowflake name the extra they need."""
    needs = []
    urls = (config.storage.raw, config.storage.transformed)
    if any(u.startswith("s3://") for u in urls) or config.spotify.token_secret_id:
        needs.append(("boto3", "aws"))
    if config.warehouse.url.startswith("snowflake:"):
        needs.append(("snowflake.connector", "snowflake"))
    for module, extra in needs:
        if importlib.util.find_spec(module.split(".")[0]) is None:
            raise ConfigError(
                f"this config needs {module}, which is not installed",
                hint=f"pip install 'spotify-etl[{extra}]'",
            )


def _resolves(config: PipelineConfig) -> None:
    """Every id, open.spotify.com URL and spotify: URI in [sources] names the right kind."""
    from spotify_etl.extract.sources import resolve_sources

    resolve_sources(config.sources)


def _wants_user(config: PipelineConfig) -> bool:
    lib = config.sources.library
    return bool(lib.saved_tracks or lib.playlists or lib.recently_played or lib.top)


def _user_token_findings(
    config: PipelineConfig, secrets: Secrets, found: Findings, api_base: str | None
) -> None:
    """[sources.library] needs the user's token in every profile; an expired one fails."""
    from spotify_etl.spotify.token_stores import FileTokenStore, token_store_for

    if not (config.sources.playlists or _wants_user(config)) or not secrets.spotify_client_id:
        return
    store = token_store_for(config, secrets.spotify_client_id, api_base=api_base)
    if not isinstance(store, FileTokenStore):
        return  # Secrets Manager: read at run time, where AWS credentials are
    try:
        token = store.load()
    except SpotifyEtlError as exc:
        found.errors.append(exc)
        return
    if token is None:
        if _wants_user(config):  # playlists need one in development mode only: see describe
            found.warnings.append(
                f"[sources.library] needs a user token and none is stored for "
                f"{store.key_label} in {store.description}: run `spotify-etl auth login`"
            )
        return
    left = token.expires_at - datetime.now(UTC)
    if left <= timedelta(0):
        found.errors.append(
            AuthError(
                f"the refresh token for {store.key_label} expired on "
                f"{token.expires_at:%Y-%m-%d} (six months after authorisation)",
                hint="run `spotify-etl auth login`",
            )
        )
    elif left < EXPIRY_WARNING:
        found.warnings.append(
            f"the refresh token for {store.key_label} expires in {left.days} days: "
            "run `spotify-etl auth login` soon"
        )


def validate(config: PipelineConfig, secrets: Secrets, *, api_base: str | None = None) -> Findings:
    """Every check a run makes before its first request, collected rather than raised."""
    found = Findings()
    checks: list[Callable[[], None]] = [
        lambda: require_sources(config),
        lambda: _resolves(config),
        lambda: require_spotify_credentials(secrets),
        lambda: _require_modules(config),
    ]
    for check in checks:
        try:
            check()
        except SpotifyEtlError as exc:
            found.errors.append(exc)
    _user_token_findings(config, secrets, found, api_base)
    return found


def describe_config(
    config: PipelineConfig, secrets: Secrets, *, api_base: str | None = None
) -> list[str]:
    from spotify_etl.console import plural
    from spotify_etl.spotify.token_stores import FileTokenStore, token_store_for

    sources = config.sources
    spotify = config.spotify.with_api_base(api_base)
    library = [
        name
        for name, on in (
            ("saved_tracks", sources.library.saved_tracks),
            ("playlists", sources.library.playlists),
            ("recently_played", sources.library.recently_played),
        )
        if on
    ] + [f"top {kind}" for kind in sources.library.top]
    lines = [
        f"  file:       {config.origin}",
        f"  api:        {spotify.resolved_api_base()}"
        f" (accounts {spotify.resolved_accounts_base()})",
        f"  raw:        {config.path(config.storage.raw)}",
        f"  transformed:{' '}{config.path(config.storage.transformed)}",
        f"  warehouse:  {config.warehouse.url}",
        f"  budget:     {config.extract.budget} requests per run",
        f"  sources:    {plural(len(sources.playlists), 'playlist')}, "
        f"{plural(len(sources.artists), 'artist')}, {plural(len(sources.albums), 'album')}, "
        f"{plural(len(sources.tracks), 'track')}, {plural(len(sources.searches), 'search')}, "
        f"library: {', '.join(library) or 'none'}",
    ]
    has_id = bool(secrets.spotify_client_id and secrets.spotify_client_secret)
    lines.append(
        "  credentials: SPOTIFY_CLIENT_ID/SECRET set"
        if has_id
        else "  credentials: SPOTIFY_CLIENT_ID/SECRET NOT set (needed by extract and run)"
    )
    if secrets.spotify_client_id:
        store = token_store_for(config, secrets.spotify_client_id, api_base=api_base)
        held = store.load() if isinstance(store, FileTokenStore) else None
        lines.append(
            f"  user token: {store.key_label} in {store.description}"
            if held is not None or not isinstance(store, FileTokenStore)
            else f"  user token: none for {store.key_label} (playlists in development mode "
            "need `spotify-etl auth login`)"
        )
    return lines


def preflight(config: PipelineConfig, secrets: Secrets, *, api_base: str | None = None) -> None:
    """For `run` and `extract`: print the findings as `config check` does; stop on an error."""
    import typer

    found = validate(config, secrets, api_base=api_base)
    # Stopping, only the errors matter (`config check` shows the warnings beside them).
    for line in found.lines()[: len(found.errors) or None]:
        typer.secho(line, err=True, fg="red" if line.startswith("error") else "yellow")
    if found.errors:
        raise typer.Exit(max(e.exit_code for e in found.errors))
