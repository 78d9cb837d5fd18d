"""Load every pending transformed file, exactly once, into any warehouse adapter.

Snowpipe's rules, per file: a loaded file offered again is skipped; a file changed under a
loaded name is refused (unless forced); a file that cannot be read is skipped whole and
recorded with its error (ON_ERROR = SKIP_FILE) while the others load. Transient read errors
are not recorded, so the file stays pending and the next run retries it.

Cost follows rows, not files: pending files are loaded in chunks (many files of one table in
one landing statement, one MERGE, one transaction; warehouse.landing), bounded by a number of
files and of bytes so memory stays flat and a crash costs at most one chunk. Dimensions load
before facts, and each table's files in day order.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from spotify_etl.config import WarehouseSettings
from spotify_etl.model import TABLES
from spotify_etl.storage import ObjectStore
from spotify_etl.warehouse.base import FileLoad, LoadSummary, Warehouse
from spotify_etl.warehouse.files import checksum, classify, list_transformed
from spotify_etl.warehouse.landing import iter_chunks

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadRun:
    """One call's choices, not the TOML's: `force` reloads files that changed under a loaded
    name and retries files that failed before; unchanged loaded files are still skipped
    (loading them again would change nothing)."""

    force: bool = False
    progress: Callable[[int, int], None] | None = None


def load_pending(
    transformed_store: ObjectStore,
    warehouse: Warehouse,
    settings: WarehouseSettings | None = None,
    run: LoadRun | None = None,
) -> LoadSummary:
    """Load what is new in `transformed_store`; see the module docstring for the rules.

    `settings` is the [warehouse] section: its chunk_files and chunk_mib bound one chunk. A
    chunk is one transaction (a crash costs at most one) and the landing statement's memory
    follows its bytes (DuckDB also spills past its memory_limit); 1,000 files of a daily
    run's size are a few MB.
    """
    settings = settings or WarehouseSettings()
    run = run or LoadRun()
    force = run.force
    summary = LoadSummary()
    history = warehouse.history()
    listing = list_transformed(transformed_store, known=history)
    summary.ignored.extend(listing.problems)
    summary.skipped += sum(listing.loaded.values())
    if listing.files or listing.loaded:
        present = {f.table.name for f in listing.files} | set(listing.loaded)
        summary.missing_tables = [t.name for t in TABLES if t.name not in present]
    todo: list[FileLoad] = []
    for f in listing.files:
        seen = history.get(f.key)
        verdict, digest = classify(transformed_store, f, seen)
        if verdict == "unchanged":
            if seen is not None and f.mtime_ns is not None and seen.mtime_ns != f.mtime_ns:
                warehouse.note_unchanged(f.key, f.mtime_ns)
            if seen is not None and seen.status == "failed" and not force:
                summary.previously_failed.append(f.key)
            elif seen is not None and seen.status == "failed":
                todo.append(FileLoad(f, digest or checksum(transformed_store, f), True))
            else:
                summary.skipped += 1
            continue
        if verdict == "changed" and not force:
            summary.refused.append(
                (
                    f.key,
                    f"changed since it was loaded (size {seen.size if seen else '?'} -> "
                    f"{f.size}); files are loaded once: write new data under a new name, "
                    "or use --force to reload it",
                )
            )
            continue
        todo.append(FileLoad(f, digest or checksum(transformed_store, f), verdict == "changed"))
    # Dimensions before facts, and within a table in key order (the day order).
    order = {t.name: n for n, t in enumerate(TABLES)}
    todo.sort(
        key=lambda item: (
            _KIND_ORDER[item.file.table.kind],
            order.get(item.file.table.name, len(order)),
            item.file.table.name,
            item.file.dt,
            item.file.key,
        )
    )
    max_bytes = max(1, int(settings.chunk_mib * 2**20))
    done = 0
    for chunk in iter_chunks(todo, max(1, settings.chunk_files), max_bytes):
        result = warehouse.load_chunk(transformed_store, chunk)
        summary.failed.extend(result.failed)
        for item in chunk:
            if item.file.key in result.loaded:
                summary.loaded.append(item.file.key)
                summary.add_rows(item.file.table.name, result.loaded[item.file.key])
        done += len(chunk)
        if run.progress is not None:
            run.progress(done, len(todo))
    return summary


# Dimensions first (facts reference them), then links, then facts.
_KIND_ORDER = {"dimension": 0, "link": 1, "fact": 2}
