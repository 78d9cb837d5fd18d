"""`run_transform`: find the raw inputs, transform them in batches, sum up.

One batch per raw part, named from its key, so the S3-triggered Lambda (one object per event)
and the CLI (everything, or one day) write identical files. Bare response files saved with
the time in their name (a seed-era backfill: thousands of `spotify_raw_<time>.json` pages,
each a separate fetch of the same shape) are batched by day in key order, up to BATCH_FILES
files and BATCH_BYTES each, named from their keys: the same files (and sizes) give the same
batches, bytes and names, whether they were listed or passed as keys. Any other bare file is
a batch of its own, named as before: within a batch the latest fetch of a key wins whole
(transform.collector), and an ad hoc folder of mixed objects should keep each object's
fuller row for the loader's per-column merge.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from spotify_etl.config import TransformSettings
from spotify_etl.errors import ConfigError
from spotify_etl.rawzone import SOURCE_KINDS, parse_part_key
from spotify_etl.storage import ObjectStore
from spotify_etl.transform.batch import Source
from spotify_etl.transform.dating import (
    OTHER_DAY_NAME,
    OTHER_DAY_PART,
    bare_file_date,
    not_input_reason,
)
from spotify_etl.transform.output import write_schema
from spotify_etl.transform.parallel import run_batches
from spotify_etl.transform.summary import TransformSummary, UnreadableFile

# A seed-era page (100 extended tracks) is ~200 KB of JSON. A batch holds its rows until it
# is written, so its memory follows its pages: 128 of them (~26 MB) add ~30 MB to a worker.
# Fewer, bigger batches repeat each album and artist row in fewer output files, and the load
# merges those rows again: against 32-page batches the load is 6% faster (bench_e2e, 2,367
# pages, paired runs), and the transform 7%. The byte bound keeps bigger pages in check; it
# counts stored bytes, so a gzipped page weighs its compressed size.
BATCH_FILES = 128
BATCH_BYTES = 32 * 2**20

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class TransformRun:
    """What one call transforms and who watches it: per call, so not in the TOML.

    `keys`: exact raw keys (the Lambda passes the event's); None discovers every input, only
    `dt=date` when `date` is given.
    """

    keys: Sequence[str] | None = None
    date: str | None = None
    progress: Callable[[int, int], None] | None = None


# A library call runs its batches in this process unless its settings say otherwise; the
# TOML's `workers` left out (None) means one process per CPU.
IN_PROCESS = TransformSettings(workers=1)


def run_transform(
    raw_store: ObjectStore,
    out_store: ObjectStore,
    settings: TransformSettings = IN_PROCESS,
    run: TransformRun | None = None,
) -> TransformSummary:
    """Transform raw parts (and bare Spotify response files) into the model's files.

    `settings` is the [transform] section (format, max_record_bytes, workers): the CLI, the
    pipeline and the Lambda all pass theirs. Per-file failures are in the summary, never
    raised; `summary.exit_code` is 1 when a file could not be read at all. More than one
    worker runs batches in processes (they re-open the stores from their URLs); the files
    are the same either way.
    """
    run = run or TransformRun()
    keys, date = run.keys, run.date
    if settings.format not in ("csv", "parquet"):
        raise ConfigError(f"unknown output format {settings.format!r}", hint="use csv or parquet")
    if date is not None and not _is_day(date):
        raise ConfigError(f"--date must be a YYYY-MM-DD day, got {date!r}")
    summary = TransformSummary()
    listed = {} if keys is not None else _discover(raw_store, out_store)
    candidates = list(keys) if keys is not None else list(listed)
    sources = []
    for key in candidates:
        source = source_for(raw_store, key, date)
        if source is not None and source.stamped:  # its size bounds a batch of such files
            source = replace(source, size=listed[key] if key in listed else _size(raw_store, key))
        if source is None:
            summary.skip_input(key, not_input_reason(key))
            if keys is not None:
                summary.ignored_keys.append(key)
            continue
        if date is None or source.dt == date or keys is not None:
            if not _is_day(source.dt):  # it would be every row's snapshot_date
                reason = f"dt={source.dt} in the key is not a calendar day"
                summary.unreadable.append(UnreadableFile(key, reason))
                continue
            sources.append(source)
        else:
            summary.skip_input(key, OTHER_DAY_PART if source.kind == "part" else OTHER_DAY_NAME)
    batches = run_batches(
        raw_store,
        out_store,
        batch_files(sources, BATCH_FILES, BATCH_BYTES),
        fmt=settings.format,
        limit=settings.max_record_bytes,
        workers=max(1, settings.workers or os.cpu_count() or 1),
        progress=run.progress,
    )
    for batch in batches:
        summary.add(batch)
    if summary.batches:
        write_schema(out_store)
    return summary


def batch_files(
    sources: Sequence[Source], max_files: int = BATCH_FILES, max_bytes: int = BATCH_BYTES
) -> list[Source]:
    """Parts and unstamped files as they are; stamped bare files of one day grouped in key
    order, at most `max_files` and `max_bytes` (`Source.size`) a group; a bigger file alone."""
    out = [s for s in sources if not s.stamped]
    by_day: dict[str, list[Source]] = {}
    for s in sources:
        if s.stamped:
            by_day.setdefault(s.dt, []).append(s)
    for dt in sorted(by_day):
        group: list[Source] = []
        size = 0
        for s in sorted(by_day[dt], key=lambda s: s.key):
            if group and (len(group) >= max_files or size + s.size > max_bytes):
                out.append(_batch_of(dt, group))
                group, size = [], 0
            group.append(s)
            size += s.size
        if group:
            out.append(_batch_of(dt, group))
    return out


def _batch_of(dt: str, group: list[Source]) -> Source:
    return group[0] if len(group) == 1 else _group(dt, tuple(group))


def _size(raw: ObjectStore, key: str) -> int:
    """The object's stored size; 0 when it cannot be had (its batch then reports why)."""
    try:
        local = raw.local_file(key)
        if local is not None:
            return local.stat().st_size  # LocalStore.head would read and hash the whole file
        info = raw.head(key)
    except Exception:  # an unreadable key is the batch's to report
        return 0
    return info.size if info is not None else 0


def _group(dt: str, members: tuple[Source, ...]) -> Source:
    digest = hashlib.sha1(
        "\n".join(m.key for m in members).encode(), usedforsecurity=False
    ).hexdigest()[:8]
    first = members[0].batch.removeprefix("file-")[:60]
    return Source(
        members[0].key, f"files-{first}-{len(members)}-{digest}", dt, "file", members=members
    )


def _is_day(text: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        return False
    return True


def _discover(raw: ObjectStore, out: ObjectStore) -> dict[str, int]:
    """Every candidate input key, in key order, with its size."""
    inside = _relative_prefix(raw, out)
    found = {}
    for info in raw.list(""):
        key = info.key
        if inside is not None and key.startswith(inside):
            continue  # the transformed zone kept beside the raw one
        parts = key.split("/")
        if parts[0] == "state" or any(p.startswith(("_", ".")) for p in parts):
            continue
        found[key] = info.size
    return dict(sorted(found.items()))


def _relative_prefix(raw: ObjectStore, out: ObjectStore) -> str | None:
    """The raw keys that are the transformed zone's, when it is kept inside the raw one."""
    inside = raw.key_of(out.uri(""))
    inside = inside.strip("/") if inside else None
    return f"{inside}/" if inside else None


def source_for(raw: ObjectStore, key: str, date: str | None) -> Source | None:
    """The batch a raw key makes, or None when the key is not transform input."""
    part = parse_part_key(key)
    if part is not None:
        if part["kind"] not in SOURCE_KINDS:
            return None
        batch = f"{part['run_id']}-{part['kind']}-part-{part['part']}"
        return Source(key, _SAFE.sub("_", batch), part["dt"], "part")
    name = key.rsplit("/", 1)[-1]
    if name.endswith(".json.gz"):
        stem, gzipped = name[: -len(".json.gz")], True
    elif name.endswith(".json"):
        stem, gzipped = name[: -len(".json")], False
    else:
        return None
    if key.split("/", 1)[0] in ("state",) or "/_" in f"/{key}":
        return None
    dated = bare_file_date(raw, key, date)
    if dated is None:
        return None
    fetched, dated_by = dated
    digest = hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:8]
    batch = f"file-{_SAFE.sub('_', stem)[:80]}-{digest}"
    return Source(
        key,
        batch,
        fetched[:10],
        "file",
        fetched_at=fetched,
        gzipped=gzipped,
        stamped=dated_by == "name",
        dated_by=dated_by,
    )
