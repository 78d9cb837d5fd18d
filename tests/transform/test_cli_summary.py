"""`spotify-etl transform`'s summary: counts that read as English ("1 batch", not "1 batches")
and, under `--log-format json`, one JSON object (the run summary's transform part), no table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from spotify_etl import console
from spotify_etl.pipeline.report import transform_data
from spotify_etl.transform.cli import print_summary
from spotify_etl.transform.summary import TransformSummary
from tests.transform.fixtures import (
    AL1,
    API,
    AR1,
    TR1,
    album_simple,
    artist_simple,
    envelope,
    run_local,
    track,
    write_part,
)


def _one_batch(root: Path) -> TransformSummary:
    alb = album_simple(AL1, "A", "2020-01-01", "day", [artist_simple(AR1, "A")])
    song = track(TR1, "Song", alb, [artist_simple(AR1, "A")])
    write_part(root, [envelope({"tracks": [song]}, f"{API}/tracks", kind="tracks")], kind="tracks")
    summary = run_local(root)
    assert len(summary.batches) == 1
    return summary


def test_one_batch_is_said_in_the_singular(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console.Mode, "log_format", "plain")
    print_summary(_one_batch(tmp_path), "out")
    out = capsys.readouterr().out
    assert "1 batch -> out" in out and "1 batches" not in out


def test_json_log_format_prints_one_json_summary_and_no_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = _one_batch(tmp_path)
    monkeypatch.setattr(console.Mode, "log_format", "json")
    print_summary(summary, "out")
    [line] = capsys.readouterr().out.splitlines()
    printed = json.loads(line)
    assert printed == {"summary": "transform", **transform_data(summary), "out": "out"}
    assert printed["batches"] == 1 and printed["tables"]["SONGS"]["written"] == 1
