"""`spotify-etl import history`: a privacy export -> PLAY files -> the warehouse.

Streamed: each file is read piece by piece (history.reader) and written in batches of
BATCH_ROWS plays, so memory does not grow with the export. Each batch is an ordinary
transformed file (`play/dt=<day>/history-<digest>.csv.gz`, with its quarantine and summary,
written by the transform's own writer) and is loaded by the same loader as everything else.
The batch name is a digest of the bytes it was made from, so importing the same export again
writes the same names and bytes, which the load history skips; a newer export of the same
plays writes other names, whose rows the keyed MERGE folds into the existing ones.
Track ids the extraction has never fetched are queued for the next run (songs, albums and
artists then fill in within its budget).
"""

from __future__ import annotations

import hashlib
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spotify_etl.errors import EXIT_FAILED, EXIT_OK
from spotify_etl.extract.state import Delta, StateStore, iso
from spotify_etl.history.batches import write_play_batch
from spotify_etl.history.plays import AMBIGUOUS, Mapper, NameIndex
from spotify_etl.history.reader import NotAnArray, read_pieces
from spotify_etl.history.sources import ExportFile, find_exports
from spotify_etl.storage import ObjectStore, open_store
from spotify_etl.transform.output import write_schema
from spotify_etl.warehouse.fold import short_row

if TYPE_CHECKING:
    from spotify_etl.config import PipelineConfig, Secrets
    from spotify_etl.warehouse import LoadSummary, Warehouse

BATCH_ROWS = 20_000

NAMES_SQL = (
    "SELECT s.song_id, s.song_name, a.artist_name FROM SONGS s "
    "JOIN SONG_ARTIST sa ON sa.song_id = s.song_id JOIN ARTIST a ON a.artist_id = sa.artist_id "
    "UNION SELECT song_id, track_name, artist_name FROM PLAY "
    "WHERE track_name IS NOT NULL AND artist_name IS NOT NULL"
)


@dataclass
class ImportSummary:
    files: list[str] = field(default_factory=list)
    elements: int = 0  # records read, good and bad
    rows: int = 0  # PLAY rows written (distinct keys per batch)
    duplicates: int = 0
    quarantined: Counter[str] = field(default_factory=Counter)  # reason -> count
    counts: Counter[str] = field(default_factory=Counter)  # matched_by_name, ambiguous, ...
    skipped: Counter[str] = field(default_factory=Counter)  # episodes
    batches: list[str] = field(default_factory=list)
    queued_tracks: int = 0
    unreadable: list[str] = field(default_factory=list)  # files that could not be read at all
    load: LoadSummary | None = None

    @property
    def exit_code(self) -> int:
        failed = self.unreadable or (self.load is not None and self.load.exit_code != EXIT_OK)
        return EXIT_FAILED if failed else EXIT_OK

    def lines(self) -> list[str]:
        out = [
            f"read {self.elements} record(s) from {len(self.files)} file(s): {self.rows} play(s) "
            f"in {len(self.batches)} batch(es), {self.duplicates} duplicate(s), "
            f"{sum(self.quarantined.values())} quarantined"
        ]
        if self.counts:
            out.append(
                "without a track URI: "
                + ", ".join(
                    f"{n} {what.replace('_', ' ')}" for what, n in sorted(self.counts.items())
                )
            )
        out += [f"skipped {n} {what}" for what, n in sorted(self.skipped.items())]
        out += [f"quarantined {n}: {why}" for why, n in self.quarantined.most_common(5)]
        out += [f"unreadable: {what}" for what in self.unreadable]
        if self.queued_tracks:
            out.append(f"{self.queued_tracks} track(s) queued for the next extraction")
        if self.load is not None:
            out += self.load.lines(missing=False)  # an import writes PLAY files only
        return out


class _Batcher:
    """One file's batches: lines collected, then written under a digest of their bytes."""

    def __init__(
        self, out: ObjectStore, file: ExportFile, fmt: Any, mapper: Mapper, summary: ImportSummary
    ) -> None:
        self.out, self.file, self.fmt, self.rows, self.summary = out, file, fmt, mapper, summary
        self.number = 0
        self._start()

    def _start(self) -> None:
        self.rows.reset()
        self.digest = hashlib.sha256(f"{Path(self.file.name).name}\0{self.number}\0".encode())

    def full(self) -> bool:
        return len(self.rows.lines) >= BATCH_ROWS

    def flush(self) -> None:
        rows = self.rows
        if not rows.lines and not rows.quarantine and not rows.skipped:
            return
        day = min(rows.lines)[0][:10] if rows.lines else datetime.now(UTC).date().isoformat()
        batch = f"history-{self.digest.hexdigest()[:20]}"
        write_play_batch(
            self.out, rows, batch=batch, dt=day, source_key=self.file.name, fmt=self.fmt
        )
        self.summary.rows += len(rows.lines)
        self.summary.duplicates += rows.duplicates
        self.summary.quarantined.update(r["reason"] for r in rows.quarantine)
        self.summary.skipped.update(rows.skipped)
        self.summary.batches.append(batch)
        self.number += 1
        self._start()


def import_history(
    config: PipelineConfig, target: Path, *, secrets: Secrets, load: bool = True
) -> ImportSummary:
    """Import every music history file under `target` (a file, folder or ZIP)."""
    from spotify_etl.warehouse import load_pending, open_configured

    files = find_exports(target)
    raw = open_store(config.path(config.storage.raw))
    out = open_store(config.path(config.storage.transformed))
    warehouse = open_configured(config.warehouse, secrets, base_dir=config.base_dir)
    try:
        names = _names(warehouse)
        minutes = _minutes(warehouse) if any(f.fmt == "short" for f in files) else {}
    finally:
        warehouse.close()
    summary = ImportSummary()
    write_schema(out)
    song_ids: set[str] = set()
    for file in files:
        summary.files.append(file.name)
        mapper = Mapper(names, file.name, minutes)
        _import_file(out, file, config.transform.format, mapper, summary)
        summary.counts.update(mapper.counts)
        song_ids |= mapper.song_ids
    summary.queued_tracks = _queue_unknown(raw, song_ids)
    if load:
        warehouse = open_configured(config.warehouse, secrets, base_dir=config.base_dir)
        try:
            summary.load = load_pending(out, warehouse, config.warehouse)
        finally:
            warehouse.close()
    return summary


def _import_file(
    out: ObjectStore, file: ExportFile, fmt: Any, mapper: Mapper, summary: ImportSummary
) -> None:
    batcher = _Batcher(out, file, fmt, mapper, summary)
    try:
        with file.open() as stream:
            for piece in read_pieces(stream, file.fmt):
                batcher.digest.update(piece.raw)
                summary.elements += len(piece.records) + len(piece.bad)
                if file.fmt == "extended":
                    mapper.extended(piece.records, piece.first)  # type: ignore[arg-type]
                else:
                    mapper.short(piece.records, piece.first)  # type: ignore[arg-type]
                for bad in piece.bad:
                    mapper.reject(bad.index, bad.reason, bad.record)
                if batcher.full():
                    batcher.flush()
    except (NotAnArray, OSError, EOFError, zipfile.BadZipFile) as exc:
        summary.unreadable.append(f"{file.name}: {exc}")
        mapper.quarantine.append(
            {
                "source": file.name,
                "table": None,
                "reason": f"file unreadable: {exc}",
                "record": None,
            }
        )
    batcher.flush()


def _names(warehouse: Warehouse) -> NameIndex:
    _cols, rows = warehouse.execute(NAMES_SQL)
    return NameIndex(rows)


def _minutes(warehouse: Warehouse) -> dict[tuple[str, str], str]:
    """The plays known to the second, by (song, minute): the short format has minutes only.
    A minute holding two or more plays of a song maps to AMBIGUOUS: a short play there stays
    its own row, as the warehouse's fold (warehouse.fold) leaves it in the other order."""
    _cols, rows = warehouse.execute(
        # API plays and extended-export plays: every row that is not a short-format one
        f"SELECT song_id, played_at FROM PLAY WHERE NOT ({short_row()})"
    )
    out: dict[tuple[str, str], str] = {}
    for song_id, played_at in rows:
        text = played_at.strftime("%Y-%m-%d %H:%M:%S")
        key = (song_id, text[:16])
        out[key] = text if key not in out else AMBIGUOUS
    return out


def _queue_unknown(raw: ObjectStore, song_ids: set[str]) -> int:
    states = StateStore(raw)
    state, _ = states.load()
    known = state.known.get("track", {})
    queued = state.queued.get("track", {})
    delta = Delta()
    at = iso(datetime.now(UTC))
    for song_id in sorted(song_ids):
        if song_id not in known and song_id not in queued:
            delta.queue("track", song_id, at)
    n = len(delta.queued.get("track", {}))
    if n:
        states.save(delta, "import", "import-history", at)
    return n
