"""Object store: a local folder or S3, behind one interface (`ObjectStore`, in base).

Keys are '/'-separated relative paths. Writes are atomic (readers see the old object or the
new one, never half of one). `put(..., if_match=..., if_none_match=True)` is a conditional
write used for shared state and locks: on S3 it maps to the native conditional PUT, locally to
a compare-and-swap under an exclusive file lock.

`open_store(url)` is the one place that chooses a concrete store: code outside this package
holds an `ObjectStore` and asks it (`modified`, `local_path`, `key_of`, ...) rather than
testing which store it is (tests/storage/test_boundary.py checks that).
"""

from __future__ import annotations

from urllib.parse import urlparse

from spotify_etl.errors import ConfigError
from spotify_etl.storage.base import ObjectInfo as ObjectInfo
from spotify_etl.storage.base import ObjectStore
from spotify_etl.storage.local import LocalStore as LocalStore
from spotify_etl.storage.s3 import S3Store as S3Store
from spotify_etl.storage.s3 import s3_client as s3_client

__all__ = [
    "LocalStore",
    "ObjectInfo",
    "ObjectStore",
    "S3Store",
    "open_store",
    "s3_client",
    "s3_location",
]


def s3_location(url: str) -> tuple[str, str]:
    """The bucket and prefix (without slashes at its ends) of an s3://bucket/prefix URL."""
    parsed = urlparse(url)
    if parsed.scheme != "s3":
        raise ConfigError(f"not an S3 URL: {url!r}", hint="use s3://bucket/prefix")
    if not parsed.netloc:
        raise ConfigError(f"S3 URL without a bucket: {url!r}", hint="use s3://bucket/prefix")
    return parsed.netloc, parsed.path.strip("/")


def open_store(url: str) -> ObjectStore:
    """`s3://bucket/prefix` or a folder path (created on first write)."""
    if url.startswith("s3://"):
        return S3Store(*s3_location(url))
    if "://" in url and not url.startswith("file://"):
        raise ConfigError(
            f"unsupported storage URL: {url!r}", hint="use a folder path or s3://bucket/prefix"
        )
    return LocalStore(url.removeprefix("file://"))
