"""Access tokens: client credentials for the app, refresh-token grants for the user.

Tokens are cached and renewed shortly before they expire; a 401 invalidates the token that
was used (only that one, so four threads hitting 401 together cause a single renewal).
Accounts-service refusals become AuthError with the fix in the hint.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from spotify_etl.config import DEFAULT_ACCOUNTS_BASE
from spotify_etl.errors import AuthError, RetryableError, StopRun
from spotify_etl.logs import register_secret
from spotify_etl.spotify.retry import Action, RetryPolicy
from spotify_etl.spotify.tokens import StoredToken, TokenStore

TOKEN_ENDPOINT = "accounts:token"  # noqa: S105 (the stats key for token requests)
_LOGIN_HINT = "run `spotify-etl auth login`"
_CREDENTIALS_HINT = "set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET"


@dataclass
class AccessToken:
    value: str = field(repr=False)
    expires_at: float  # on the client's monotonic clock
    lifetime_s: float

    def usable(self, now: float) -> bool:
        # Renew a little early so a request never leaves with a token about to lapse.
        return now < self.expires_at - min(60.0, self.lifetime_s * 0.1)


def _service(token_url: str) -> str:
    origin = token_url.removesuffix("/api/token")
    return "Spotify's accounts service" if origin == DEFAULT_ACCOUNTS_BASE else origin


def _refusal(error: str, description: str, grant: str, token_url: str, why: str) -> AuthError:
    what = f"{error}: {description}" if description and description != error else error
    if error == "invalid_client":
        return AuthError(f"Spotify refused the client credentials ({what})", hint=_CREDENTIALS_HINT)
    if error == "invalid_grant" and grant == "refresh_token":
        return AuthError(
            f"{_service(token_url)} refused the stored refresh token ({what}); {why}",
            hint=_LOGIN_HINT,
        )
    if error == "invalid_grant":
        return AuthError(f"Spotify refused the authorization code ({what})", hint=_LOGIN_HINT)
    return AuthError(f"Spotify token request refused ({what})", hint=_LOGIN_HINT)


def _unexpected(status: int, url: str, grant: str) -> AuthError:
    """A token reply that is no accounts-service answer: name the URL; blame credentials
    only when the service itself refused them (that case is `_refusal`)."""
    if status in (404, 405, 410):
        return AuthError(
            f"{url} answered HTTP {status}: no Spotify accounts service there",
            hint="check spotify.api_base / --api-base (and spotify.accounts_base, if set)",
        )
    return AuthError(
        f"Spotify token request to {url} failed with HTTP {status}",
        hint=_LOGIN_HINT if grant != "client_credentials" else _CREDENTIALS_HINT,
    )


class TokenClient:
    """POSTs to the accounts service's token endpoint with the retry policy's patience."""

    def __init__(
        self,
        http: httpx.Client,
        token_url: str,
        policy: RetryPolicy,
        *,
        sleep: Callable[[float], None],
        record: Callable[[str, int], None],
    ) -> None:
        self.http = http
        self.token_url = token_url
        self.policy = policy
        self._sleep = sleep
        self._record = record

    def request(
        self,
        form: dict[str, str],
        basic: tuple[str, str] | None = None,
        *,
        why_refused: str = "it expires 6 months after authorisation or when access is revoked",
    ) -> dict[str, Any]:
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if basic is not None:
            raw = f"{basic[0]}:{basic[1]}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(raw).decode("ascii")
        grant = form.get("grant_type", "")
        failure = "no reply"
        for attempt in range(1, self.policy.max_attempts + 1):
            try:
                reply = self.http.post(self.token_url, data=form, headers=headers)
            except httpx.TransportError as exc:
                self._record(TOKEN_ENDPOINT, 0)
                failure = type(exc).__name__
            else:
                self._record(TOKEN_ENDPOINT, reply.status_code)
                body = _json_or_none(reply)
                refused = isinstance(body, dict) and isinstance(body.get("error"), str)
                if refused and reply.status_code in (400, 401, 403):
                    raise _refusal(
                        body["error"],
                        str(body.get("error_description") or ""),
                        grant,
                        self.token_url,
                        why_refused,
                    )
                decision = self.policy.decide(
                    reply.status_code, reply.headers.get("Retry-After"), body
                )
                if decision.action is Action.OK:
                    if isinstance(body, dict) and isinstance(body.get("access_token"), str):
                        register_secret(body["access_token"])
                        if isinstance(body.get("refresh_token"), str):
                            register_secret(body["refresh_token"])
                        return body
                    failure = "malformed token reply"
                elif decision.action in (Action.STOP_QUOTA, Action.STOP_RATE):
                    raise StopRun(
                        "the Spotify accounts service asks to wait "
                        f"{decision.wait_s or 0:.0f} s before the next token request",
                        reason="rate_limit",
                        retry_after_s=decision.wait_s,
                    )
                elif decision.action is Action.WAIT:
                    failure = "HTTP 429"
                    if attempt < self.policy.max_attempts:
                        self._sleep(self.policy.rate_limit_wait_s(decision.wait_s, attempt))
                    continue
                elif decision.action is Action.BACKOFF:
                    failure = f"HTTP {reply.status_code}"
                else:
                    raise _unexpected(reply.status_code, self.token_url, grant)
            if attempt < self.policy.max_attempts:
                self._sleep(self.policy.backoff_s(attempt))
        raise RetryableError(
            f"Spotify token request to {self.token_url} failed after {self.policy.max_attempts} "
            f"attempts ({failure})",
            hint="check the network, or --api-base / spotify.api_base if you set one",
        )


def _json_or_none(reply: httpx.Response) -> Any:
    try:
        return reply.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


class Authenticator:
    """Hands out bearer tokens for app requests and user requests, renewing them as needed."""

    def __init__(
        self,
        tokens: TokenClient,
        client_id: str,
        client_secret: str | None,
        store: TokenStore | None,
        *,
        clock: Callable[[], float],
    ) -> None:
        if not client_id:
            raise AuthError("no Spotify client id", hint=_CREDENTIALS_HINT)
        register_secret(client_secret)
        self._tokens = tokens
        self.client_id = client_id
        self._secret = client_secret
        self.store = store
        self._clock = clock
        self._app: AccessToken | None = None
        self._user: AccessToken | None = None
        self._stored: StoredToken | None = None
        self._lock = threading.Lock()

    @property
    def has_user(self) -> bool:
        """True when a user's refresh token is available (loads it on first use)."""
        with self._lock:
            return self._load_stored() is not None

    def token(self, *, user: bool) -> str:
        with self._lock:
            now = self._clock()
            if user or self._secret is None:
                if self._user is None or not self._user.usable(now):
                    self._user = self._refresh_user()
                return self._user.value
            if self._app is None or not self._app.usable(now):
                self._app = self._client_credentials()
            return self._app.value

    def invalidate(self, value: str) -> None:
        """The server said 401 to this token: forget it so the next call renews it."""
        with self._lock:
            if self._app is not None and self._app.value == value:
                self._app = None
            if self._user is not None and self._user.value == value:
                self._user = None

    def _client_credentials(self) -> AccessToken:
        assert self._secret is not None
        body = self._tokens.request(
            {"grant_type": "client_credentials"}, basic=(self.client_id, self._secret)
        )
        return self._access(body)

    def _load_stored(self) -> StoredToken | None:
        if self._stored is None and self.store is not None:
            self._stored = self.store.load()
        return self._stored

    def _refresh_user(self) -> AccessToken:
        stored = self._load_stored()
        if stored is None:
            where = f" in {self.store.description}" if self.store is not None else ""
            needs = (
                "this request needs a user authorisation"
                if self._secret
                else ("no SPOTIFY_CLIENT_SECRET and no user authorisation")
            )
            raise AuthError(f"{needs}: no refresh token stored{where}", hint=_LOGIN_HINT)
        try:
            body = self._refresh(stored)
        except AuthError:
            # Another process (a second run, `auth login`) may have rotated the single-use
            # token since we read it: try the stored one once before giving up.
            assert self.store is not None
            latest = self.store.load()
            if latest is None or latest.refresh_token == stored.refresh_token:
                raise
            stored = self._stored = latest
            body = self._refresh(stored)
        rotated = body.get("refresh_token")
        if isinstance(rotated, str) and rotated != stored.refresh_token:
            # Single-use: the old token is dead now, so the new one must be saved first.
            self._stored = stored.rotated(rotated, body.get("scope"))
            assert self.store is not None
            self.store.save(self._stored)
        return self._access(body)

    def _refresh(self, stored: StoredToken) -> dict[str, Any]:
        return self._tokens.request(self._refresh_form(stored), why_refused=self._why(stored))

    def _why(self, stored: StoredToken) -> str:
        """Why the accounts service may refuse this refresh token, most likely first."""
        issued = stored.authorised_at.astimezone(UTC)
        if self._tokens.token_url.removesuffix("/api/token") != DEFAULT_ACCOUNTS_BASE:
            return (
                f"a Spotify-compatible service such as the simulator forgets the tokens it "
                f"issued when it restarts (this one was issued {issued:%Y-%m-%d %H:%M} UTC)"
            )
        expires = stored.expires_at.astimezone(UTC)
        if expires <= datetime.now(UTC):
            return f"it expired on {expires:%Y-%m-%d}, six months after authorisation"
        return (
            f"authorised {issued:%Y-%m-%d}, it is valid until {expires:%Y-%m-%d}, so access "
            "was revoked (spotify.com/account/apps) or another process used it first"
        )

    def _refresh_form(self, stored: StoredToken) -> dict[str, str]:
        return {
            "grant_type": "refresh_token",
            "refresh_token": stored.refresh_token,
            "client_id": self.client_id,
        }

    def _access(self, body: dict[str, Any]) -> AccessToken:
        try:
            lifetime = float(body.get("expires_in", 3600))
        except (TypeError, ValueError):
            lifetime = 3600.0
        return AccessToken(body["access_token"], self._clock() + lifetime, lifetime)
