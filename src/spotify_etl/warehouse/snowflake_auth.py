"""Where a Snowflake warehouse is and how to log in: URL parsing and credentials.

`snowflake://account/database/schema?warehouse=WH&role=ROLE&stage=STAGE`; credentials only
from Secrets (SNOWFLAKE_USER with SNOWFLAKE_PASSWORD or SNOWFLAKE_PRIVATE_KEY_PATH and
SNOWFLAKE_PRIVATE_KEY_PASSPHRASE), registered for redaction and never part of a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from spotify_etl.config import Secrets
from spotify_etl.errors import AuthError, ConfigError
from spotify_etl.logs import register_secret


@dataclass(frozen=True)
class SnowflakeTarget:
    account: str
    database: str
    schema: str
    warehouse: str | None
    role: str | None
    stage: str  # external stage on the transformed bucket (S3 sources)

    @property
    def url(self) -> str:
        return f"snowflake://{self.account}/{self.database}/{self.schema}"


def parse_url(url: str, secrets: Secrets) -> SnowflakeTarget:
    """`snowflake://account/database/schema?warehouse=WH&role=R&stage=S` (account may come
    from SNOWFLAKE_ACCOUNT when the URL leaves it out: `snowflake:///database/schema`)."""
    parsed = urlparse(url)
    if "@" in parsed.netloc:
        raise ConfigError(
            "credentials do not belong in the warehouse URL",
            hint="set SNOWFLAKE_USER and SNOWFLAKE_PASSWORD (or SNOWFLAKE_PRIVATE_KEY_PATH)",
        )
    parts = [p for p in parsed.path.split("/") if p]
    account = parsed.netloc or secrets.snowflake_account or ""
    if not account or len(parts) != 2:
        raise ConfigError(
            f"incomplete Snowflake URL {url!r}",
            hint="use snowflake://account/database/schema[?warehouse=WH&role=ROLE]",
        )
    query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
    return SnowflakeTarget(
        account=account,
        database=parts[0].upper(),
        schema=parts[1].upper(),
        warehouse=query.get("warehouse") or secrets.snowflake_warehouse,
        role=query.get("role") or secrets.snowflake_role,
        stage=query.get("stage", "TRANSFORMED_STAGE").upper(),
    )


def auth_options(secrets: Secrets) -> dict[str, Any]:
    if not secrets.snowflake_user:
        raise AuthError(
            "SNOWFLAKE_USER is not set", hint="set it, with SNOWFLAKE_PASSWORD or a key"
        )
    if secrets.snowflake_private_key_path:
        from cryptography.hazmat.primitives import serialization

        passphrase = secrets.snowflake_private_key_passphrase
        register_secret(passphrase.get_secret_value() if passphrase else None)
        try:
            key = serialization.load_pem_private_key(
                Path(secrets.snowflake_private_key_path).expanduser().read_bytes(),
                password=passphrase.get_secret_value().encode() if passphrase else None,
            )
        except (OSError, ValueError, TypeError):
            raise AuthError(
                "cannot read the Snowflake private key at SNOWFLAKE_PRIVATE_KEY_PATH "
                "(missing file, not PEM, or wrong passphrase)"
            ) from None
        der = key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return {"user": secrets.snowflake_user, "private_key": der}
    if secrets.snowflake_password is None:
        raise AuthError(
            "no Snowflake credentials: set SNOWFLAKE_PASSWORD or SNOWFLAKE_PRIVATE_KEY_PATH"
        )
    password = secrets.snowflake_password.get_secret_value()
    register_secret(password)
    return {"user": secrets.snowflake_user, "password": password}
