"""Authorization Code + PKCE against the simulator, as `spotify-etl auth login` does it."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from spotify_etl.config import SpotifySettings
from spotify_etl.simulator import DEMO_CLIENT_ID
from spotify_etl.spotify import FileTokenStore, StoredToken
from spotify_etl.spotify.login import Pkce, authorize_url
from spotify_etl.spotify.tokens import TokenKey

SCOPES = "playlist-read-private playlist-read-collaborative user-library-read"


def authorise(sim: Any, client_id: str = DEMO_CLIENT_ID, scopes: str = SCOPES) -> StoredToken:
    """The simulator approves at once; returns the token `auth login` would store."""
    pkce = Pkce.new()
    redirect = "http://127.0.0.1:9/callback"
    state = secrets.token_hex(8)
    url = authorize_url(sim.base_url, client_id, redirect, scopes, state, pkce)
    with httpx.Client() as http:
        reply = http.get(url, follow_redirects=False)
        assert reply.status_code == 302, reply.text
        query = parse_qs(urlsplit(reply.headers["location"]).query)
        assert query["state"] == [state]
        token = http.post(
            sim.token_url,
            data={
                "grant_type": "authorization_code",
                "code": query["code"][0],
                "redirect_uri": redirect,
                "client_id": client_id,
                "code_verifier": pkce.verifier,
            },
        ).json()
    scope = str(token.get("scope", scopes))
    return StoredToken(str(token["refresh_token"]), scope, "me", datetime.now(UTC))


def logged_in(
    sim: Any, path: Path, client_id: str = DEMO_CLIENT_ID, scopes: str = SCOPES
) -> FileTokenStore:
    """`auth login` against the simulator: the token saved in `path` under the key a
    `spotify-etl` process aimed at the simulator looks up (its accounts service, client id)."""
    accounts = SpotifySettings(api_base=sim.base_url).resolved_accounts_base()
    store = FileTokenStore(path, TokenKey(accounts, client_id))
    store.save(authorise(sim, client_id, scopes))
    return store
