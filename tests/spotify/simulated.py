"""Helpers for tests against the real simulator server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spotify_etl.config import SpotifySettings
from spotify_etl.simulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from spotify_etl.spotify import SpotifyClient, TokenStore


def client_for(
    sim: Any,
    *,
    token_store: TokenStore | None = None,
    sleep: Callable[[float], None] | None = None,
    before_request: Callable[[str], None] | None = None,
    **settings: Any,
) -> SpotifyClient:
    options: dict[str, Any] = {
        "api_base": sim.base_url,
        "backoff_base_s": 0.01,
        "backoff_max_s": 0.1,
    }
    options.update(settings)
    extra: dict[str, Any] = {} if sleep is None else {"sleep": sleep}
    return SpotifyClient(
        SpotifySettings(**options),
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
        token_store=token_store,
        before_request=before_request,
        **extra,
    )


def sim_counts(sim: Any) -> dict[str, dict[str, int]]:
    stats = sim.stats()
    return dict(stats["by_endpoint"])
