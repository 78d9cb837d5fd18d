"""Start-up checks shared by the commands: credentials present, token store, config summary."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from spotify_etl.errors import AuthError, ConfigError

if TYPE_CHECKING:
    from spotify_etl.config import PipelineConfig, Secrets


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
        raise ConfigError(
            "no sources configured: nothing to extract",
            hint="add playlists, artists, albums, tracks, searches or [sources.library] to "
            "the config (see `spotify-etl init`)",
        )


def describe_config(config: PipelineConfig, secrets: Secrets) -> list[str]:
    sources = config.sources
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
        "config OK",
        f"  api:        {config.spotify.resolved_api_base()}"
        f" (accounts {config.spotify.resolved_accounts_base()})",
        f"  raw:        {config.path(config.storage.raw)}",
        f"  transformed:{' '}{config.path(config.storage.transformed)}",
        f"  warehouse:  {config.warehouse.url}",
        f"  budget:     {config.extract.budget} requests per run",
        f"  sources:    {len(sources.playlists)} playlists, {len(sources.artists)} artists, "
        f"{len(sources.albums)} albums, {len(sources.tracks)} tracks, "
        f"{len(sources.searches)} searches, library: {', '.join(library) or 'none'}",
    ]
    has_id = bool(secrets.spotify_client_id and secrets.spotify_client_secret)
    lines.append(
        "  credentials: SPOTIFY_CLIENT_ID/SECRET set"
        if has_id
        else "  credentials: SPOTIFY_CLIENT_ID/SECRET NOT set (needed by extract and run)"
    )
    token = Path(config.path(config.spotify.token_file))
    lines.append(
        f"  user token: {token}"
        if token.is_file()
        else "  user token: none (playlists in development mode need `spotify-etl auth login`)"
    )
    return lines
