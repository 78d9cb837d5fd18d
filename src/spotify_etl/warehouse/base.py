"""The one interface both warehouses implement, and what a load reports back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from spotify_etl.errors import EXIT_FAILED, EXIT_OK
from spotify_etl.storage import ObjectStore
from spotify_etl.warehouse.ddl import Dialect
from spotify_etl.warehouse.files import HistoryEntry, TransformedFile

if TYPE_CHECKING:
    from spotify_etl.warehouse.landing import ChunkResult


@dataclass(frozen=True)
class FileLoad:
    """A file to load: what it is, its checksum (size + checksum are its version)."""

    file: TransformedFile
    checksum: str
    force: bool = False


class Warehouse(Protocol):
    """A warehouse adapter. `load_chunk` loads many files of one table: each file lands whole
    or is recorded as failed; the chunk's loaded files commit together."""

    url: str  # safe to print: never holds credentials
    dialect: Dialect

    def ensure_schema(self) -> list[str]: ...
    def history(self) -> dict[str, HistoryEntry]: ...
    def load_chunk(self, store: ObjectStore, items: Sequence[FileLoad]) -> ChunkResult: ...
    def note_unchanged(self, key: str, mtime_ns: int) -> None: ...
    def execute(
        self, sql: str, params: Sequence[Any] | None = None
    ) -> tuple[list[str], list[tuple[Any, ...]]]: ...
    def table_counts(self) -> dict[str, int]: ...
    def pending_files(self, store: ObjectStore) -> list[TransformedFile]: ...
    def load_history(self, limit: int = 20) -> list[HistoryEntry]: ...
    def close(self) -> None: ...


@dataclass
class LoadSummary:
    """What one `load_pending` did, file by file."""

    loaded: list[str] = field(default_factory=list)
    skipped: int = 0  # already loaded, unchanged
    previously_failed: list[str] = field(default_factory=list)  # failed before, unchanged
    refused: list[tuple[str, str]] = field(default_factory=list)  # changed under a loaded name
    failed: list[tuple[str, str]] = field(default_factory=list)  # (key, error)
    rows: dict[str, int] = field(default_factory=dict)  # rows read per table
    ignored: list[tuple[str, str]] = field(default_factory=list)  # not transformed data files
    # Model tables without a folder in the transformed zone: not an error (the development
    # profile has no genres, so no artist_genre files), but worth saying.
    missing_tables: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return EXIT_FAILED if self.failed or self.refused or self.ignored else EXIT_OK

    def add_rows(self, table: str, rows: int) -> None:
        self.rows[table] = self.rows.get(table, 0) + rows

    def lines(self, *, missing: bool = True) -> list[str]:
        """A human summary: one headline, then one line per problem; with `missing`, the
        tables that had no file at all (a fault for `load`, not for a run that made none)."""
        rows = ", ".join(f"{t} {n}" for t, n in sorted(self.rows.items())) or "no rows"
        out = [
            f"loaded {len(self.loaded)} file(s) ({rows}); {self.skipped} already loaded; "
            f"{len(self.refused)} refused; {len(self.failed)} failed"
        ]
        out += [f"refused {key}: {why}" for key, why in self.refused]
        out += [f"failed {key}: {why}" for key, why in self.failed]
        out += [f"ignored {key}: {why}" for key, why in self.ignored]
        if missing and self.missing_tables:
            out.append(
                "no files at all for "
                + ", ".join(self.missing_tables)
                + " in the transformed zone (nothing to load for them)"
            )
        if self.previously_failed:
            out.append(
                f"{len(self.previously_failed)} file(s) failed before and are unchanged "
                "(fix and rewrite them, or use --force)"
            )
        return out
