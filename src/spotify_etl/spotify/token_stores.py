"""The token stores: a private file on a laptop (one token per service and client id), or an
AWS Secrets Manager secret for the Lambda. See tokens.py for what a token is."""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spotify_etl.config import DEFAULT_ACCOUNTS_BASE
from spotify_etl.errors import AuthError
from spotify_etl.spotify.tokens import LOGIN_HINT, StoredToken, TokenKey

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

    from spotify_etl.config import PipelineConfig

log = logging.getLogger(__name__)

_LEGACY_SLOT = "legacy"  # a token file of the single-token era: it was Spotify's, or unknown


class FileTokenStore:
    """A JSON file readable by its owner only (mode 0600), replaced atomically.

    With a key, the file holds one token per (accounts service, client id) under "tokens",
    and a save rewrites only its own entry, under a lock so two logins cannot lose one.
    Without a key it holds a single token (tests and tools that name a file of their own).
    """

    def __init__(self, path: str | Path, key: TokenKey | None = None) -> None:
        self.path = Path(path).expanduser()
        self.key = key

    @property
    def description(self) -> str:
        return str(self.path)

    @property
    def key_label(self) -> str:
        return self.key.label if self.key else "the only token"

    def _read(self) -> dict[str, Any] | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise AuthError(f"cannot read token file {self.path}: {exc.strerror}") from None
        if self.path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            log.warning("token file %s is readable by others: chmod 600 it", self.path)
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise AuthError(
                f"the stored Spotify token in {self.path} is unreadable", hint=LOGIN_HINT
            )
        return data

    def _slots(self, data: dict[str, Any] | None) -> dict[str, Any]:
        if data is None:
            return {}
        if isinstance(data.get("tokens"), dict):
            return dict(data["tokens"])
        if "refresh_token" not in data:
            return {}
        # One token, as written before keys: file it under its own key when it names one.
        token = StoredToken.from_dict(data, where=str(self.path))
        if token.accounts_base is not None:
            return {TokenKey(token.accounts_base, token.client_id or "").slot: data}
        return {_LEGACY_SLOT: data}

    def load(self) -> StoredToken | None:
        data = self._read()
        if self.key is None:
            if data is not None and isinstance(data.get("tokens"), dict):
                if len(data["tokens"]) != 1:
                    raise AuthError(
                        f"{self.path} holds tokens of several services: name the service "
                        "and client id"
                    )
                [data] = data["tokens"].values()
            return None if data is None else StoredToken.from_dict(data, where=str(self.path))
        slots = self._slots(data)
        entry = slots.get(self.key.slot)
        if entry is None and self.key.is_spotify:
            entry = slots.get(_LEGACY_SLOT)
        return None if entry is None else StoredToken.from_dict(entry, where=str(self.path))

    def save(self, token: StoredToken) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.key is None:
            self._write(token.to_json())
            return
        with _locked(self.path):
            slots = self._slots(self._read())
            slots[self.key.slot] = token.keyed(self.key).to_dict()
            if self.key.is_spotify:
                slots.pop(_LEGACY_SLOT, None)  # superseded by the keyed Spotify token
            self._write(json.dumps({"tokens": slots}, indent=2))

    def _write(self, text: str) -> None:
        fd, tmp = tempfile.mkstemp(prefix=".token-", dir=self.path.parent)  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            Path(tmp).chmod(0o600)
            Path(tmp).replace(self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                Path(tmp).unlink()
            raise

    def delete(self) -> bool:
        if self.key is None:
            try:
                self.path.unlink()
            except FileNotFoundError:
                return False
            return True
        with _locked(self.path):
            slots = self._slots(self._read())
            slot = self.key.slot if self.key.slot in slots else None
            if slot is None and self.key.is_spotify and _LEGACY_SLOT in slots:
                slot = _LEGACY_SLOT
            if slot is None:
                return False
            del slots[slot]
            if slots:
                self._write(json.dumps({"tokens": slots}, indent=2))
            else:
                self.path.unlink()
        return True


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive advisory lock beside the token file for a read-modify-write."""
    try:
        fcntl: Any = importlib.import_module("fcntl")
    except ImportError:  # not POSIX: a lone writer is the common case there
        yield
        return
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with (path.parent / f".{path.name}.lock").open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class SecretsManagerTokenStore:
    """The token as a JSON SecretString; the boto3 client is built on first use."""

    def __init__(
        self,
        secret_id: str,
        client: SecretsManagerClient | None = None,
        key: TokenKey | None = None,
    ) -> None:
        self.secret_id = secret_id
        self._client = client
        self.key = key  # set: a token of another service is neither read nor overwritten

    @property
    def description(self) -> str:
        return f"AWS Secrets Manager secret {self.secret_id}"

    @property
    def key_label(self) -> str:
        return self.key.label if self.key else "the only token"

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
        token = StoredToken.from_json(text, where=self.description)
        if self.key is not None and not token.belongs_to(self.key):
            return None
        return token

    def save(self, token: StoredToken) -> None:
        if self.key is not None:
            held = self._held()
            if held is not None and not held.belongs_to(self.key):
                raise AuthError(
                    f"{self.description} holds the token of client {held.client_id} at "
                    f"{held.accounts_base or DEFAULT_ACCOUNTS_BASE}; not replacing it with one "
                    f"for {self.key.label}",
                    hint="set another spotify.token_secret_id for this service",
                )
            token = token.keyed(self.key)
        # put_secret_value makes the new version current in one call: atomic for readers.
        try:
            self.client.put_secret_value(SecretId=self.secret_id, SecretString=token.to_json())
        except self.client.exceptions.ResourceNotFoundException:
            self.client.create_secret(Name=self.secret_id, SecretString=token.to_json())

    def _held(self) -> StoredToken | None:
        key, self.key = self.key, None
        try:
            return self.load()
        finally:
            self.key = key

    def delete(self) -> bool:
        # A forced delete of a missing secret succeeds silently, so ask first.
        try:
            self.client.describe_secret(SecretId=self.secret_id)
            self.client.delete_secret(SecretId=self.secret_id, ForceDeleteWithoutRecovery=True)
        except self.client.exceptions.ResourceNotFoundException:
            return False
        return True


def token_store_for(
    config: PipelineConfig, client_id: str | None = None, *, api_base: str | None = None
) -> FileTokenStore | SecretsManagerTokenStore:
    """The store the config names (Secrets Manager when token_secret_id is set, else the
    file), keyed by the accounts service `api_base` (or the config) implies and the client id
    (SPOTIFY_CLIENT_ID when not given)."""
    settings = config.spotify.with_api_base(api_base)
    if client_id is None:
        from spotify_etl.config import load_secrets

        client_id = load_secrets().spotify_client_id
    key = TokenKey(settings.resolved_accounts_base(), client_id) if client_id else None
    if settings.token_secret_id:
        return SecretsManagerTokenStore(settings.token_secret_id, key=key)
    return FileTokenStore(config.path(settings.token_file), key=key)
