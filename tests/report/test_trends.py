"""Each trend query on a literal warehouse with a known riser, faller, anomaly, genre shift and
new releases (trend_data.write_trending), and on one where nothing trends (write_flat);
on DuckDB and on the Snowflake SQL (fakesnow)."""

from __future__ import annotations

from typing import Any

import pytest

from spotify_etl.warehouse import Warehouse, run_query
from spotify_etl.warehouse.analytics import get_query
from tests.report.trend_data import D, write_flat, write_trending

TRENDS = ("trend_artists", "trend_churn_anomalies", "trend_genre_shifts", "trend_new_releases")

EXPECTED: dict[str, list[tuple[Any, ...]]] = {
    # Riser 1 -> 3 a day (+200 %), Faller 4 -> 2 (-50 %: the threshold is inclusive); Steady
    # and Rotor unchanged, Tiny's single appearance is below the support of 3.
    "trend_artists": [
        ("ar-r", "Riser", "rising", 21, 21, 3.0, 1.0, 200.0, 7, 21),
        ("ar-f", "Faller", "falling", 14, 84, 2.0, 4.0, -50.0, 7, 21),
    ],
    # 2 in + 2 out on D21 after 14 quiet days: (4 - 0) / max(1.4826 * 0, 1) = 4.0.
    "trend_churn_anomalies": [("p1", "Charts", D[21], 4, 0.0, 0.0, 14, 4.0)],
    "trend_genre_shifts": [
        ("jazz", "losing", 14, 84, 20.0, 40.0, -20.0),
        ("rock", "gaining", 21, 21, 30.0, 10.0, 20.0),
    ],
    "trend_new_releases": [
        ("p1", "Charts", "r2", "R2", "Riser", D[18], D[21], 2),
        ("p1", "Charts", "r3", "R3", "Riser", D[18], D[21], 2),
    ],
}


def _plain(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """fakesnow returns Decimals where DuckDB returns floats: compare as numbers."""
    from decimal import Decimal

    return [tuple(float(v) if isinstance(v, Decimal) else v for v in r) for r in rows]


def test_each_trend_finds_what_was_planted(any_wh: Warehouse) -> None:
    write_trending(any_wh)
    found = {name: _plain(run_query(any_wh, name)[1]) for name in TRENDS}
    assert found == EXPECTED


def test_no_false_alarm_when_nothing_trends(any_wh: Warehouse) -> None:
    write_flat(any_wh)
    assert {name: run_query(any_wh, name)[1] for name in TRENDS} == {name: [] for name in TRENDS}


def test_windows_and_thresholds_are_parameters_that_change_the_answer(duck: Warehouse) -> None:
    write_trending(duck)
    # A stricter change threshold drops the Faller (-50 %) and keeps the Riser (+200 %).
    strict = run_query(duck, "trend_artists", {"min_change_pct": 51})[1]
    assert [r[0] for r in strict] == ["ar-r"]
    # A higher z threshold than the anomaly's 4.0 finds none.
    assert run_query(duck, "trend_churn_anomalies", {"z_threshold": "4.5"})[1] == []
    # With a recent window that ends before D21, r2 and r3 are not recent entries.
    assert run_query(duck, "trend_new_releases", {"recent_days": 6})[1] == []


def test_not_enough_history_is_no_trend(duck: Warehouse) -> None:
    """Snapshots in the recent window only: nothing to compare against, so no flag."""
    write_trending(duck)
    duck.execute("DELETE FROM PLAYLIST_ITEM WHERE snapshot_date < ?", [D[21]])
    assert run_query(duck, "trend_artists")[1] == []
    assert run_query(duck, "trend_genre_shifts")[1] == []
    assert run_query(duck, "trend_churn_anomalies")[1] == []


@pytest.mark.parametrize("name", TRENDS)
def test_every_trend_query_says_its_window_and_threshold(name: str) -> None:
    info = get_query(name)
    assert any("days" in p for p in info.params), info.params
    for param in info.params:
        assert f":{param}" in info.description, (name, param)
