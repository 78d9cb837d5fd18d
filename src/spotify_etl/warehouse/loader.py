"""Load every pending transformed file, exactly once, into any warehouse adapter.

Snowpipe's rules: a loaded file offered again is skipped; a file changed under a loaded name
is refused (unless forced); a file that cannot be read is skipped whole and recorded with its
error (ON_ERROR = SKIP_FILE) while the others load. Transient read errors are not recorded,
so the file stays pending and the next run retries it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from spotify_etl.errors import InputError
from spotify_etl.model import TABLES
from spotify_etl.storage import ObjectStore
from spotify_etl.warehouse.base import FileLoad, LoadSummary, Warehouse
from spotify_etl.warehouse.files import checksum, classify, list_transformed

log = logging.getLogger(__name__)


def load_pending(
    transformed_store: ObjectStore,
    warehouse: Warehouse,
    *,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> LoadSummary:
    """Load what is new in `transformed_store`; see the module docstring for the rules.

    `force` reloads files that changed under a loaded name and retries files that failed
    before; unchanged loaded files are still skipped (loading them again would change nothing).
    """
    summary = LoadSummary()
    listing = list_transformed(transformed_store)
    summary.ignored.extend(listing.problems)
    if listing.files:
        present = {f.table.name for f in listing.files}
        summary.missing_tables = [t.name for t in TABLES if t.name not in present]
    history = warehouse.history()
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
    todo.sort(key=lambda item: (item.file.table.kind == "fact", item.file.dt, item.file.key))
    for done, item in enumerate(todo, start=1):
        try:
            rows = warehouse.load_file(transformed_store, item)
        except InputError as exc:
            log.info("skipped file %s", exc)
            summary.failed.append((item.file.key, _strip_key(str(exc), item.file.key)))
            warehouse.record_failure(item, str(exc))
        else:
            summary.loaded.append(item.file.key)
            summary.add_rows(item.file.table.name, rows)
        if progress is not None:
            progress(done, len(todo))
    return summary


def _strip_key(message: str, key: str) -> str:
    return message.removeprefix(f"{key}: ")
