"""Where the user's refresh token lives: a private file on a laptop, Secrets Manager for Lambda.

PKCE refresh tokens are single-use, so every rotation must be saved before the old one is
forgotten, and saved atomically: a crash mid-write must leave the previous token readable.

A refresh token is good only at the accounts service that issued it, with the client id it
was issued to (docs/spotify-api.md, "Authorisation": the refresh form carries `refresh_token`
and `client_id`), so tokens are kept per `TokenKey` (service, client id): an `auth login`
against the simulator never replaces the real Spotify token beside it. The stores are in
token_stores.py.
"""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from spotify_etl.config import DEFAULT_ACCOUNTS_BASE
from spotify_etl.errors import AuthError
from spotify_etl.logs import register_secret

REFRESH_TOKEN_LIFETIME_MONTHS = 6
LOGIN_HINT = "run `spotify-etl auth login`"


@dataclass(frozen=True)
class TokenKey:
    """Whose refresh token: the accounts service that issued it and the app's client id."""

    accounts_base: str
    client_id: str

    @property
    def slot(self) -> str:
        return f"{self.accounts_base.rstrip('/')} {self.client_id}"

    @property
    def label(self) -> str:
        return f"client {self.client_id} at {self.accounts_base.rstrip('/')}"

    @property
    def is_spotify(self) -> bool:
        return self.accounts_base.rstrip("/") == DEFAULT_ACCOUNTS_BASE


def add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@dataclass(frozen=True)
class StoredToken:
    refresh_token: str = field(repr=False)
    scope: str
    user_id: str | None
    authorised_at: datetime  # the original authorisation: rotation does not extend the lifetime
    accounts_base: str | None = None  # who issued it (None: written before tokens were keyed)
    client_id: str | None = None

    def __post_init__(self) -> None:
        register_secret(self.refresh_token)

    @property
    def expires_at(self) -> datetime:
        return add_months(self.authorised_at, REFRESH_TOKEN_LIFETIME_MONTHS)

    def rotated(self, refresh_token: str, scope: str | None = None) -> StoredToken:
        return replace(self, refresh_token=refresh_token, scope=scope or self.scope)

    def keyed(self, key: TokenKey | None) -> StoredToken:
        if key is None:
            return self
        return replace(self, accounts_base=key.accounts_base, client_id=key.client_id)

    def belongs_to(self, key: TokenKey) -> bool:
        if self.accounts_base is None:  # unkeyed (older release): only ever Spotify's
            return key.is_spotify
        return TokenKey(self.accounts_base, self.client_id or "").slot == key.slot

    def to_dict(self) -> dict[str, Any]:
        data = {
            "refresh_token": self.refresh_token,
            "scope": self.scope,
            "user_id": self.user_id,
            "authorised_at": self.authorised_at.astimezone(UTC).isoformat(),
        }
        if self.accounts_base is not None:
            data.update(accounts_base=self.accounts_base, client_id=self.client_id)
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_json(cls, text: str, *, where: str) -> StoredToken:
        try:
            return cls.from_dict(json.loads(text), where=where)
        except ValueError:
            raise AuthError(
                f"the stored Spotify token in {where} is unreadable", hint=LOGIN_HINT
            ) from None

    @classmethod
    def from_dict(cls, data: Any, *, where: str) -> StoredToken:
        try:
            authorised_at = datetime.fromisoformat(data["authorised_at"])
            if authorised_at.tzinfo is None:
                authorised_at = authorised_at.replace(tzinfo=UTC)
            return cls(
                refresh_token=str(data["refresh_token"]),
                scope=str(data.get("scope") or ""),
                user_id=data.get("user_id"),
                authorised_at=authorised_at,
                accounts_base=data.get("accounts_base"),
                client_id=data.get("client_id"),
            )
        except (ValueError, KeyError, TypeError):
            raise AuthError(
                f"the stored Spotify token in {where} is unreadable", hint=LOGIN_HINT
            ) from None


class TokenStore(Protocol):
    """Holds one user's refresh token."""

    @property
    def description(self) -> str:
        """Where the token lives, for messages (never the token)."""
        ...

    def load(self) -> StoredToken | None: ...

    def save(self, token: StoredToken) -> None: ...

    def delete(self) -> bool:
        """Forget the token; False when there was none."""
        ...
