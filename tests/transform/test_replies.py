"""Every real reply shape a user's lake holds gives exactly its rows (replies.py), as a bare
file: nothing is dropped, nothing is mistaken for something else, and what gives no row is
counted with its kind."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from spotify_etl import model
from tests.transform import replies as r
from tests.transform.fixtures import run_local

Rows = dict[str, list[str]]
EXPECTED = Path(__file__).with_name("replies_expected.txt")


def table_lines(out: Path, table: model.Table) -> list[str]:
    """A table's rows exactly as written (CSV lines), sorted."""
    lines: list[str] = []
    for path in sorted((out / table.folder).glob("dt=*/*.csv.gz")):
        header, *rows = gzip.decompress(path.read_bytes()).decode().splitlines()
        assert next(csv.reader([header])) == list(table.column_names)
        lines += rows
    return sorted(lines)


def transform(tmp_path: Path, body: Any) -> tuple[Any, Rows]:
    path = tmp_path / "lake" / "reply_2026-11-24.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(body))
    summary = run_local(tmp_path)
    out = tmp_path / "transformed"
    tables = {t.name: table_lines(out, t) for t in model.TABLES}
    return summary, {name: rows for name, rows in tables.items() if rows}


CASES = {
    "tracks_page_2015": r.TRACKS_PAGE_2015,
    "items_page_2026": r.ITEMS_PAGE_2026,
    "saved_albums": r.SAVED_ALBUMS,
    "saved_shows": r.SAVED_SHOWS,
    "saved_episodes": r.SAVED_EPISODES,
    "full_show": r.FULL_SHOW,
    "fields_with_ids": r.FIELDS_WITH_IDS,
    "fields_no_ids": r.FIELDS_NO_IDS,
    "currently_playing": r.CURRENTLY_PLAYING,
    "playback_state": r.PLAYBACK_STATE,
    "ad_playing": r.AD_PLAYING,
    "queue": r.QUEUE,
    "contains": r.CONTAINS,
    "tracks_array": r.TRACKS_ARRAY,
    "saved_audiobooks": r.SAVED_AUDIOBOOKS,
    "recently_played": r.RECENTLY_PLAYED,
    "upper_types": r.UPPER_TYPES,
}


def expected() -> dict[str, tuple[dict[str, int], dict[str, int], Rows]]:
    """replies_expected.txt: per reply, its skipped items by kind, the keys it did not hold,
    and every row it gives, as the CSV line written (reviewed by hand against replies.py)."""
    cases: dict[str, tuple[dict[str, int], dict[str, int], Rows]] = {}
    for block in EXPECTED.read_text(encoding="utf-8").split("\n== ")[1:]:
        name, skipped, missing, *lines = block.strip().splitlines()
        rows: Rows = {}
        for line in lines:
            table, _, row = line.partition(" ")
            rows.setdefault(table, []).append(row)
        cases[name] = (json.loads(skipped[9:]), json.loads(missing[9:]), rows)
    return cases


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_reply_gives_exactly_its_rows(tmp_path: Path, name: str) -> None:
    summary, rows = transform(tmp_path, CASES[name])
    assert summary.exit_code == 0 and summary.inputs_quarantined == 0
    assert summary.rows_quarantined == 0
    assert (dict(summary.skipped), dict(summary.missing_keys), rows) == expected()[name]


def test_every_reply_has_its_expected_rows() -> None:
    assert sorted(expected()) == sorted(CASES)
