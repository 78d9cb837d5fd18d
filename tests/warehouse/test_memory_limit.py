"""A chunk too big for DuckDB's memory limit (its MERGE does not spill everything) is split
until its parts fit, and every row still loads once; one file too big alone stops the load
with the setting to raise. Real DuckDB files with a small limit, no mocks."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from spotify_etl.errors import ConfigError
from spotify_etl.model import PLAY
from spotify_etl.storage import LocalStore
from spotify_etl.warehouse import load_pending, open_warehouse
from tests.warehouse.filegen import write_csv


def _plays(root: Path, files: int, rows: int) -> None:
    for f in range(files):
        plays = [
            {
                "played_at": f"2026-11-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}:00",
                "song_id": f"s{f}-{i}",
                "source": "export",
                "ms_played": i,
                "track_name": f"track {i}",
                "artist_name": "a",
                "platform": "iOS",
                "conn_country": "SE",
                "fetched_at": "2026-11-24 10:00:00",
            }
            for i in range(rows)
        ]
        write_csv(root, PLAY, "2026-11-24", plays, name=f"b{f}")


def test_a_chunk_over_the_memory_limit_is_split_and_every_row_loads(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _plays(tmp_path / "t", files=8, rows=10_000)  # 80,000 plays: one chunk by default
    # One MERGE pass for the whole chunk: too big for the limit, so the chunk must split.
    wh = open_warehouse(f"duckdb:///{tmp_path / 'w.duckdb'}", memory_limit="40MB", merge_rows=10**6)
    try:
        with caplog.at_level(logging.WARNING):
            summary = load_pending(LocalStore(tmp_path / "t"), wh)
        assert summary.exit_code == 0 and len(summary.loaded) == 8
        assert wh.execute("SELECT COUNT(*), COUNT(DISTINCT song_id) FROM PLAY")[1] == [
            (80_000, 80_000)
        ]
        assert "exceeded the memory limit; splitting it" in caplog.text
        again = load_pending(LocalStore(tmp_path / "t"), wh)  # recorded once: nothing to do
        assert again.loaded == [] and again.skipped == 8
    finally:
        wh.close()


def test_one_file_over_the_memory_limit_names_the_setting(tmp_path: Path) -> None:
    _plays(tmp_path / "t", files=1, rows=20_000)
    wh = open_warehouse(f"duckdb:///{tmp_path / 'w.duckdb'}", memory_limit="16MB")
    try:
        with pytest.raises(ConfigError, match="memory limit") as caught:
            load_pending(LocalStore(tmp_path / "t"), wh)
        assert "duckdb_memory_limit" in (caught.value.hint or "")
        assert wh.execute("SELECT COUNT(*) FROM PLAY")[1] == [(0,)]  # nothing half-loaded
    finally:
        wh.close()
