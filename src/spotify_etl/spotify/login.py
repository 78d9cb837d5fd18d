"""Authorization Code with PKCE on a loopback redirect: the `spotify-etl auth login` flow.

Spotify accepts loopback redirects only as a literal IP (`http://127.0.0.1:PORT/...`), so the
callback server binds 127.0.0.1. The state parameter ties the callback to this login; the
code verifier never leaves this process except in the token exchange.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import logging
import secrets
import threading
import time
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx

from spotify_etl.config import SpotifySettings
from spotify_etl.errors import AuthError, ConfigError
from spotify_etl.logs import register_secret
from spotify_etl.spotify.auth import TokenClient
from spotify_etl.spotify.retry import RetryPolicy
from spotify_etl.spotify.tokens import StoredToken, TokenStore

log = logging.getLogger(__name__)

DEFAULT_SCOPES = (
    "playlist-read-private",
    "playlist-read-collaborative",
    "user-library-read",
    "user-read-recently-played",
    "user-top-read",
)
_PAGE = (
    "<!doctype html><meta charset=utf-8><title>spotify-etl</title>"
    "<p>{message}</p><p>You can close this tab and return to the terminal.</p>"
)


@dataclass(frozen=True)
class Pkce:
    verifier: str = field(repr=False)
    challenge: str

    @classmethod
    def new(cls) -> Pkce:
        verifier = secrets.token_urlsafe(64)  # 86 characters of [A-Za-z0-9_-]: within 43..128
        register_secret(verifier)
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        return cls(verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii"))


def authorize_url(
    accounts_base: str, client_id: str, redirect_uri: str, scopes: str, state: str, pkce: Pkce
) -> str:
    query = urlencode(
        {
            "client_id": client_id,
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "state": state,
            "scope": scopes,
            "code_challenge_method": "S256",
            "code_challenge": pkce.challenge,
        }
    )
    return f"{accounts_base}/authorize?{query}"


class CallbackServer:
    """Waits on 127.0.0.1:port for the one redirect that carries `code` (or `error`)."""

    def __init__(self, port: int) -> None:
        received: dict[str, str] = {}
        done = threading.Event()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path != "/callback" or done.is_set():
                    self.send_error(404)
                    return
                received.update(parse_qsl(parts.query))
                ok = "code" in received
                message = "Spotify authorisation received." if ok else "Authorisation failed."
                page = _PAGE.format(message=message).encode()
                self.send_response(200 if ok else 400)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)
                done.set()

            def log_message(self, format: str, *args: object) -> None:
                pass  # the request line holds the authorization code

        try:
            self._server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        except OSError as exc:
            raise ConfigError(
                f"cannot listen on 127.0.0.1:{port} ({exc.strerror})",
                hint="choose another --port and register its redirect URI with the app",
            ) from None
        self._received = received
        self._done = done
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/callback"

    def wait(self, timeout_s: float) -> dict[str, str]:
        if not self._done.wait(timeout_s):
            raise AuthError(
                f"no authorisation arrived within {timeout_s:.0f} s",
                hint="run `spotify-etl auth login` again and approve in the browser",
            )
        return dict(self._received)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def login(
    settings: SpotifySettings,
    client_id: str,
    store: TokenStore,
    *,
    port: int = 8888,
    scopes: tuple[str, ...] = DEFAULT_SCOPES,
    open_browser: bool = True,
    show: Callable[[str], None] = print,
    timeout_s: float = 300.0,
    transport: httpx.BaseTransport | None = None,
) -> StoredToken:
    """Run the whole flow and save the refresh token; returns what was stored."""
    if not client_id:
        raise AuthError("no Spotify client id", hint="set SPOTIFY_CLIENT_ID")
    pkce = Pkce.new()
    state = secrets.token_urlsafe(24)
    server = CallbackServer(port)
    try:
        url = authorize_url(
            settings.resolved_accounts_base(),
            client_id,
            server.redirect_uri,
            " ".join(scopes),
            state,
            pkce,
        )
        show(url)
        if open_browser:
            webbrowser.open(url)
        answer = server.wait(timeout_s)
    finally:
        server.close()
    if "error" in answer:
        raise AuthError(f"Spotify did not authorise: {answer['error']}", hint="approve the app")
    if not secrets.compare_digest(answer.get("state", ""), state):
        raise AuthError(
            "the callback's state does not match this login (a stale or forged redirect)",
            hint="run `spotify-etl auth login` again",
        )
    code = answer.get("code", "")
    register_secret(code)
    with httpx.Client(transport=transport, timeout=settings.timeout_s) as http:
        tokens = TokenClient(
            http,
            settings.resolved_accounts_base() + "/api/token",
            RetryPolicy.from_settings(settings),
            sleep=time.sleep,
            record=lambda endpoint, status: None,
        )
        body = tokens.request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": server.redirect_uri,
                "client_id": client_id,
                "code_verifier": pkce.verifier,
            }
        )
        refresh = body.get("refresh_token")
        if not isinstance(refresh, str) or not refresh:
            raise AuthError("Spotify's token reply held no refresh token", hint="try again")
        user_id = _user_id(http, settings.resolved_api_base(), body["access_token"])
    stored = StoredToken(
        refresh_token=refresh,
        scope=str(body.get("scope") or " ".join(scopes)),
        user_id=user_id,
        authorised_at=datetime.now(UTC),
    )
    store.save(stored)
    return stored


def _user_id(http: httpx.Client, api_base: str, access_token: str) -> str | None:
    try:
        reply = http.get(f"{api_base}/me", headers={"Authorization": f"Bearer {access_token}"})
        body = reply.json() if reply.status_code == 200 else None
    except (httpx.HTTPError, ValueError):
        body = None
    user_id = body.get("id") if isinstance(body, dict) else None
    if isinstance(user_id, str):
        return user_id
    log.warning("authorised, but could not read the user's id from /me")
    return None
