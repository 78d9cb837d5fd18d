"""What a transform did: per batch and in total. Written beside the outputs as JSON."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from spotify_etl import model
from spotify_etl.errors import EXIT_FAILED, EXIT_OK
from spotify_etl.transform.collector import TableCounts

SKIP_KINDS = (
    "local_files",  # items without an id: never in SONGS
    "episodes",  # podcast episodes in playlists: never in SONGS
    "null_items",  # null playlist items, null entries of several-at-once replies
    "error_replies",  # non-2xx envelopes (the extractor recorded a skip)
    "partial_replies",  # fields= replies such as the daily snapshot_id check
    "other_objects",  # known objects without rows (the user profile)
)


@dataclass(frozen=True)
class UnreadableFile:
    key: str
    reason: str


@dataclass
class BatchSummary:
    batch: str
    source_key: str
    dt: str
    tables: dict[str, TableCounts]
    skipped: dict[str, int]
    inputs_quarantined: int  # lines, replies and list elements that could not be used
    unreadable: list[UnreadableFile]
    outputs: list[str]
    quarantine_key: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": model.SCHEMA_VERSION,
            "batch": self.batch,
            "source_key": self.source_key,
            "dt": self.dt,
            "tables": {
                name: {
                    "rows_in": c.rows_in,
                    "rows_out": c.rows_out,
                    "rows_quarantined": c.rows_quarantined,
                    "duplicates": c.duplicates,
                }
                for name, c in self.tables.items()
            },
            "skipped": self.skipped,
            "inputs_quarantined": self.inputs_quarantined,
            "unreadable": [{"key": u.key, "reason": u.reason} for u in self.unreadable],
            "outputs": self.outputs,
            "quarantine": self.quarantine_key,
        }


@dataclass
class TransformSummary:
    """The result of `run_transform`; `exit_code` is 1 when any file could not be read."""

    batches: list[BatchSummary] = field(default_factory=list)
    tables: dict[str, TableCounts] = field(
        default_factory=lambda: {t.name: TableCounts() for t in model.TABLES}
    )
    skipped: Counter[str] = field(default_factory=Counter)
    inputs_quarantined: int = 0
    unreadable: list[UnreadableFile] = field(default_factory=list)
    ignored_keys: list[str] = field(default_factory=list)  # given keys that are not raw input
    output_keys: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return EXIT_FAILED if self.unreadable else EXIT_OK

    @property
    def rows_quarantined(self) -> int:
        return sum(c.rows_quarantined for c in self.tables.values())

    def add(self, batch: BatchSummary) -> None:
        self.batches.append(batch)
        for name, counts in batch.tables.items():
            self.tables[name].add(counts)
        self.skipped.update(batch.skipped)
        self.inputs_quarantined += batch.inputs_quarantined
        self.unreadable.extend(batch.unreadable)
        self.output_keys.extend(batch.outputs)
