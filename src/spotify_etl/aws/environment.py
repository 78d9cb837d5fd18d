"""Everything the Lambda functions take from their environment, read in this one place.

    SPOTIFY_ETL_RAW_URL           s3://<raw bucket>[/prefix]           (required)
    SPOTIFY_ETL_TRANSFORMED_URL   s3://<transformed bucket>[/prefix]   (required)
    SPOTIFY_ETL_CONFIG            s3://bucket/key.toml or a path in the package (extract: required)
    SPOTIFY_ETL_APP_SECRET_ID     Secrets Manager secret {"client_id", "client_secret"} of the
                                  Spotify app (extract: required; read only)
    SPOTIFY_ETL_TOKEN_SECRET_ID   Secrets Manager secret holding the user's refresh token, as
                                  `spotify-etl auth login` writes it; the token store writes
                                  each rotated token back (extract: required)
    SPOTIFY_ETL_SHARDS            shards per scheduled run (default 1: no fan-out)
    SPOTIFY_ETL_SHARD_QUEUE_URL   SQS queue the extract function sends shards to and consumes
    SPOTIFY_ETL_METRICS_NAMESPACE CloudWatch namespace (default SpotifyEtl)

Bucket URLs and the token secret in the environment win over the TOML, so one config file
serves a laptop and the stack. Two secrets, not one: the token store replaces its secret's
whole value on every rotation, which must never touch the app credentials. Secret values are
registered for redaction as soon as they are read.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from spotify_etl.aws.metrics import NAMESPACE
from spotify_etl.config import PipelineConfig, Secrets, StorageSettings, load_config, parse_config
from spotify_etl.errors import AuthError, ConfigError, InputError
from spotify_etl.logs import register_secret
from spotify_etl.storage import ObjectStore, open_store, s3_location

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient


def _require(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(f"environment variable {name} is not set", hint="see infra/template.yaml")
    return value


def _s3_url(env: Mapping[str, str], name: str) -> str:
    value = _require(env, name)
    if not value.startswith("s3://") or len(value) <= len("s3://"):
        raise ConfigError(f"{name} must be an s3://bucket[/prefix] URL, got {value!r}")
    return value


@dataclass(frozen=True)
class LambdaSettings:
    raw_url: str
    transformed_url: str
    config_location: str | None = None
    app_secret_id: str | None = None
    token_secret_id: str | None = None
    shards: int = 1
    shard_queue_url: str | None = None
    namespace: str = NAMESPACE

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> LambdaSettings:
        env = os.environ if env is None else env
        shards_text = env.get("SPOTIFY_ETL_SHARDS", "1").strip() or "1"
        if not shards_text.isdigit() or not 1 <= int(shards_text) <= 100:
            raise ConfigError(f"SPOTIFY_ETL_SHARDS must be 1..100, got {shards_text!r}")
        settings = cls(
            raw_url=_s3_url(env, "SPOTIFY_ETL_RAW_URL"),
            transformed_url=_s3_url(env, "SPOTIFY_ETL_TRANSFORMED_URL"),
            config_location=env.get("SPOTIFY_ETL_CONFIG", "").strip() or None,
            app_secret_id=env.get("SPOTIFY_ETL_APP_SECRET_ID", "").strip() or None,
            token_secret_id=env.get("SPOTIFY_ETL_TOKEN_SECRET_ID", "").strip() or None,
            shards=int(shards_text),
            shard_queue_url=env.get("SPOTIFY_ETL_SHARD_QUEUE_URL", "").strip() or None,
            namespace=env.get("SPOTIFY_ETL_METRICS_NAMESPACE", "").strip() or NAMESPACE,
        )
        if settings.shards > 1 and not settings.shard_queue_url:
            raise ConfigError("SPOTIFY_ETL_SHARDS > 1 needs SPOTIFY_ETL_SHARD_QUEUE_URL")
        return settings

    def raw_store(self) -> ObjectStore:
        return open_store(self.raw_url)  # on S3: from_env admits only s3:// URLs

    def transformed_store(self) -> ObjectStore:
        return open_store(self.transformed_url)

    def marker_store(self) -> ObjectStore:
        """The transformed bucket's root, where the transform ledger keeps its markers."""
        bucket, _prefix = s3_location(self.transformed_url)
        return open_store(f"s3://{bucket}")

    def pipeline_config(self) -> PipelineConfig:
        """The TOML config (from S3 or the package), with the stack's buckets and secret."""
        location = self.config_location
        if location is None:
            config = PipelineConfig(base_dir=Path("/tmp"))  # noqa: S108 (Lambda's only writable dir)
        elif location.startswith("s3://"):
            bucket, _, key = location.removeprefix("s3://").partition("/")
            if not bucket or not key:
                raise ConfigError(f"SPOTIFY_ETL_CONFIG must be s3://bucket/key, got {location!r}")
            try:
                text = open_store(f"s3://{bucket}").get(key).decode("utf-8", errors="replace")
            except InputError:
                raise ConfigError(
                    f"config file not found: {location}",
                    hint="upload the pipeline TOML there (stack output ConfigLocation)",
                ) from None
            config = parse_config(text, source=location, base_dir=Path("/tmp"))  # noqa: S108
        else:
            path = Path(location)
            if not path.is_absolute():
                path = Path(os.environ.get("LAMBDA_TASK_ROOT", ".")) / path
            config = load_config(path)
        storage = StorageSettings(raw=self.raw_url, transformed=self.transformed_url)
        spotify = config.spotify
        if self.token_secret_id:
            spotify = spotify.model_copy(update={"token_secret_id": self.token_secret_id})
        return config.model_copy(update={"storage": storage, "spotify": spotify})


def read_secret_json(secret_id: str, client: SecretsManagerClient | None = None) -> dict[str, Any]:
    """The secret's JSON object; errors name the secret, never its content."""
    if client is None:
        import boto3

        client = boto3.client("secretsmanager")
    try:
        reply = client.get_secret_value(SecretId=secret_id)
    except client.exceptions.ResourceNotFoundException:
        raise AuthError(
            f"secret {secret_id!r} not found in Secrets Manager",
            hint="create it from the stack output SecretArn (see the AWS section of the README)",
        ) from None
    text = reply.get("SecretString")
    try:
        doc = json.loads(text) if text else None
    except json.JSONDecodeError:
        doc = None
    if not isinstance(doc, dict):
        raise AuthError(f"secret {secret_id!r} is not a JSON object")
    for value in doc.values():
        if isinstance(value, str):
            register_secret(value)
    return doc


def spotify_app_secrets(secret_id: str, client: SecretsManagerClient | None = None) -> Secrets:
    """The Spotify app's client id and secret, as the extract stage takes them."""
    doc = read_secret_json(secret_id, client)
    client_id, client_secret = doc.get("client_id"), doc.get("client_secret")
    if not isinstance(client_id, str) or not client_id:
        raise AuthError(f"secret {secret_id!r} has no 'client_id'")
    if not isinstance(client_secret, str) or not client_secret:
        raise AuthError(f"secret {secret_id!r} has no 'client_secret'")
    return Secrets(spotify_client_id=client_id, spotify_client_secret=SecretStr(client_secret))
