"""A local folder as an ObjectStore.

ETags are content MD5s, like S3's for single-part uploads. Writes are atomic (a temporary
file renamed into place); conditional writes are a compare-and-swap under an exclusive file
lock beside the object.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from spotify_etl.errors import ConfigError, InputError, PreconditionFailed
from spotify_etl.storage.base import ObjectInfo, content_etag


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
        self._root = str(self.root)
        self._prefix = os.path.join(self._root, "")  # noqa: PTH118 (the root, then its separator)
        _require_folder(self.root)

    def _path(self, key: str) -> Path:
        # Lexical, not resolve(): a key is a relative name, and only `..` or an absolute key
        # can leave the root. resolve() cost a realpath per key (5 s for a 50,000-file
        # listing); a symlinked day folder inside the store now reads as the user meant.
        path = os.path.normpath(os.path.join(self._root, key))  # noqa: PTH118 (str: per key)
        if path != self._root and not path.startswith(self._prefix):
            raise ConfigError(f"object key escapes the store: {key!r}")
        return Path(path)

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

    def key_of(self, uri: str) -> str | None:
        if "://" in uri and not uri.startswith("file://"):
            return None
        path = Path(uri.removeprefix("file://")).expanduser().resolve()
        if path == self.root:
            return ""
        return path.relative_to(self.root).as_posix() if self.root in path.parents else None

    def local_file(self, key: str) -> Path | None:
        return self._path(key)

    @contextlib.contextmanager
    def local_path(self, key: str) -> Iterator[Path]:
        yield self._path(key)  # the object itself: nothing to copy or clean up

    def modified(self, key: str) -> datetime:
        try:
            mtime = self._path(key).stat().st_mtime
        except FileNotFoundError:
            raise InputError(f"object not found: {self.uri(key)}") from None
        return datetime.fromtimestamp(mtime, UTC)

    def head(self, key: str) -> ObjectInfo | None:
        path = self._path(key)
        if not path.is_file():
            return None
        return ObjectInfo(key, path.stat().st_size, content_etag(path.read_bytes()))

    def put(
        self, key: str, data: bytes, *, if_match: str | None = None, if_none_match: bool = False
    ) -> str:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        conditional = if_match is not None or if_none_match
        with self._lock(path) if conditional else contextlib.nullcontext():
            if conditional:
                current = content_etag(path.read_bytes()) if path.is_file() else None
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
        return content_etag(data)

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
        folders = [(str(start), str(start)[len(self._prefix) :].replace(os.sep, "/"))]
        if folders[0][1]:
            folders[0] = (folders[0][0], folders[0][1] + "/")
        while folders:  # scandir, not os.walk: one stat per file, no path objects
            path, folder = folders.pop()
            with os.scandir(path) as entries:
                for entry in entries:
                    key = folder + entry.name
                    if entry.is_dir(follow_symlinks=True):
                        folders.append((entry.path, key + "/"))
                    elif entry.name.startswith("."):
                        continue  # temp files and locks
                    elif key.startswith(prefix):
                        st = entry.stat()
                        # No ETag on listing: hashing every file would make listing O(bytes).
                        found.append(ObjectInfo(key, st.st_size, "", st.st_mtime_ns))
        # Lexicographic by key, as S3 lists.
        yield from sorted(found, key=lambda o: o.key)

    def list_existing(self, zone: str) -> Iterator[ObjectInfo]:
        if not self.root.is_dir():
            raise ConfigError(f"{zone} folder not found: {self.root}")
        yield from self.list("")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)
