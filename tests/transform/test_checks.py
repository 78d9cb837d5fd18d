"""The one-call check (`passes`) and the rule-by-rule one (`reason`) agree on every row."""

from __future__ import annotations

from typing import Any

import pytest

from spotify_etl import model
from spotify_etl.transform.checks import compile_check

GOOD = "1kAa6KnKlklxElHKLkON7z"
IDS: list[Any] = [
    GOOD,
    GOOD[:-1],
    GOOD + "a",
    GOOD[:-1] + "\n",  # fullmatch, not match: no trailing newline
    GOOD[:-1] + "é",  # alphanumeric, but not ASCII
    "１" + GOOD[1:],  # a full-width digit
    GOOD[:-1] + "_",
    "",
    None,
    5,
]


def _passes(table: model.Table, row: tuple[Any, ...]) -> bool:
    passes, _ = compile_check(table, 2027)
    try:
        return bool(passes(row))
    except TypeError:
        return False


@pytest.mark.parametrize("value", IDS)
def test_an_id_passes_exactly_when_no_rule_names_it(value: Any) -> None:
    _, reason = compile_check(model.SONG_ARTIST, 2027)
    for row in ((value, 0, GOOD, "2026-11-24 06:00:00"), (GOOD, 0, value, "2026-11-24 06:00:00")):
        assert _passes(model.SONG_ARTIST, row) == (reason(row) is None)
    assert _passes(model.SONG_ARTIST, (value, 0, GOOD, "t")) == (value == GOOD)


@pytest.mark.parametrize("duration", [None, -1, 0, 1, 2**31 - 1, 2**31, "100"])
def test_songs_rows_agree_on_ranges(duration: Any) -> None:
    _, reason = compile_check(model.SONGS, 2027)
    row = (GOOD, "n", GOOD, None, 1, duration, None, None, None, 1, 1, None, 50, None, True, "t")
    assert _passes(model.SONGS, row) == (reason(row) is None)
