"""The ObjectStore protocol: everything a caller may ask of a store, whichever it is.

Callers outside this package hold an `ObjectStore` and never name a concrete store or reach
into its client or folder: what differs between a local folder and S3 is answered here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import IO, NamedTuple, Protocol


class ObjectInfo(NamedTuple):  # a tuple: a listing makes tens of thousands of them
    key: str
    size: int
    etag: str  # '' where a listing has none (a local folder: hashing would read every file)
    # A local file's modification time, from the same stat as its size (None on S3, whose
    # listing dates objects by upload, not by the file a user copied in).
    mtime_ns: int | None = None


class ObjectStore(Protocol):
    """Keys are '/'-separated relative paths; `url` names the store's location."""

    url: str

    def get(self, key: str) -> bytes:
        """The object's bytes; InputError when it does not exist."""
        ...

    def open(self, key: str) -> IO[bytes]:
        """A binary stream of the object; InputError when it does not exist."""
        ...

    def head(self, key: str) -> ObjectInfo | None:
        """Size and ETag (content MD5 for single-part writes), or None when absent."""
        ...

    def modified(self, key: str) -> datetime:
        """When the object was last written (timezone-aware, UTC); InputError when absent."""
        ...

    def put(
        self, key: str, data: bytes, *, if_match: str | None = None, if_none_match: bool = False
    ) -> str:
        """Write atomically; returns the new ETag. With `if_match` (the ETag read before) or
        `if_none_match` (the object must not exist) a lost race raises PreconditionFailed."""
        ...

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        """Objects whose key starts with `prefix`, in lexicographic key order."""
        ...

    def list_existing(self, zone: str) -> Iterator[ObjectInfo]:
        """Every object of a store that must already exist: a missing folder or bucket is a
        ConfigError ('<zone> folder|bucket not found: <url>'); on S3 refused credentials are
        an AuthError and any other failure to list a RetryableError."""
        ...

    def delete(self, key: str) -> None:
        """Remove the object; absent is fine."""
        ...

    def uri(self, key: str) -> str:
        """Where the object is, for people and for tools: a file path or an s3:// URL."""
        ...

    def key_of(self, uri: str) -> str | None:
        """The inverse of `uri`: the key under which this store holds `uri` (a path or an
        s3:// URL), '' for the store's own root, None when `uri` lies outside the store."""
        ...

    def local_file(self, key: str) -> Path | None:
        """The object's own file when the store is a folder on this machine (nothing is
        copied), None where objects are not files (S3)."""
        ...

    def local_path(self, key: str) -> AbstractContextManager[Path]:
        """A local file with the object's bytes and file name, for tools that read paths:
        the file itself in a local store, else a temporary download removed on exit."""
        ...


def content_etag(data: bytes) -> str:
    """S3's ETag of a single-part upload: the content MD5."""
    return hashlib.md5(data, usedforsecurity=False).hexdigest()
