"""The Spotify client as extraction uses it: built from the config, spending a budget.

`Budget` is the client's `before_request` hook: every Web API request (retries included,
token requests not) counts; past the limit it raises StopRun(reason="budget"), so the run
stops with a checkpoint instead of spending more.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from spotify_etl.errors import AuthError, ConfigError, StopRun
from spotify_etl.logs import register_secret

if TYPE_CHECKING:
    from spotify_etl.config import PipelineConfig, Secrets
    from spotify_etl.spotify import SpotifyClient, TokenStore

log = logging.getLogger(__name__)


class Budget:
    """The client's before_request hook: counts Web API requests, stops at the budget."""

    def __init__(
        self,
        limit: int,
        progress: Callable[[int, int], None] | None = None,
        every: int = 0,
        on_every: Callable[[], None] | None = None,
    ) -> None:
        self.limit = limit
        self.used = 0
        self.progress = progress
        self.every = every
        self.on_every = on_every
        self._lock = threading.Lock()

    def __call__(self, endpoint: str) -> None:
        with self._lock:
            if self.used >= self.limit:
                raise StopRun(f"the budget of {self.limit} requests is spent", reason="budget")
            self.used += 1
            used = self.used
        if self.progress is not None:
            self.progress(used, self.limit)
        if self.on_every is not None and self.every and used % self.every == 0:
            self.on_every()


def check_api_base(config: PipelineConfig, api_base: str | None) -> None:
    """A mistyped base would otherwise be retried like a network fault, then fail as one."""
    base = api_base or config.spotify.api_base
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        where = "--api-base" if api_base else "spotify.api_base"
        raise ConfigError(
            f"{where} {base!r} is not an http(s) URL",
            hint="e.g. https://api.spotify.com/v1, or the URL `spotify-etl simulator serve` prints",
        )


def build_client(
    config: PipelineConfig,
    secrets: Secrets,
    *,
    api_base: str | None,
    token_store: TokenStore | None,
    before_request: Callable[[str], None],
) -> SpotifyClient:
    from spotify_etl.spotify import SpotifyClient

    if not secrets.spotify_client_id:
        raise AuthError("SPOTIFY_CLIENT_ID not set", hint="export your app's client id")
    secret = (
        secrets.spotify_client_secret.get_secret_value() if secrets.spotify_client_secret else None
    )
    register_secret(secret)
    return SpotifyClient(
        config.spotify.with_api_base(api_base),
        secrets.spotify_client_id,
        secret,
        token_store=token_store,
        before_request=before_request,
    )


def attach_budget(client: SpotifyClient, meter: Budget) -> None:
    """An injected client still spends this run's budget (its own hook, if any, runs first)."""
    client.add_before_request(meter)
