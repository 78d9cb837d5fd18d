"""Object store: a local folder or S3, behind one interface.

Keys are '/'-separated relative paths. Writes are atomic (readers see the old object or the
new one, never half of one). `put(..., if_match=..., if_none_match=True)` is a conditional
write used for shared state and locks: on S3 it maps to the native conditional PUT, locally to
a compare-and-swap under an exclusive file lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol
from urllib.parse import urlparse

from spotify_etl.errors import ConfigError, InputError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class PreconditionFailed(Exception):
    """A conditional write lost: the object changed (or exists) since it was read."""


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    etag: str


class ObjectStore(Protocol):
    url: str

    def get(self, key: str) -> bytes: ...
    def open(self, key: str) -> IO[bytes]: ...
    def head(self, key: str) -> ObjectInfo | None: ...
    def put(
        self, key: str, data: bytes, *, if_match: str | None = None, if_none_match: bool = False
    ) -> str: ...
    def list(self, prefix: str = "") -> Iterator[ObjectInfo]: ...
    def delete(self, key: str) -> None: ...
    def uri(self, key: str) -> str: ...


def _etag(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _require_folder(root: Path) -> None:
    """A store root that is (or lies under) a regular file cannot hold objects: say so now,
    in one line, rather than with a NotADirectoryError at the first write."""
    for path in (root, *root.parents):
        if path.exists():
            if not path.is_dir():
                where = "is a file" if path == root else f"is under the file {path}"
                raise ConfigError(
                    f"storage folder {root} {where}",
                    hint="point it at a folder (created if missing)",
                )
            return


class LocalStore:
    """A folder. ETags are content MD5s, like S3's for single-part uploads."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).expanduser().resolve()
        self.url = str(self.root)
        _require_folder(self.root)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if path != self.root and self.root not in path.parents:
            raise ConfigError(f"object key escapes the store: {key!r}")
        return path

    def uri(self, key: str) -> str:
        return str(self._path(key))

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise InputError(f"object not found: {self.uri(key)}") from None

    def open(self, key: str) -> IO[bytes]:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError:
            raise InputError(f"object not found: {self.uri(key)}") from None

    def head(self, key: str) -> ObjectInfo | None:
        path = self._path(key)
        if not path.is_file():
            return None
        return ObjectInfo(key, path.stat().st_size, _etag(path.read_bytes()))

    def put(
        self, key: str, data: bytes, *, if_match: str | None = None, if_none_match: bool = False
    ) -> str:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        conditional = if_match is not None or if_none_match
        with self._lock(path) if conditional else contextlib.nullcontext():
            if conditional:
                current = _etag(path.read_bytes()) if path.is_file() else None
                if if_none_match and current is not None:
                    raise PreconditionFailed(key)
                if if_match is not None and current != if_match:
                    raise PreconditionFailed(key)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                Path(tmp).replace(path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return _etag(data)

    @contextlib.contextmanager
    def _lock(self, path: Path) -> Iterator[None]:
        lock_path = path.with_name(f".{path.name}.lock")
        with lock_path.open("a") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        # Walk the deepest existing folder the prefix names (a prefix may end mid-name).
        start = self._path(prefix) if prefix else self.root
        if not (prefix.endswith("/") or not prefix) or not start.is_dir():
            start = start.parent if prefix else start
        if not start.is_dir() or (start != self.root and self.root not in start.parents):
            return
        found: list[ObjectInfo] = []
        for dirpath, _dirnames, filenames in os.walk(start):
            for name in filenames:
                if name.startswith("."):
                    continue  # temp files and locks
                full = Path(dirpath) / name
                key = full.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    # No ETag on listing: hashing every file would make listing O(bytes).
                    found.append(ObjectInfo(key, full.stat().st_size, ""))
        # Lexicographic by key, as S3 lists.
        yield from sorted(found, key=lambda o: o.key)

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


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
            import boto3

            self._client = boto3.client(
                "s3", endpoint_url=os.environ.get("SPOTIFY_ETL_S3_ENDPOINT_URL") or None
            )
        return self._client

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def uri(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._key(key)}"

    def get(self, key: str) -> bytes:
        with self.open(key) as fh:
            return fh.read()

    def open(self, key: str) -> IO[bytes]:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
        except self.client.exceptions.NoSuchKey:
            raise InputError(f"object not found: {self.uri(key)}") from None
        return body  # type: ignore[return-value]

    def head(self, key: str) -> ObjectInfo | None:
        from botocore.exceptions import ClientError

        try:
            reply = self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return ObjectInfo(key, reply["ContentLength"], reply["ETag"].strip('"'))

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
            code = exc.response.get("Error", {}).get("Code")
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

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))


def open_store(url: str) -> ObjectStore:
    """`s3://bucket/prefix` or a folder path (created on first write)."""
    if url.startswith("s3://"):
        parsed = urlparse(url)
        if not parsed.netloc:
            raise ConfigError(f"S3 URL without a bucket: {url!r}", hint="use s3://bucket/prefix")
        return S3Store(parsed.netloc, parsed.path.lstrip("/"))
    if "://" in url and not url.startswith("file://"):
        raise ConfigError(
            f"unsupported storage URL: {url!r}", hint="use a folder path or s3://bucket/prefix"
        )
    return LocalStore(url.removeprefix("file://"))
