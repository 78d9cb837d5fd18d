from __future__ import annotations

import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest

from spotify_etl.errors import AuthError
from spotify_etl.spotify import FileTokenStore, SecretsManagerTokenStore, StoredToken
from spotify_etl.spotify.tokens import add_months

AUTHORISED = datetime(2026, 8, 31, 12, 0, tzinfo=UTC)


def _token(refresh: str = "refresh-token-abcdef") -> StoredToken:
    return StoredToken(refresh, "user-top-read user-library-read", "alice", AUTHORISED)


def test_file_store_round_trip_with_owner_only_mode(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "token.json"
    store = FileTokenStore(path)
    assert store.load() is None
    store.save(_token())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert store.load() == _token()
    assert json.loads(path.read_text())["user_id"] == "alice"


def test_rotation_replaces_the_file_atomically(tmp_path: Path) -> None:
    path = tmp_path / "token.json"
    store = FileTokenStore(path)
    store.save(_token())
    before = path.stat().st_ino
    store.save(_token().rotated("refresh-token-rotated"))
    assert path.stat().st_ino != before  # a new file renamed into place, not rewritten
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = store.load()
    assert loaded is not None and loaded.refresh_token == "refresh-token-rotated"
    assert loaded.authorised_at == AUTHORISED  # rotation does not extend the 6 months
    assert [p.name for p in tmp_path.iterdir()] == ["token.json"]  # no temp files left


def test_delete_and_unreadable_file(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "token.json")
    assert store.delete() is False
    store.save(_token())
    assert store.delete() is True
    (tmp_path / "token.json").write_text("{not json")
    with pytest.raises(AuthError) as err:
        store.load()
    assert "auth login" in str(err.value)


def test_the_refresh_token_stays_out_of_repr() -> None:
    assert "refresh-token-abcdef" not in repr(_token())


def test_expiry_is_six_calendar_months_after_authorisation() -> None:
    assert _token().expires_at == datetime(2027, 2, 28, 12, 0, tzinfo=UTC)
    assert add_months(datetime(2026, 1, 15, tzinfo=UTC), 6) == datetime(2026, 7, 15, tzinfo=UTC)


def test_secrets_manager_store_against_moto(moto_env: str) -> None:
    store = SecretsManagerTokenStore("spotify-etl/test-token")
    assert store.load() is None
    store.save(_token())  # creates the secret
    store.save(_token().rotated("refresh-token-second"))  # a new current version
    loaded = store.load()
    assert loaded is not None and loaded.refresh_token == "refresh-token-second"
    raw = boto3.client("secretsmanager").get_secret_value(SecretId="spotify-etl/test-token")
    assert json.loads(raw["SecretString"])["user_id"] == "alice"
    assert store.delete() is True
    assert store.load() is None
    assert store.delete() is False
