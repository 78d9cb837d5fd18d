"""The run summary accounts for every item: rows read = written + duplicates + quarantined per
table, what was read but is no row is counted by kind, and the playlists' own totals agree with
PLAYLIST_ITEM. `--log-format json` gives the same as one JSON object, no tables."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pydantic import SecretStr

from spotify_etl import console
from spotify_etl.config import Secrets, parse_config
from spotify_etl.extract.context import ExtractRun
from spotify_etl.pipeline.report import SKIP_WHY, print_report, report_data
from spotify_etl.pipeline.run import RunReport, run_pipeline
from spotify_etl.simulator import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    SimulatorConfig,
    running_simulator,
)
from spotify_etl.transform.summary import SKIP_KINDS
from spotify_etl.warehouse import open_warehouse, run_query

SECRETS = Secrets(
    spotify_client_id=DEMO_CLIENT_ID, spotify_client_secret=SecretStr(DEMO_CLIENT_SECRET)
)


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunReport, Path]:
    tmp_path = tmp_path_factory.mktemp("report")
    with running_simulator(SimulatorConfig(profile="extended", seed=42, scale=3000)) as sim:
        playlists = sim.catalog.playlist_ids(3, owner="other")
        # An id the catalogue lacks: a null in the several-at-once reply, read but no row.
        tracks = [*sim.catalog.track_ids(2), "0" * 22]
        config = parse_config(
            f'[storage]\nraw = "{tmp_path}/lake"\ntransformed = "{tmp_path}/lake/t"\n'
            f'[warehouse]\nurl = "duckdb:///{tmp_path}/wh.duckdb"\n'
            f"[sources]\nplaylists = {json.dumps(playlists)}\ntracks = {json.dumps(tracks)}\n",
            base_dir=tmp_path,
        )
        report = run_pipeline(config, ExtractRun(secrets=SECRETS, api_base=sim.base_url))
    assert report.exit_code == 0
    return report, tmp_path


def test_every_tables_rows_add_up(ran: tuple[RunReport, Path]) -> None:
    data = report_data(ran[0])
    tables = data["transform"]["tables"]
    assert tables["PLAYLIST_ITEM"]["read"] > 0
    for name, c in tables.items():
        assert c["read"] == c["written"] + c["duplicates"] + c["quarantined"], name
    skipped = data["transform"]["skipped_inputs"]
    assert set(skipped) <= set(SKIP_KINDS) and all(n > 0 for n in skipped.values())


def test_the_playlists_totals_are_accounted_for_item_by_item(ran: tuple[RunReport, Path]) -> None:
    wh = open_warehouse(f"duckdb:///{ran[1]}/wh.duckdb")
    try:
        columns, rows = run_query(wh, "playlist_items_accounted")
    finally:
        wh.close()
    assert columns[3:] == ["listed", "tracks", "local_files", "episodes", "without_row"]
    totals = [row for row in rows if row[3] is not None]
    assert totals, rows
    for row in totals:
        listed, tracks, local, episodes, without_row = row[3:]
        assert listed == tracks + local + episodes + without_row


def test_the_printed_summary_says_where_rows_went_in_plain_english(
    ran: tuple[RunReport, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    print_report(ran[0])
    out = capsys.readouterr().out
    assert "where this run's rows went" in out and "read but not rows:" in out
    assert not re.search(r"\b1 (batches|files|raw parts|rows)\b", out)
    assert "no files at all" not in out  # a table without rows yet is not a fault


def test_json_log_format_prints_the_summary_as_json(
    ran: tuple[RunReport, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(console.Mode, "log_format", "json")
    print_report(ran[0])
    out = capsys.readouterr().out
    assert "┃" not in out and "━" not in out
    [line] = out.splitlines()
    summary = json.loads(line)
    assert summary["summary"] == "run" and summary["exit_code"] == 0
    assert summary["transform"] == report_data(ran[0])["transform"]
    assert summary["warehouse_rows"]["PLAYLIST_ITEM"] > 0


def test_every_kind_the_transform_skips_has_its_words_in_the_run_summary() -> None:
    # A kind without words prints as its bare name; a kind the transform no longer counts
    # (podcast episodes are EPISODE rows now) would describe nothing.
    assert sorted(SKIP_WHY) == sorted(SKIP_KINDS)


def test_inputs_that_gave_no_row_are_counted_in_english(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from collections import Counter

    from spotify_etl.pipeline.report import print_accounting
    from spotify_etl.transform import TransformSummary

    monkeypatch.setattr(console.Mode, "log_format", "plain")
    print_accounting(TransformSummary(skipped=Counter(null_items=1, local_files=2, audiobooks=1)))
    out = " ".join(capsys.readouterr().out.split())  # as read, whatever the terminal's width
    assert "1 null item (deleted or unavailable)" in out
    assert "2 local files (outside a playlist)" in out and "1 audiobook (no table)" in out
    assert not re.search(r"\b1 (null items|local files|audiobooks)\b", out)


def test_status_counts_read_as_english(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from spotify_etl.pipeline import status

    facts = {"runs": [{"run_id": "r1", "outcome": "complete"}], "raw_parts_per_day": {},
             "transformed_files_per_day": {}, "checkpoints": {}, "pending_load": 0,
             "warehouse_error": None, "known_entities": {"album": 1, "artist": 2},
             "tracked_playlists": 1, "queued": {"track": 1}}  # fmt: skip
    monkeypatch.setattr(status, "collect_status", lambda config: facts)
    monkeypatch.setattr(console.Mode, "log_format", "plain")
    status.print_status(parse_config("", base_dir=tmp_path))
    out = " ".join(capsys.readouterr().out.split())
    assert "known: 1 album, 2 artists; 1 playlist tracked" in out
    assert "queued for the next extraction (from plays): 1 track" in out
