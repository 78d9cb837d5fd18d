"""Bare files: --date is their day (the modification time only without one, and the summary
says which was used); every skipped input is listed with its reason; a transform that finds
nothing to transform says so and exits non-zero."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from spotify_etl.transform.dating import NOT_INPUT, OTHER_DAY_NAME, OTHER_DAY_PART
from tests.transform import replies as r
from tests.transform.fixtures import (
    album_simple,
    artist_simple,
    dev_playlist_lines,
    read_table,
    run_local,
    track,
    write_part,
)

SONG_IDS = [f"TRACK0000000000000000{i}" for i in range(1, 6)]


def _copied_lake(root: Path) -> Path:
    """Six bare files without a date in their names, as after `cp` or `aws s3 sync`: five
    tracks and the user's profile (the issue's reproduction)."""
    lake = root / "lake"
    lake.mkdir(parents=True)
    artist = artist_simple("ARTIST0000000000000001", "A")
    album = album_simple("ALBUM00000000000000001", "Al", "2020", "year", [artist])
    for i, tid in enumerate(SONG_IDS):
        (lake / f"track{i}.json").write_text(json.dumps(track(tid, f"S{i}", album, [artist])))
    (lake / "me.json").write_text(json.dumps({"id": "me", "type": "user"}))
    return lake


def test_date_is_the_day_of_bare_files_without_one_in_their_name(tmp_path: Path) -> None:
    _copied_lake(tmp_path)
    summary = run_local(tmp_path, date="2024-03-01")
    assert summary.exit_code == 0 and summary.skipped_inputs == []
    assert [b.dt for b in summary.batches] == ["2024-03-01"] * 6
    assert summary.dated_by == {"date": 6}
    songs = read_table(tmp_path / "transformed", "SONGS")
    assert sorted(s["song_id"] for s in songs) == SONG_IDS
    assert {str(s["fetched_at"]) for s in songs} == {"2024-03-01 00:00:00"}
    batch = json.loads(next((tmp_path / "transformed" / "_batches").rglob("*.json")).read_text())
    assert batch["dated_by"] == "date"


def test_without_date_the_modification_time_dates_them_and_says_so(tmp_path: Path) -> None:
    lake = _copied_lake(tmp_path)
    stamp = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC).timestamp()
    for path in lake.iterdir():
        os.utime(path, (stamp, stamp))
    summary = run_local(tmp_path)
    assert {b.dt for b in summary.batches} == {"2024-01-02"}
    assert summary.dated_by == {"mtime": 6}


def test_every_skipped_input_is_listed_with_its_reason(tmp_path: Path) -> None:
    _copied_lake(tmp_path)
    (tmp_path / "lake" / "spotify_raw_2024-01-15 10:23:11.json").write_text(json.dumps(r.QUEUE))
    (tmp_path / "lake" / "notes.txt").write_text("not a reply")
    other_day = write_part(tmp_path, dev_playlist_lines())  # dt=2026-11-24
    summary = run_local(tmp_path, date="2024-03-01")
    assert sorted((s.key, s.reason) for s in summary.skipped_inputs) == [
        ("lake/notes.txt", NOT_INPUT),
        ("lake/spotify_raw_2024-01-15 10:23:11.json", OTHER_DAY_NAME),
        (other_day, OTHER_DAY_PART),
    ]
    assert len(summary.batches) == 6


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "spotify_etl", "transform", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_says_how_bare_files_were_dated_and_fails_when_nothing_is_found(
    tmp_path: Path,
) -> None:
    lake = _copied_lake(tmp_path / "a")
    (lake / "notes.txt").write_text("x")
    ok = _cli("--raw", str(lake), "--out", str(tmp_path / "out"), "--date", "2024-03-01")
    assert ok.returncode == 0, ok.stderr
    assert "6 batches ->" in ok.stdout and "bare files dated by: --date 6" in ok.stdout
    assert f"skipped inputs: 1\n  1 {NOT_INPUT}: notes.txt" in ok.stdout
    assert "other objects 1: replies without catalogue rows" in ok.stdout
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "README.txt").write_text("x")
    none = _cli("--raw", str(empty), "--out", str(tmp_path / "out2"))
    assert none.returncode == 1
    assert f"1 {NOT_INPUT}: README.txt" in none.stdout
    assert none.stderr.strip() == f"error: nothing to transform in {empty}; check --raw"
    assert "Traceback" not in none.stderr
