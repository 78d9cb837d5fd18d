"""An unchanged playlist's items are re-emitted for today from the parts that hold them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from tests.transform.fixtures import (
    API,
    PL,
    TR1,
    dev_playlist_lines,
    envelope,
    read_table,
    run_local,
    write_part,
)

RUN2 = "20261125T060000Z-99aa88bb"
DT2 = "2026-11-25"


def _carry(parts: list[str], body: Any = None) -> dict[str, Any]:
    return envelope(
        body if body is not None else {"snapshot_id": "snap-1"},
        f"{API}/playlists/{PL}",
        source_id=PL,
        run_id=RUN2,
        dt=DT2,
        fetched_at="2026-11-25T06:00:02Z",
        carry_forward={
            "playlist_id": PL,
            "snapshot_id": "snap-1",
            "since_dt": "2026-11-24",
            "since_run_id": "r",
            "parts": parts,
        },
    )


def test_unchanged_playlist_gets_todays_snapshot_from_the_old_pages(tmp_path: Path) -> None:
    day1 = write_part(tmp_path, dev_playlist_lines())
    write_part(tmp_path, [_carry([day1])], run_id=RUN2, dt=DT2)
    summary = run_local(tmp_path, date=DT2)
    assert summary.exit_code == 0 and [b.dt for b in summary.batches] == [DT2]
    out = tmp_path / "transformed"
    items = read_table(out, "PLAYLIST_ITEM")
    assert [(r["position"], r["item_type"], r["song_id"]) for r in items] == [
        (0, "track", TR1),
        (1, "local", None),
        (2, "track", "TRACK00000000000000002"),
        (3, "episode", None),
        (5, "track", TR1),
    ]
    assert {r["snapshot_date"] for r in items} == {dt.date(2026, 11, 25)}
    assert {r["snapshot_id"] for r in items} == {"snap-1"}
    assert {r["fetched_at"] for r in items} == {dt.datetime(2026, 11, 25, 6, 0, 2)}
    assert items[2]["days_since_release"] == 2  # still from the carried album's release day
    # Only the fact is re-emitted; the dimensions came with the original day.
    assert read_table(out, "SONGS") == [] and summary.inputs_quarantined == 0


def test_same_outputs_from_both_days_when_run_together(tmp_path: Path) -> None:
    day1 = write_part(tmp_path, dev_playlist_lines())
    write_part(tmp_path, [_carry([day1])], run_id=RUN2, dt=DT2)
    run_local(tmp_path)
    items = read_table(tmp_path / "transformed", "PLAYLIST_ITEM")
    by_day = {
        d: [(r["position"], r["song_id"]) for r in items if r["snapshot_date"] == d]
        for d in (dt.date(2026, 11, 24), dt.date(2026, 11, 25))
    }
    assert by_day[dt.date(2026, 11, 24)] == by_day[dt.date(2026, 11, 25)]


def test_missing_carried_part_is_reported_and_quarantined(tmp_path: Path) -> None:
    write_part(
        tmp_path,
        [_carry(["raw/playlists/dt=2026-11-24/run=gone/part-00000.jsonl.gz"])],
        run_id=RUN2,
        dt=DT2,
    )
    summary = run_local(tmp_path)
    assert summary.exit_code == 1
    assert "carried part" in summary.unreadable[0].reason
    assert summary.inputs_quarantined == 2  # the unreadable part and the carry without items


def test_the_snapshot_check_of_a_changed_playlist_is_not_quarantined(tmp_path: Path) -> None:
    check = envelope({"snapshot_id": "snap-2"}, f"{API}/playlists/{PL}", source_id=PL)
    check["params"] = {"fields": "snapshot_id"}
    write_part(tmp_path, [check, *dev_playlist_lines()])
    summary = run_local(tmp_path)
    assert summary.inputs_quarantined == 0
    assert summary.skipped["partial_replies"] == 1
    assert len(read_table(tmp_path / "transformed", "PLAYLIST_ITEM")) == 5


def test_a_page_with_one_bad_item_still_carries_its_other_items(tmp_path: Path) -> None:
    # On its own day the bad item was quarantined and its neighbours landed; an unchanged
    # day must carry the same neighbours, not lose the whole page.
    lines = dev_playlist_lines()
    lines[1]["body"]["items"][2]["item"]["duration_ms"] = "3:20"
    day1 = write_part(tmp_path, lines)
    write_part(tmp_path, [_carry([day1])], run_id=RUN2, dt=DT2)
    run_local(tmp_path)
    items = read_table(tmp_path / "transformed", "PLAYLIST_ITEM")
    by_day = {
        d: [(r["position"], r["song_id"]) for r in items if r["snapshot_date"] == d]
        for d in (dt.date(2026, 11, 24), dt.date(2026, 11, 25))
    }
    assert by_day[dt.date(2026, 11, 24)] == [(0, TR1), (1, None), (3, None), (5, TR1)]
    assert by_day[dt.date(2026, 11, 25)] == by_day[dt.date(2026, 11, 24)]


def test_an_items_page_apart_from_its_playlist_keeps_the_snapshot(tmp_path: Path) -> None:
    # The page in a part (or a run) of its own, e.g. a part that rolled mid-playlist or a
    # fetch stopped by the budget and finished by the next run: its envelope names the
    # snapshot, so its rows are not left with a NULL snapshot_id.
    obj, page = dev_playlist_lines()
    write_part(tmp_path, [obj])
    write_part(tmp_path, [{**page, "snapshot_id": "snap-1"}], part=1)
    run_local(tmp_path)
    items = read_table(tmp_path / "transformed", "PLAYLIST_ITEM")
    assert len(items) == 5 and {r["snapshot_id"] for r in items} == {"snap-1"}


def test_a_resumed_fetch_gives_its_own_pages_the_carried_snapshot(tmp_path: Path) -> None:
    # Raw parts from before item pages carried `snapshot_id`: the resumed run's check (its
    # carry_forward) still says which snapshot the run's own pages belong to.
    obj, page = dev_playlist_lines()
    day1 = write_part(tmp_path, [obj])
    resumed = {**page, "run_id": RUN2, "dt": DT2, "fetched_at": "2026-11-25T06:00:03Z"}
    write_part(tmp_path, [_carry([day1]), resumed], run_id=RUN2, dt=DT2)
    run_local(tmp_path, date=DT2)
    items = read_table(tmp_path / "transformed", "PLAYLIST_ITEM")
    assert len(items) == 5 and {r["snapshot_id"] for r in items} == {"snap-1"}
