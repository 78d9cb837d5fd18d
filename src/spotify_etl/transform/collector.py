"""One batch's rows: checked, deduplicated on the table key (the latest fetch wins), counted.

Memory is bounded by one batch (one raw part): rows are held per key until the batch is
written, so a duplicate costs a dict lookup and an exact repeat (the same album embedded in
fifty tracks of a page) costs a tuple comparison.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from spotify_etl import model
from spotify_etl.transform.checks import compile_check

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


class TableRows:
    """The kept rows of one table, by key."""

    __slots__ = (
        "_key",
        "_passes",
        "_reason",
        "counts",
        "kept",
        "quarantine",
        "rejected",
        "table",
    )

    def __init__(self, table: model.Table, max_year: int, quarantine: list[dict[str, Any]]) -> None:
        self.table = table
        # The batch's quarantine list itself, not the Collector: a reference back to the
        # Collector would make a cycle, and the batch's rows would wait for the cyclic
        # garbage collector instead of being freed when the batch ends.
        self.quarantine = quarantine
        self.kept: dict[Any, Row] = {}
        self.rejected: dict[Any, tuple[str, str]] = {}  # key -> (reason, source), quarantined
        self.counts = TableCounts()
        self._key = itemgetter(*(table.column_names.index(k) for k in table.key))
        self._passes, self._reason = compile_check(table, max_year)

    def add(self, row: Row, source: str) -> None:
        counts = self.counts
        counts.rows_in += 1
        key = self._key(row)
        existing = self.kept.get(key)
        if existing is not None and existing == row:
            counts.duplicates += 1
            return
        try:
            passes = self._passes(row)
        except TypeError:
            passes = False
        reason = None if passes else self._reason(row)
        if reason is not None:
            self._quarantine(key, row, reason, source)
            return
        if existing is None:
            self.kept[key] = row
            return
        counts.duplicates += 1
        # _rank's first element alone, when it decides: a page fetched later than the one
        # kept is the common case of a batch of many files, and the full rank costs a repr.
        newer, kept_at = row[-1], existing[-1]
        if newer > kept_at or (newer == kept_at and _rank(row) > _rank(existing)):
            self.kept[key] = row

    def _quarantine(self, key: Any, row: Row, reason: str, source: str) -> None:
        self.counts.rows_quarantined += 1
        self.rejected.setdefault(key, (reason, source))
        record = dict(zip(self.table.column_names, row, strict=True))
        self.quarantine.append(
            {"source": source, "table": self.table.name, "reason": reason, "record": record}
        )

    def reject(self, source: str, reason: str, record: Any, key: Any = None) -> None:
        """A row that could not even be built (a value that cannot be read) goes with its
        source record, counted as this table's."""
        self.counts.rows_in += 1
        self.counts.rows_quarantined += 1
        if key is not None:
            self.rejected.setdefault(key, (reason, source))
        self.quarantine.append(
            {"source": source, "table": self.table.name, "reason": reason, "record": record}
        )

    def follow(self, column: str, gone: dict[Any, tuple[str, str]], what: str) -> None:
        """Quarantine the rows whose `column` points at a row quarantined in `gone`: a link
        or item never points at a row the transform itself refused."""
        index = self.table.column_names.index(column)
        for key, row in list(self.kept.items()):
            why = gone.get(row[index])
            if why is not None:
                del self.kept[key]
                self._quarantine(
                    key, row, f"its {what} {row[index]} is quarantined: {why[0]}", why[1]
                )

    def sorted_rows(self) -> list[Row]:
        """Rows in key order, so output bytes do not depend on input order."""
        kept = self.kept
        return [kept[k] for k in sorted(kept)]


class Collector:
    def __init__(self, max_year: int) -> None:
        self.max_year = max_year
        self.skipped: Counter[str] = Counter()
        self.missing: Counter[str] = Counter()  # keys the model needs that replies lacked
        self.quarantine: list[dict[str, Any]] = []
        self.tables = {t.name: TableRows(t, max_year, self.quarantine) for t in model.TABLES}
        self.album = self.tables["ALBUM"]
        self.artist = self.tables["ARTIST"]
        self.artist_genre = self.tables["ARTIST_GENRE"]
        self.songs = self.tables["SONGS"]
        self.song_artist = self.tables["SONG_ARTIST"]
        self.playlist = self.tables["PLAYLIST"]
        self.playlist_item = self.tables["PLAYLIST_ITEM"]
        self.show = self.tables["SHOWS"]
        self.episode = self.tables["EPISODE"]

    @property
    def counts(self) -> dict[str, TableCounts]:
        return {name: t.counts for name, t in self.tables.items()}

    def reject(self, *, source: str, table: str | None, reason: str, record: Any) -> None:
        """Send a row or raw record to quarantine; nothing is dropped silently."""
        self.quarantine.append(
            {"source": source, "table": table, "reason": reason, "record": record}
        )

    def skip(self, what: str, n: int = 1) -> None:
        """An input item that gives no row, by kind (summary.SKIP_REASONS says why)."""
        self.skipped[what] += n

    def lacks(self, key: str) -> None:
        """A reply (a `fields=` one, usually) did not hold a key a row needs."""
        self.missing[key] += 1

    def fill_snapshot_ids(self, snapshots: dict[str, tuple[str, str]]) -> None:
        """Give items pages the snapshot_id of their playlist object fetched in the same batch."""
        if not snapshots:
            return
        names = model.PLAYLIST_ITEM.column_names
        pid_i, snap_i = names.index("playlist_id"), names.index("snapshot_id")
        items = self.playlist_item.kept
        for key, row in items.items():
            if row[snap_i] is None and row[pid_i] in snapshots:
                items[key] = (*row[:snap_i], snapshots[row[pid_i]][1], *row[snap_i + 1 :])

    def drop_stale_links(self) -> None:
        """A track's artists are those of its latest fetch: SONG_ARTIST is keyed by position,
        so positions an older reply had beyond the newer reply's artists would otherwise stay."""
        kept = self.song_artist.kept
        latest: dict[Any, str] = {}
        for (song_id, _), row in kept.items():
            if row[-1] > latest.get(song_id, ""):
                latest[song_id] = row[-1]
        stale = [key for key, row in kept.items() if row[-1] < latest[key[0]]]
        for key in stale:
            del kept[key]
        self.song_artist.counts.duplicates += len(stale)

    def finish_counts(self) -> None:
        """Last step of a batch: follow quarantined songs and episodes to what points at
        them, then count."""
        for target, links in (
            (self.songs, ((self.song_artist, "song_id"), (self.playlist_item, "song_id"))),
            (self.episode, ((self.playlist_item, "episode_id"),)),
        ):
            kept = target.kept
            gone = {k: why for k, why in target.rejected.items() if k not in kept}
            if gone:
                what = target.table.name.lower().rstrip("s")
                for rows, column in links:
                    rows.follow(column, gone, what)
        for rows in self.tables.values():
            rows.counts.rows_out = len(rows.kept)


def _rank(row: Row) -> tuple[str, int, str]:
    # fetched_at is the last column of every table: the latest fetch wins; at the same
    # instant the fuller row wins, then a content order so the result never depends on
    # which of two rows was read first.
    return (row[-1], sum(v is not None for v in row), repr(row))
