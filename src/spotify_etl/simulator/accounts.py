"""The accounts service: `POST /api/token` and `GET /authorize`, with the real error replies.

Client credentials give an app token (no user). Authorization code (optionally with PKCE)
and refresh give a token of the simulated user "me". PKCE refresh tokens are single-use and
rotated; a confidential client's refresh token stays valid and the reply omits it.
Everything lives in memory for the simulator's lifetime.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from spotify_etl.simulator.config import SimulatorConfig

Reply = tuple[int, dict[str, object] | str, list[tuple[str, str]]]
REFRESH_LIFETIME_DAYS = 183  # refresh tokens die six months after the original authorisation


@dataclass(frozen=True, slots=True)
class Grant:
    client_id: str
    user: bool  # True: token of the simulated user "me"
    scope: str
    expires_at: float


@dataclass(frozen=True, slots=True)
class _Code:
    redirect_uri: str
    scope: str
    challenge: str | None


@dataclass(frozen=True, slots=True)
class _Refresh:
    scope: str
    pkce: bool
    authorised_day: int


def redirect_uri_problem(uri: str) -> str | None:
    """Why the real service would refuse this redirect URI, or None if it accepts it."""
    try:
        parts = urlsplit(uri)
        host = (parts.hostname or "").lower()
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return "Invalid redirect URI"
    if not parts.scheme or (parts.scheme in ("http", "https") and not host):
        return "Invalid redirect URI"
    if host == "localhost" or host.endswith(".localhost"):
        return "Insecure redirect URI"  # refused since 2025-11-27: use 127.0.0.1 or [::1]
    if parts.scheme == "http" and host not in ("127.0.0.1", "::1"):
        return "Insecure redirect URI"
    if parts.scheme in ("javascript", "data", "file"):
        return "Invalid redirect URI"
    return None


def _oauth_error(error: str, description: str) -> Reply:
    return 400, {"error": error, "error_description": description}, []


class Accounts:
    def __init__(
        self, config: SimulatorConfig, day: list[int], on_issue: Callable[[str], None]
    ) -> None:
        self.config = config
        self._day = day  # shared, mutable: the simulator's current day
        self.grants: dict[str, Grant] = {}
        self._codes: dict[str, _Code] = {}
        self._refresh: dict[str, _Refresh] = {}
        self._on_issue = on_issue  # counts tokens by grant type (Stats.record_token)

    # ---- tokens ----------------------------------------------------------------------
    def lookup(self, token: str) -> Grant | None:
        return self.grants.get(token)

    def _access(self, user: bool, scope: str, grant_type: str, client_id: str) -> dict[str, object]:
        token = "BQ" + secrets.token_urlsafe(48)
        lifetime = self.config.token_lifetime_s
        self.grants[token] = Grant(client_id, user, scope, time.monotonic() + lifetime)
        self._on_issue(grant_type)
        if len(self.grants) > 50_000:  # long benchmarks: forget expired tokens
            now = time.monotonic()
            self.grants = {k: g for k, g in self.grants.items() if g.expires_at > now}
        reply: dict[str, object] = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": max(1, round(lifetime)),
        }
        if user:
            reply["scope"] = scope
        return reply

    def _client(self, form: dict[str, str], authorization: str) -> tuple[str | None, str | None]:
        """(client_id, secret) from a Basic header or the form; secret None if not sent."""
        if authorization[:6].lower() == "basic ":
            try:
                raw = base64.b64decode(authorization[6:].strip(), validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                return None, None
            client_id, _, secret = raw.partition(":")
            return client_id, secret
        return form.get("client_id"), form.get("client_secret")

    def token(self, body: bytes, authorization: str) -> Reply:
        try:
            form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            return _oauth_error("invalid_request", "Malformed request body")
        grant_type = form.get("grant_type")
        if not grant_type:
            return _oauth_error("unsupported_grant_type", "grant_type parameter is missing")
        client_id, secret = self._client(form, authorization)
        if client_id is None or client_id not in self.config.client_ids:
            return _oauth_error("invalid_client", "Invalid client")
        if secret is not None and not hmac.compare_digest(secret, self.config.client_secret):
            return _oauth_error("invalid_client", "Invalid client secret")
        if grant_type == "client_credentials":
            if secret is None:
                return _oauth_error("invalid_client", "Invalid client")
            return 200, self._access(False, "", grant_type, client_id), []
        if grant_type == "authorization_code":
            return self._exchange(form, secret is not None, client_id)
        if grant_type == "refresh_token":
            return self._refresh_grant(form, secret is not None, client_id)
        return _oauth_error(
            "unsupported_grant_type",
            "grant_type must be client_credentials, authorization_code or refresh_token",
        )

    def _exchange(self, form: dict[str, str], authenticated: bool, client_id: str) -> Reply:
        code = self._codes.pop(form.get("code", ""), None)
        if code is None:
            return _oauth_error("invalid_grant", "Invalid authorization code")
        if form.get("redirect_uri") != code.redirect_uri:
            return _oauth_error("invalid_grant", "Invalid redirect URI")
        if code.challenge is not None:
            verifier = form.get("code_verifier", "")
            digest = hashlib.sha256(verifier.encode()).digest()
            expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            if not verifier or not hmac.compare_digest(expected, code.challenge):
                return _oauth_error("invalid_grant", "code_verifier was incorrect")
        elif not authenticated:
            return _oauth_error("invalid_client", "Invalid client")
        reply = self._access(True, code.scope, "authorization_code", client_id)
        refresh = secrets.token_urlsafe(48)
        self._refresh[refresh] = _Refresh(code.scope, code.challenge is not None, self._day[0])
        reply["refresh_token"] = refresh
        return 200, reply, []

    def _refresh_grant(self, form: dict[str, str], authenticated: bool, client_id: str) -> Reply:
        token = form.get("refresh_token", "")
        found = self._refresh.get(token)
        if found is None:
            return _oauth_error("invalid_grant", "Invalid refresh token")
        if self._day[0] - found.authorised_day >= REFRESH_LIFETIME_DAYS:
            del self._refresh[token]
            return _oauth_error("invalid_grant", "Refresh token revoked")
        if not found.pkce and not authenticated:
            return _oauth_error("invalid_client", "Invalid client")
        reply = self._access(True, found.scope, "refresh_token", client_id)
        if found.pkce:  # single use: rotate
            del self._refresh[token]
            rotated = secrets.token_urlsafe(48)
            self._refresh[rotated] = found
            reply["refresh_token"] = rotated
        return 200, reply, []

    # ---- authorize -------------------------------------------------------------------
    def authorize(self, query: dict[str, str]) -> Reply:
        if query.get("client_id") not in self.config.client_ids:
            return 400, "INVALID_CLIENT: Invalid client", []
        redirect_uri = query.get("redirect_uri", "")
        problem = redirect_uri_problem(redirect_uri)
        if problem:
            return 400, f"INVALID_CLIENT: {problem}", []
        params: dict[str, str] = {}
        method, challenge = query.get("code_challenge_method"), query.get("code_challenge")
        if query.get("response_type") != "code":
            params["error"] = "unsupported_response_type"
        elif (challenge is not None and method != "S256") or (method and not challenge):
            params["error"] = "invalid_request"
        else:
            code = secrets.token_urlsafe(32)
            self._codes[code] = _Code(redirect_uri, query.get("scope", ""), challenge)
            params["code"] = code
        if "state" in query:
            params["state"] = query["state"]
        joiner = "&" if "?" in redirect_uri else "?"
        return 302, "", [("Location", f"{redirect_uri}{joiner}{urlencode(params)}")]
