"""What a transform did: per batch and in total. Written beside the outputs as JSON."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from spotify_etl import model
from spotify_etl.errors import EXIT_FAILED, EXIT_OK
from spotify_etl.transform.collector import TableCounts

# What an input item that gives no row can be, and why it gives none. Every such item is
# counted under exactly one of these (a test counts them from the input); everything else
# either gives its rows or goes to quarantine with a reason.
SKIP_REASONS: dict[str, str] = {
    "null_items": "null entries: a removed track in a playlist, an unknown id in a "
    "several-at-once reply",
    "items_without_id": "items a fields= reply sent without an id and outside a playlist "
    "(see missing keys)",
    "local_files": "local files outside a playlist (in a playlist they are PLAYLIST_ITEM rows)",
    "audiobooks": "audiobooks and chapters: recognised; the model has no table for them",
    "nothing_playing": "player and queue replies with no item (nothing playing, or an ad)",
    "episode_plays": "recently-played episodes: their EPISODE row is written; PLAY holds songs",
    "error_replies": "non-2xx replies (the extractor recorded why)",
    "partial_replies": "fields= replies with no rows to give (the daily snapshot_id check)",
    "other_objects": "replies without catalogue rows: user profiles, contains checks "
    "(a JSON array of booleans)",
}
SKIP_KINDS = tuple(SKIP_REASONS)
# How a bare file (no run folder, so no dt=) got its snapshot date.
DATED_BY = {
    "name": "a date in its name",
    "date": "--date",
    "mtime": "its modification time (no --date given)",
}


@dataclass(frozen=True)
class UnreadableFile:
    key: str
    reason: str


@dataclass(frozen=True)
class SkippedInput:
    """A whole input (a file or key) that was not transformed, and why."""

    key: str
    reason: str


@dataclass(frozen=True)
class Skip:
    """One line of "what gave no row": a kind, how many, and why."""

    kind: str
    count: int
    reason: str


def skip_lines(skipped: Mapping[str, int]) -> list[Skip]:
    """The skip counts in SKIP_KINDS order, each with its reason."""
    order = {kind: i for i, kind in enumerate(SKIP_KINDS)}
    kinds = sorted((k for k, n in skipped.items() if n), key=lambda k: (order.get(k, 99), k))
    return [Skip(k, skipped[k], SKIP_REASONS.get(k, k.replace("_", " "))) for k in kinds]


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
    missing_keys: dict[str, int] = field(default_factory=dict)  # keys replies did not hold
    dated_by: str | None = None  # bare files: a DATED_BY key; None for raw parts

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
            "missing_keys": self.missing_keys,
            "dated_by": self.dated_by,
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
    # Every input that was found (or given) and not transformed, with the reason.
    skipped_inputs: list[SkippedInput] = field(default_factory=list)
    missing_keys: Counter[str] = field(default_factory=Counter)
    dated_by: Counter[str] = field(default_factory=Counter)  # bare files, by DATED_BY key

    def skips(self) -> list[Skip]:
        return skip_lines(self.skipped)

    def skip_input(self, key: str, reason: str) -> None:
        self.skipped_inputs.append(SkippedInput(key, reason))

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
        self.missing_keys.update(batch.missing_keys)
        if batch.dated_by is not None:
            self.dated_by[batch.dated_by] += 1
