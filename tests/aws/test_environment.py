"""Lambda settings from the environment, config from S3, credentials from Secrets Manager."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import boto3
import pytest

from spotify_etl.aws.environment import LambdaSettings, spotify_app_secrets
from spotify_etl.errors import AuthError, ConfigError
from spotify_etl.logs import RedactingFilter

ENV = {"SPOTIFY_ETL_RAW_URL": "s3://raw-b", "SPOTIFY_ETL_TRANSFORMED_URL": "s3://out-b/t"}


def test_defaults_and_required_buckets() -> None:
    settings = LambdaSettings.from_env(ENV)
    assert (settings.shards, settings.namespace, settings.token_secret_id) == (
        1,
        "SpotifyEtl",
        None,
    )
    assert settings.transformed_store().uri("k") == "s3://out-b/t/k"
    with pytest.raises(ConfigError, match="SPOTIFY_ETL_RAW_URL is not set"):
        LambdaSettings.from_env({"SPOTIFY_ETL_TRANSFORMED_URL": "s3://x"})
    with pytest.raises(ConfigError, match="must be an s3://"):
        LambdaSettings.from_env({**ENV, "SPOTIFY_ETL_RAW_URL": "/tmp/raw"})


@pytest.mark.parametrize("shards", ["0", "101", "two", "-1"])
def test_bad_shard_counts(shards: str) -> None:
    with pytest.raises(ConfigError, match="SPOTIFY_ETL_SHARDS"):
        LambdaSettings.from_env({**ENV, "SPOTIFY_ETL_SHARDS": shards})


def test_fan_out_needs_a_queue() -> None:
    with pytest.raises(ConfigError, match="SHARD_QUEUE_URL"):
        LambdaSettings.from_env({**ENV, "SPOTIFY_ETL_SHARDS": "4"})
    settings = LambdaSettings.from_env(
        {**ENV, "SPOTIFY_ETL_SHARDS": "4", "SPOTIFY_ETL_SHARD_QUEUE_URL": "http://q"}
    )
    assert settings.shards == 4


def test_config_from_s3_with_the_stack_buckets_and_secret(moto_env: str) -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="conf-b")
    toml = '[storage]\nraw = "./laptop"\n[sources]\nalbums = ["4aawyAB9vmqN3uQ7FjRGTy"]\n'
    s3.put_object(Bucket="conf-b", Key="config/spotify-etl.toml", Body=toml.encode())
    settings = LambdaSettings.from_env(
        {
            **ENV,
            "SPOTIFY_ETL_CONFIG": "s3://conf-b/config/spotify-etl.toml",
            "SPOTIFY_ETL_APP_SECRET_ID": "spotify-etl/app",
            "SPOTIFY_ETL_TOKEN_SECRET_ID": "spotify-etl/token",
        }
    )
    config = settings.pipeline_config()
    assert config.sources.albums == ["4aawyAB9vmqN3uQ7FjRGTy"]
    assert (config.storage.raw, config.storage.transformed) == ("s3://raw-b", "s3://out-b/t")
    assert config.spotify.token_secret_id == "spotify-etl/token"
    assert settings.app_secret_id == "spotify-etl/app"


def test_config_errors_name_the_location(moto_env: str, tmp_path: Path) -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="conf-b")
    s3.put_object(Bucket="conf-b", Key="bad.toml", Body=b"[sources]\nnope = 1\n")
    bad = LambdaSettings.from_env({**ENV, "SPOTIFY_ETL_CONFIG": "s3://conf-b/bad.toml"})
    with pytest.raises(ConfigError, match=r"s3://conf-b/bad.toml: unknown key 'sources.nope'"):
        bad.pipeline_config()
    (tmp_path / "bundled.toml").write_text('[sources]\ntracks = ["x"]\n')
    bundled = LambdaSettings.from_env({**ENV, "SPOTIFY_ETL_CONFIG": str(tmp_path / "bundled.toml")})
    assert bundled.pipeline_config().sources.tracks == ["x"]


def test_credentials_from_secrets_manager_are_redacted(
    moto_env: str, caplog: pytest.LogCaptureFixture
) -> None:
    sm = boto3.client("secretsmanager")
    doc = {
        "client_id": "cid-123456",
        "client_secret": "csecret-abcdef",
        "note": "rt-9876543",
    }
    sm.create_secret(Name="spotify-etl/spotify", SecretString=json.dumps(doc))
    secrets = spotify_app_secrets("spotify-etl/spotify")
    assert secrets.spotify_client_id == "cid-123456"
    assert secrets.spotify_client_secret is not None
    assert secrets.spotify_client_secret.get_secret_value() == "csecret-abcdef"
    assert "csecret" not in repr(secrets)
    logger = logging.getLogger("test.redaction")
    logger.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO, logger="test.redaction"):
        logger.info("oops %s and %s", "csecret-abcdef", "rt-9876543")
    assert "csecret-abcdef" not in caplog.text and "rt-9876543" not in caplog.text


def test_missing_or_malformed_secret_is_an_auth_error_without_content(moto_env: str) -> None:
    sm = boto3.client("secretsmanager")
    with pytest.raises(AuthError, match="'absent' not found"):
        spotify_app_secrets("absent")
    sm.create_secret(Name="plain", SecretString="hunter2-not-json")
    with pytest.raises(AuthError, match="not a JSON object") as info:
        spotify_app_secrets("plain")
    assert "hunter2" not in str(info.value)
    sm.create_secret(Name="partial", SecretString=json.dumps({"client_id": "abc"}))
    with pytest.raises(AuthError, match="no 'client_secret'"):
        spotify_app_secrets("partial")
