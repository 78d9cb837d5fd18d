"""The loaders against files the real transform wrote (not the stand-in writer in filegen):
every Snowpipe PATTERN matches exactly its table's files, and the DuckDB loader lands the
same values the transform's own reader sees (NULL stays NULL, '' stays '')."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from spotify_etl.model import TABLES, TABLES_BY_NAME
from spotify_etl.storage import LocalStore
from spotify_etl.warehouse import load_pending, open_warehouse
from spotify_etl.warehouse.ddl import landing_name
from spotify_etl.warehouse.snowflake_sql import pipe_pattern
from tests.transform.fixtures import (
    AL1,
    API,
    AR1,
    AR3,
    TR1,
    album_full,
    album_simple,
    artist_full,
    artist_simple,
    dev_playlist_lines,
    envelope,
    read_table,
    run_local,
    track,
    write_part,
)


def _transformed(tmp_path: Path, fmt: str) -> tuple[Path, list[str]]:
    full = [
        envelope(
            artist_full(AR1, "  Björk ", ["art pop", "indie"], followers=10),
            f"{API}/artists/{AR1}",
            kind="artists",
            profile="extended",
        ),
        envelope(
            album_full(AL1, 'Year "Album"', "1999", "year", [artist_simple(AR3, "Gamma")]),
            f"{API}/albums/{AL1}",
            kind="albums",
        ),
    ]
    played = {  # a recently-played page: PLAY (and the track's SONGS row)
        "items": [
            {
                "track": track(TR1, "One", album_simple(AL1, "A", "1999", "year", []), []),
                "played_at": "2026-11-24T05:59:00.123Z",
                "context": {"type": "album", "uri": f"spotify:album:{AL1}"},
            }
        ],
        "next": None,
        "cursors": {"after": "1", "before": "1"},
        "limit": 50,
        "href": f"{API}/me/player/recently-played",
    }
    full.append(
        envelope(
            played, f"{API}/me/player/recently-played", kind="library", source_id="recently_played"
        )
    )
    write_part(tmp_path, [*dev_playlist_lines(), *full])
    summary = run_local(tmp_path, fmt=fmt)
    assert summary.exit_code == 0
    out = tmp_path / "transformed"
    keys = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    return out, keys


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_each_pipe_pattern_matches_exactly_its_tables_transformed_files(
    tmp_path: Path, fmt: str
) -> None:
    _out, keys = _transformed(tmp_path, fmt)
    patterns = {t.name: re.compile(pipe_pattern(t, fmt)) for t in TABLES}  # type: ignore[arg-type]
    seen: set[str] = set()
    for key in keys:
        matched = [name for name, p in patterns.items() if p.search(key)]
        if key.startswith("_"):  # batch summaries, quarantine: never loaded
            assert matched == [], key
            continue
        folder = key.split("/", 1)[0]
        assert matched == [t.name for t in TABLES if t.folder == folder], key
        seen.update(matched)
    assert seen == {t.name for t in TABLES}  # every table, so every pipe, was exercised


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_duckdb_lands_what_the_transform_wrote(tmp_path: Path, fmt: str) -> None:
    out, keys = _transformed(tmp_path, fmt)
    wh = open_warehouse(f"duckdb:///{tmp_path / 'w.duckdb'}")
    try:
        summary = load_pending(LocalStore(out), wh)
        assert summary.failed == [] and summary.ignored == [] and summary.refused == []
        assert len(summary.loaded) == len([k for k in keys if not k.startswith("_")])
        for name in sorted(summary.rows):
            table = TABLES_BY_NAME[name]
            cols = ", ".join(table.column_names)
            got_cols, rows = wh.execute(
                f"SELECT {cols} FROM {landing_name(table)} ORDER BY ALL NULLS FIRST"
            )
            landed = [dict(zip([c.lower() for c in got_cols], r, strict=True)) for r in rows]
            written = read_table(out, name, fmt)
            key = [c for c in table.column_names]
            assert sorted(landed, key=lambda r: repr([r[c] for c in key])) == sorted(
                written, key=lambda r: repr([r[c] for c in key])
            ), name
    finally:
        wh.close()
