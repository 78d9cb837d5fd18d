"""An S3 bucket and prefix as an ObjectStore.

Conditional writes map to S3's native conditional PUT (If-Match / If-None-Match). The boto3
client is built lazily, never at import time, from `s3_client()`: the one place that reads
SPOTIFY_ETL_S3_ENDPOINT_URL (moto or MinIO in tests and local stacks).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from spotify_etl.errors import (
    AuthError,
    ConfigError,
    InputError,
    PreconditionFailed,
    RetryableError,
)
from spotify_etl.storage.base import ObjectInfo

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_MISSING = ("404", "NoSuchKey", "NotFound")
_AUTH_CODES = {
    "AccessDenied",
    "AllAccessDisabled",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
}
_AUTH_HINT = "check the AWS credentials and their s3:ListBucket permission"


def s3_client() -> S3Client:
    """A boto3 S3 client for this process (endpoint overridable for local stacks)."""
    import boto3

    return boto3.client("s3", endpoint_url=os.environ.get("SPOTIFY_ETL_S3_ENDPOINT_URL") or None)


def _code(exc: Any) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class S3Store:
    """An S3 bucket and prefix. The client is built lazily, never at import time."""

    def __init__(self, bucket: str, prefix: str = "", client: S3Client | None = None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.url = f"s3://{bucket}/{self.prefix}".rstrip("/")
        self._client = client

    @property
    def client(self) -> S3Client:
        if self._client is None:
            self._client = s3_client()
        return self._client

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._key(key)}"

    def key_of(self, uri: str) -> str | None:
        bucket, _, full = uri.removeprefix("s3://").partition("/")
        if not uri.startswith("s3://") or bucket != self.bucket:
            return None
        if not self.prefix:
            return full
        return full[len(self.prefix) + 1 :] if full.startswith(f"{self.prefix}/") else None

    def local_file(self, key: str) -> Path | None:
        return None

    @contextlib.contextmanager
    def local_path(self, key: str) -> Iterator[Path]:
        # A folder per download keeps the object's file name (and so its suffixes, which
        # readers such as DuckDB go by) without two keys of one name colliding.
        with tempfile.TemporaryDirectory(prefix="spotify-etl-object-") as tmp:
            path = Path(tmp) / (key.rsplit("/", 1)[-1] or "object")
            with self.open(key) as src, path.open("wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            yield path

    def get(self, key: str) -> bytes:
        with self.open(key) as fh:
            return fh.read()

    def open(self, key: str) -> IO[bytes]:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        except self.client.exceptions.NoSuchKey:
            raise InputError(f"object not found: {self.uri(key)}") from None
        return body  # type: ignore[return-value]

    def _head(self, key: str) -> Any:
        from botocore.exceptions import ClientError

        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if _code(exc) in _MISSING:
                return None
            raise

    def head(self, key: str) -> ObjectInfo | None:
        reply = self._head(key)
        if reply is None:
            return None
        return ObjectInfo(key, reply["ContentLength"], reply["ETag"].strip('"'))

    def modified(self, key: str) -> datetime:
        reply = self._head(key)
        if reply is None:
            raise InputError(f"object not found: {self.uri(key)}")
        stamp: datetime = reply["LastModified"]
        return stamp.astimezone(UTC)

    def put(
        self, key: str, data: bytes, *, if_match: str | None = None, if_none_match: bool = False
    ) -> str:
        from botocore.exceptions import ClientError

        extra: dict[str, str] = {}
        if if_match is not None:
            extra["IfMatch"] = f'"{if_match}"'
        if if_none_match:
            extra["IfNoneMatch"] = "*"
        try:
            reply = self.client.put_object(
                Bucket=self.bucket,
                Key=self._key(key),
                Body=data,
                **extra,  # type: ignore[arg-type]
            )
        except ClientError as exc:
            code = _code(exc)
            if code in ("PreconditionFailed", "ConditionalRequestConflict", "412"):
                raise PreconditionFailed(key) from None
            # If-Match on a missing object is a 404 on S3; for the caller it is a lost race.
            if if_match is not None and code in ("NoSuchKey", "404"):
                raise PreconditionFailed(key) from None
            raise
        return reply["ETag"].strip('"')

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        paginator = self.client.get_paginator("list_objects_v2")
        full = self._key(prefix)
        strip = len(self.prefix) + 1 if self.prefix else 0
        for page in paginator.paginate(Bucket=self.bucket, Prefix=full):
            for obj in page.get("Contents", []):
                yield ObjectInfo(obj["Key"][strip:], obj["Size"], obj["ETag"].strip('"'))

    def list_existing(self, zone: str) -> Iterator[ObjectInfo]:
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        try:
            yield from self.list("")
        except ClientError as exc:
            code = _code(exc)
            if code == "NoSuchBucket":
                raise ConfigError(f"{zone} bucket not found: {self.url}") from None
            if code in _AUTH_CODES:
                raise AuthError(f"cannot list {self.url}: {code}", hint=_AUTH_HINT) from None
            raise RetryableError(f"cannot list {self.url}: {code or exc}") from None
        except NoCredentialsError:
            raise AuthError(
                f"cannot list {self.url}: no AWS credentials", hint=_AUTH_HINT
            ) from None
        except BotoCoreError as exc:  # endpoint unreachable, timeouts
            raise RetryableError(f"cannot list {self.url}: {exc}") from None

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
