"""One batch's rows: checked, deduplicated on the table key (the latest fetch wins), counted.

Memory is bounded by one batch (one raw part): rows are held per key until the batch is
written, so a duplicate costs a dict lookup and an exact repeat (the same album embedded in
fifty tracks of a page) costs a tuple comparison.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from spotify_etl import model
from spotify_etl.transform.checks import compile_rules, first_failure

Row = tuple[Any, ...]


@dataclass
class TableCounts:
    rows_in: int = 0
    rows_out: int = 0
    rows_quarantined: int = 0
    duplicates: int = 0

    def add(self, other: TableCounts) -> None:
        self.rows_in += other.rows_in
        self.rows_out += other.rows_out
        self.rows_quarantined += other.rows_quarantined
        self.duplicates += other.duplicates


@dataclass
class Collector:
    max_year: int
    rows: dict[str, dict[Row, Row]] = field(default_factory=dict)
    counts: dict[str, TableCounts] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)
    quarantine: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._rules = compile_rules(self.max_year)
        self._keys = {t.name: tuple(t.column_names.index(k) for k in t.key) for t in model.TABLES}
        for table in model.TABLES:
            self.rows[table.name] = {}
            self.counts[table.name] = TableCounts()

    def add(self, table: str, row: Row, source: str) -> None:
        counts = self.counts[table]
        counts.rows_in += 1
        key = tuple([row[i] for i in self._keys[table]])
        kept = self.rows[table]
        existing = kept.get(key)
        if existing is not None and existing == row:
            counts.duplicates += 1
            return
        reason = first_failure(self._rules[table], row)
        if reason is not None:
            counts.rows_quarantined += 1
            self.reject(source=source, table=table, reason=reason, record=_as_dict(table, row))
            return
        if existing is None:
            kept[key] = row
            return
        counts.duplicates += 1
        if _rank(row) > _rank(existing):
            kept[key] = row

    def reject(self, *, source: str, table: str | None, reason: str, record: Any) -> None:
        """Send a row or raw record to quarantine; nothing is dropped silently."""
        self.quarantine.append(
            {"source": source, "table": table, "reason": reason, "record": record}
        )

    def skip(self, what: str, n: int = 1) -> None:
        self.skipped[what] += n

    def fill_snapshot_ids(self, snapshots: dict[str, tuple[str, str]]) -> None:
        """Give items pages the snapshot_id of their playlist object fetched in the same batch."""
        if not snapshots:
            return
        names = model.PLAYLIST_ITEM.column_names
        pid_i, snap_i = names.index("playlist_id"), names.index("snapshot_id")
        items = self.rows["PLAYLIST_ITEM"]
        for key, row in items.items():
            if row[snap_i] is None and row[pid_i] in snapshots:
                items[key] = (*row[:snap_i], snapshots[row[pid_i]][1], *row[snap_i + 1 :])

    def sorted_rows(self, table: str) -> list[Row]:
        """Rows in key order, so output bytes do not depend on input order."""
        kept = self.rows[table]
        return [kept[k] for k in sorted(kept)]

    def finish_counts(self) -> None:
        for name, kept in self.rows.items():
            self.counts[name].rows_out = len(kept)


def _rank(row: Row) -> tuple[str, int, str]:
    # fetched_at is the last column of every table: the latest fetch wins; at the same
    # instant the fuller row wins, then a content order so the result never depends on
    # which of two rows was read first.
    return (row[-1], sum(v is not None for v in row), repr(row))


def _as_dict(table: str, row: Row) -> dict[str, Any]:
    return dict(zip(model.TABLES_BY_NAME[table].column_names, row, strict=True))
