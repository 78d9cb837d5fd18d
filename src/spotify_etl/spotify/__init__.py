"""The Spotify Web API client: knows HTTP and Spotify's paths, nothing of ETL.

    client = SpotifyClient(settings, client_id, client_secret, token_store=FileTokenStore(p))
    for reply in client.playlist_items(playlist_id): ...

Layers, each in its own module: `retry` (the declared policy), `pacing` (rolling-window
limiter), `buckets` (quota buckets and their locks), `auth` + `tokens` (access tokens,
refresh-token stores), `session` (one GET with all of that applied), `paging` (follow
`next`), `runner` (threads), `core` (the wiring and the generic get/pages/map), `profile`
(what this app's API mode allows), and `client` (Spotify's endpoints, the only module that
names them). `login` runs the Authorization Code + PKCE flow.

Errors (spotify_etl.errors): 403/404 -> SkippableError; QUOTA_EXCEEDED -> QuotaExhausted for
its bucket only (a StopRun; the other buckets go on); a Retry-After beyond the cap -> StopRun;
transient failures past the attempts -> RetryableError; 400 -> FatalError (BadRequest);
refused credentials -> AuthError.
"""

from spotify_etl.spotify.client import SpotifyClient
from spotify_etl.spotify.responses import ApiResponse, BadRequest, Skipped
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
    "token_store_for",
]
