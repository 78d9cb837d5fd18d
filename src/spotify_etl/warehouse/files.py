"""Finding transformed files and telling new, unchanged and changed ones apart.

Layout (docs/formats.md): `<table folder>/dt=YYYY-MM-DD/<batch>.csv.gz | .parquet`; folders
starting with `_` (quarantine, batch summaries) are not data. A file's identity is its key; its
version is (size, checksum). On a local folder the checksum is the content MD5 (what S3 reports
as the ETag of a single-part upload); it is only computed for files that are new or whose size
or mtime moved, so offering thirty loaded days again costs a listing, not a read.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, NamedTuple

from spotify_etl.model import FileFormat, Table, table_for_folder
from spotify_etl.storage import ObjectInfo, ObjectStore

_FOLDER = re.compile(r"^(?P<folder>[^/]+)/dt=(?P<dt>\d{4}-\d{2}-\d{2})$")
_SUFFIXES: dict[str, FileFormat] = {".csv.gz": "csv", ".parquet": "parquet"}


class TransformedFile(NamedTuple):  # a tuple: one per file of a listing, so cheap to make
    key: str
    table: Table
    dt: str
    format: FileFormat
    size: int
    etag: str  # from the listing (S3); '' on a local folder until checksum() is called
    mtime_ns: int | None = None


@dataclass(frozen=True)
class HistoryEntry:
    path: str
    table_name: str
    size: int
    checksum: str
    mtime_ns: int | None
    status: str  # loaded | failed
    rows_loaded: int
    error: str | None
    load_id: int
    loaded_at: object


@dataclass(frozen=True)
class Listing:
    files: list[TransformedFile]
    problems: list[tuple[str, str]]  # (key, why it is not loadable)
    # Files loaded before and listed with the same version (`list_transformed(known=)`):
    # counted by table, never parsed, since a re-offered backfill is mostly these.
    loaded: dict[str, int] = field(default_factory=dict)


def _format(name: str) -> FileFormat | None:
    for suffix, fmt in _SUFFIXES.items():
        if name.endswith(suffix):
            return fmt
    return None


@lru_cache(maxsize=4096)
def _day_folder(folder: str) -> tuple[Table, str] | str | None:
    """(table, dt) of a `<table>/dt=YYYY-MM-DD` folder; None if not that layout, or the
    reason its table is unknown. Once per folder: a backfill lists thousands of files each."""
    match = _FOLDER.match(folder)
    if match is None:
        return None
    table = table_for_folder(match["folder"])
    if table is None or match["folder"] != table.folder:
        return f"unknown table folder {match['folder']!r} (expected one of the model's tables)"
    return table, match["dt"]


def parse_key(info: ObjectInfo, store: ObjectStore) -> TransformedFile | str:
    """A TransformedFile, or the reason this key is not a transformed data file."""
    folder, _, name = info.key.rpartition("/")
    day = _day_folder(folder) if name else None
    if day is None:
        return f"not in the <table>/dt=YYYY-MM-DD/<file> layout: {info.key}"
    if isinstance(day, str):
        return day
    table, dt = day
    fmt = _format(name)
    if fmt is None:
        return f"not a .csv.gz or .parquet file: {info.key}"
    mtime = info.mtime_ns
    if mtime is None:
        path = store.local_file(info.key)
        mtime = path.stat().st_mtime_ns if path is not None else None
    return TransformedFile(info.key, table, dt, fmt, info.size, info.etag, mtime)


def list_transformed(
    store: ObjectStore, known: Mapping[str, HistoryEntry] | None = None
) -> Listing:
    """The transformed zone's data files; with `known` (the load history), files loaded
    before whose listing shows the same version are only counted (`Listing.loaded`)."""
    files: list[TransformedFile] = []
    problems: list[tuple[str, str]] = []
    loaded: dict[str, int] = {}
    for info in store.list_existing("transformed"):
        key = info.key
        if key.startswith("_") or "/_" in key:
            continue  # _quarantine/, _batches/ and the like
        seen = known.get(key) if known is not None else None
        if (
            seen is not None
            and seen.status == "loaded"
            and same_version(info.size, info.mtime_ns, info.etag, seen)
        ):
            loaded[seen.table_name] = loaded.get(seen.table_name, 0) + 1
            continue
        parsed = parse_key(info, store)
        if isinstance(parsed, str):
            problems.append((key, parsed))
        else:
            files.append(parsed)
    return Listing(files, problems, loaded)


def same_version(size: int, mtime_ns: int | None, etag: str, seen: HistoryEntry) -> bool:
    """The listed size and mtime (or ETag) are those of the loaded file: unchanged, unread."""
    return seen.size == size and (
        (mtime_ns is not None and seen.mtime_ns == mtime_ns) or bool(etag and etag == seen.checksum)
    )


def checksum(store: ObjectStore, f: TransformedFile) -> str:
    if f.etag:
        return f.etag
    digest = hashlib.md5(usedforsecurity=False)
    with store.open(f.key) as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


Verdict = Literal["new", "unchanged", "changed", "retry"]


def classify(
    store: ObjectStore, f: TransformedFile, seen: HistoryEntry | None
) -> tuple[Verdict, str | None]:
    """Compare a file with its load history; returns the verdict and the checksum if computed.

    A file that failed before is retried only once it changed (a fixed rerun of transform);
    the same broken bytes would only fail again.
    """
    if seen is None:
        return "new", None
    if same_version(f.size, f.mtime_ns, f.etag, seen):
        return "unchanged", seen.checksum
    if seen.size != f.size:
        return ("retry" if seen.status == "failed" else "changed"), None
    digest = checksum(store, f)
    if digest == seen.checksum:
        return "unchanged", digest
    return ("retry" if seen.status == "failed" else "changed"), digest


def pending(
    store: ObjectStore, files: list[TransformedFile], history: Mapping[str, HistoryEntry]
) -> Iterator[tuple[TransformedFile, Verdict, str | None]]:
    for f in files:
        verdict, digest = classify(store, f, history.get(f.key))
        if verdict != "unchanged":
            yield f, verdict, digest
