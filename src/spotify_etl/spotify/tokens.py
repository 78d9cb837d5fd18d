"""Where the user's refresh token lives: a private file on a laptop, Secrets Manager for Lambda.

PKCE refresh tokens are single-use, so every rotation must be saved before the old one is
forgotten, and saved atomically: a crash mid-write must leave the previous token readable.
"""

from __future__ import annotations

import calendar
import contextlib
import json
import logging
import os
import stat
import tempfile
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from spotify_etl.errors import AuthError
from spotify_etl.logs import register_secret

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

    from spotify_etl.config import PipelineConfig

log = logging.getLogger(__name__)

REFRESH_TOKEN_LIFETIME_MONTHS = 6
_LOGIN_HINT = "run `spotify-etl auth login`"


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

    def __post_init__(self) -> None:
        register_secret(self.refresh_token)

    @property
    def expires_at(self) -> datetime:
        return add_months(self.authorised_at, REFRESH_TOKEN_LIFETIME_MONTHS)

    def rotated(self, refresh_token: str, scope: str | None = None) -> StoredToken:
        return replace(self, refresh_token=refresh_token, scope=scope or self.scope)

    def to_json(self) -> str:
        return json.dumps(
            {
                "refresh_token": self.refresh_token,
                "scope": self.scope,
                "user_id": self.user_id,
                "authorised_at": self.authorised_at.astimezone(UTC).isoformat(),
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str, *, where: str) -> StoredToken:
        try:
            data: Any = json.loads(text)
            authorised_at = datetime.fromisoformat(data["authorised_at"])
            if authorised_at.tzinfo is None:
                authorised_at = authorised_at.replace(tzinfo=UTC)
            return cls(
                refresh_token=str(data["refresh_token"]),
                scope=str(data.get("scope") or ""),
                user_id=data.get("user_id"),
                authorised_at=authorised_at,
            )
        except (ValueError, KeyError, TypeError):
            raise AuthError(
                f"the stored Spotify token in {where} is unreadable", hint=_LOGIN_HINT
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


class FileTokenStore:
    """A JSON file readable by its owner only (mode 0600), replaced atomically."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()

    @property
    def description(self) -> str:
        return str(self.path)

    def load(self) -> StoredToken | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise AuthError(f"cannot read token file {self.path}: {exc.strerror}") from None
        if self.path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            log.warning("token file %s is readable by others: chmod 600 it", self.path)
        return StoredToken.from_json(text, where=str(self.path))

    def save(self, token: StoredToken) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".token-", dir=self.path.parent)  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(token.to_json())
                handle.flush()
                os.fsync(handle.fileno())
            Path(tmp).chmod(0o600)
            Path(tmp).replace(self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                Path(tmp).unlink()
            raise

    def delete(self) -> bool:
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True


class SecretsManagerTokenStore:
    """The token as a JSON SecretString; the boto3 client is built on first use."""

    def __init__(self, secret_id: str, client: SecretsManagerClient | None = None) -> None:
        self.secret_id = secret_id
        self._client = client

    @property
    def description(self) -> str:
        return f"AWS Secrets Manager secret {self.secret_id}"

    @property
    def client(self) -> SecretsManagerClient:
        if self._client is None:
            import boto3

            self._client = boto3.client("secretsmanager")
        return self._client

    def load(self) -> StoredToken | None:
        try:
            reply = self.client.get_secret_value(SecretId=self.secret_id)
        except self.client.exceptions.ResourceNotFoundException:
            return None
        text = reply.get("SecretString")
        if not text:
            return None
        return StoredToken.from_json(text, where=self.description)

    def save(self, token: StoredToken) -> None:
        # put_secret_value makes the new version current in one call: atomic for readers.
        try:
            self.client.put_secret_value(SecretId=self.secret_id, SecretString=token.to_json())
        except self.client.exceptions.ResourceNotFoundException:
            self.client.create_secret(Name=self.secret_id, SecretString=token.to_json())

    def delete(self) -> bool:
        # A forced delete of a missing secret succeeds silently, so ask first.
        try:
            self.client.describe_secret(SecretId=self.secret_id)
            self.client.delete_secret(SecretId=self.secret_id, ForceDeleteWithoutRecovery=True)
        except self.client.exceptions.ResourceNotFoundException:
            return False
        return True


def token_store_for(config: PipelineConfig) -> TokenStore:
    """The store the config names: Secrets Manager when token_secret_id is set, else the file."""
    settings = config.spotify
    if settings.token_secret_id:
        return SecretsManagerTokenStore(settings.token_secret_id)
    return FileTokenStore(config.path(settings.token_file))
