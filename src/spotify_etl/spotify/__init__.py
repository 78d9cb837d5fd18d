"""The Spotify Web API client: knows HTTP and Spotify's paths, nothing of ETL.

    client = SpotifyClient(settings, client_id, client_secret, token_store=FileTokenStore(p))
    for reply in client.playlist_items(playlist_id): ...

The request path, a layer per module: `bearer` (an httpx.Auth flow: the token, one renewal
on a 401), `metering` (httpx event hooks: stop signal, quota bucket, budget, limiter, stats),
`session` (one GET: carries out the `retry` policy's verdicts), over `pacing` (rolling-window
limiter), `buckets` (quota buckets and their locks), `stopping` (the run's stop), `auth` +
`tokens` + `token_stores` (access tokens, refresh-token stores). Above it: `templates` (one
`Endpoint` per call), `paging` (follow `next`), `runner` (threads), `core` (the wiring and the
generic get/pages/map), `profile` (what this app's API mode allows), `catalog` (albums,
artists and tracks by id, batched where the profile allows) and `client` (Spotify's endpoints,
the only module that names them). `login` runs the Authorization Code + PKCE flow.

Errors (spotify_etl.errors): 403/404 -> SkippableError; QUOTA_EXCEEDED -> QuotaExhausted for
its bucket only (a StopRun; the other buckets go on); a Retry-After beyond the cap -> StopRun;
transient failures past the attempts -> RetryableError; 400 -> FatalError (BadRequest);
refused credentials -> AuthError.
"""

from spotify_etl.spotify.client import SpotifyClient
from spotify_etl.spotify.responses import ApiResponse, BadRequest, Skipped, Unfetched
from spotify_etl.spotify.retry import RetryPolicy
from spotify_etl.spotify.token_stores import (
    FileTokenStore,
    SecretsManagerTokenStore,
    token_store_for,
)
from spotify_etl.spotify.tokens import StoredToken, TokenKey, TokenStore

__all__ = [
    "ApiResponse",
    "BadRequest",
    "FileTokenStore",
    "RetryPolicy",
    "SecretsManagerTokenStore",
    "Skipped",
    "SpotifyClient",
    "StoredToken",
    "TokenKey",
    "TokenStore",
    "Unfetched",
    "token_store_for",
]
