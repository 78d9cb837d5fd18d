"""Nothing disappears: every id in the input lands in its table or in quarantine with a
reason, every position of a playlist is an item, a quarantined row or a counted null, no
link points at a song the transform refused, and the skip counts are exact."""

from __future__ import annotations

import csv
import gzip
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spotify_etl import model
from tests.transform import replies as r
from tests.transform.fixtures import (
    API,
    PL,
    album_simple,
    artist_simple,
    envelope,
    episode,
    run_local,
    track,
    write_part,
)
from tests.transform.test_replies import CASES

VARIANTS = ("good", "gone", "popular", "negative", "bad_id", "upper", "zero_date")
SLOTS = st.one_of(
    st.tuples(st.just("track"), st.integers(0, 3), st.sampled_from(VARIANTS)),
    st.tuples(st.just("episode"), st.integers(0, 2), st.sampled_from(("good", "future", "0000"))),
    st.tuples(st.sampled_from(("local", "null", "no_id")), st.just(0), st.just("")),
)


def _track(i: int, variant: str) -> dict[str, Any]:
    artist = artist_simple(f"ARTIST000000000000000{i}", f"Artist {i}")
    date = "0000" if variant == "zero_date" else "2001-02-03"
    album = album_simple(f"ALBUM0000000000000000{i}", f"Album {i}", date, "day", [artist])
    if variant == "upper":
        album = {**album, "album_type": "COMPILATION", "release_date_precision": "DAY"}
    obj = track(f"TRACK0000000000000000{i}", f"Song {i}", album, [artist])
    changes: dict[str, dict[str, Any]] = {
        "gone": {"name": "", "duration_ms": 0},
        "popular": {"popularity": 150},
        "negative": {"duration_ms": -1},
        "bad_id": {"id": f"bad-id-{i}"},
    }
    return {**obj, **changes.get(variant, {})}


def _episode(i: int, variant: str) -> dict[str, Any]:
    obj = episode(f"EPISODE00000000000000{i}", f"Episode {i}")
    dates = {"future": "2999-01-01", "0000": "0000"}
    return {**obj, "release_date": dates.get(variant, obj["release_date"])}


def _entry(slot: tuple[str, int, str]) -> dict[str, Any] | None:
    kind, i, variant = slot
    content: Any = {
        "track": lambda: _track(i, variant),
        "episode": lambda: _episode(i, variant),
        "local": r.local_track,
        "no_id": lambda: {"name": "only a name", "type": "track"},  # a fields= item
        "null": lambda: None,
    }[kind]()
    return {"added_at": "2026-11-01T10:00:00Z", "added_by": {"id": "u"}, "item": content}


def _ids(value: Any, found: dict[str, set[str]]) -> None:
    """Every id in the input, by the type of the object that holds it."""
    if isinstance(value, list):
        for v in value:
            _ids(v, found)
    elif isinstance(value, dict):
        if isinstance(value.get("id"), str) and value.get("type") in (
            "track",
            "album",
            "artist",
            "episode",
            "show",
        ):
            found.setdefault(value["type"], set()).add(value["id"])
        for v in value.values():
            _ids(v, found)


TABLE_OF = {
    "track": ("SONGS", "song_id"),
    "album": ("ALBUM", "album_id"),
    "artist": ("ARTIST", "artist_id"),
    "episode": ("EPISODE", "episode_id"),
    "show": ("SHOWS", "show_id"),
}


def _rows(out: Path, name: str) -> list[dict[str, Any]]:
    """A table's rows as written (CSV; \\N as None); positions as int."""
    table = model.TABLES_BY_NAME[name]
    rows = []
    for path in sorted((out / table.folder).glob("dt=*/*.csv.gz")):
        lines = gzip.decompress(path.read_bytes()).decode().splitlines()
        for row in csv.DictReader(lines):
            rows.append({k: None if v == model.CSV_NULL else v for k, v in row.items()})
    for row in rows:
        if "position" in row:
            row["position"] = int(row["position"])
    return rows


def _quarantine(out: Path) -> list[dict[str, Any]]:
    records = []
    for path in sorted((out / "_quarantine").rglob("*.jsonl.gz")):
        records += [json.loads(line) for line in gzip.decompress(path.read_bytes()).splitlines()]
    return records


@settings(max_examples=20, deadline=None)
@given(st.lists(SLOTS, max_size=8))
def test_every_id_and_position_lands_or_is_quarantined_with_a_reason(
    slots: list[tuple[str, int, str]],
) -> None:
    entries = [_entry(s) for s in slots]
    body = {"href": f"{API}/playlists/{PL}/items", "items": entries, "offset": 0}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "lake").mkdir()
        (root / "lake" / "page_2026-11-24.json").write_text(json.dumps(body))
        summary = run_local(root)
        out = root / "transformed"
        records = _quarantine(out)
        tables = {name: _rows(out, name) for name, _ in [*TABLE_OF.values(), ("PLAYLIST_ITEM", "")]}
    assert summary.exit_code == 0 and all(rec["reason"] for rec in records)
    found: dict[str, set[str]] = {}
    _ids(body, found)
    for kind, ids in found.items():
        name, column = TABLE_OF[kind]
        landed = {row[column] for row in tables[name]}
        refused = {rec["record"][column] for rec in records if rec["table"] == name}
        assert ids <= landed | refused, (kind, ids - landed - refused)
    items = {row["position"]: row for row in tables["PLAYLIST_ITEM"]}
    refused_at = {rec["record"]["position"] for rec in records if rec["table"] == "PLAYLIST_ITEM"}
    nulls = [i for i, s in enumerate(slots) if s[0] == "null"]
    assert set(items) | refused_at | set(nulls) == set(range(len(slots)))
    assert not set(items) & refused_at
    # No item points at a song or episode that has no row, and skips are exact.
    songs = {row["song_id"] for row in tables["SONGS"]}
    episodes = {row["episode_id"] for row in tables["EPISODE"]}
    assert {i["song_id"] for i in items.values() if i["song_id"]} <= songs
    assert {i["episode_id"] for i in items.values() if i["episode_id"]} <= episodes
    assert summary.skipped == ({"null_items": len(nulls)} if nulls else {})
    no_ids = sum(s[0] == "no_id" for s in slots)
    assert summary.missing_keys == ({"track.id": no_ids} if no_ids else {})


def test_skipped_counts_are_exact_for_every_kind(tmp_path: Path) -> None:
    several = {"tracks": [track(r.T1, "First", r.OLD_ALBUM, [r.ART1]), None, None]}
    local_playing = {**r.CURRENTLY_PLAYING, "item": r.local_track()}
    lines = [
        envelope(several, f"{API}/tracks", kind="tracks"),
        envelope({"error": {"status": 404, "message": "x"}}, f"{API}/a", kind="tracks", status=404),
        envelope({"error": {"status": 403, "message": "x"}}, f"{API}/b", kind="tracks", status=403),
        envelope(r.AD_PLAYING, f"{API}/me/player", kind="tracks"),
        envelope(local_playing, f"{API}/me/player/currently-playing", kind="tracks"),
        envelope(r.SAVED_AUDIOBOOKS, f"{API}/me/audiobooks", kind="tracks"),
        envelope(r.FIELDS_NO_IDS, f"{API}/me/tracks", kind="tracks"),
        envelope(
            {"snapshot_id": "s"}, f"{API}/playlists/{PL}", kind="tracks", params={"fields": "x"}
        ),
        envelope({"display_name": "me", "type": "user", "id": "me"}, f"{API}/me", kind="tracks"),
    ]
    write_part(tmp_path, lines, kind="tracks")
    write_part(tmp_path, [envelope(r.CONTAINS, f"{API}/me/tracks/contains")], part=1)
    summary = run_local(tmp_path)
    assert summary.exit_code == 0 and summary.inputs_quarantined == 0
    assert summary.skipped == {
        "null_items": several["tracks"].count(None),
        "error_replies": 2,
        "nothing_playing": 1,
        "local_files": 1,
        "audiobooks": len(r.SAVED_AUDIOBOOKS["items"]),
        "items_without_id": len(r.FIELDS_NO_IDS["items"]),
        "partial_replies": 1,
        "other_objects": 2,  # the user profile and the contains check
    }
    assert [s.kind for s in summary.skips()][:2] == ["null_items", "items_without_id"]
    assert all(s.reason for s in summary.skips())
    batch = json.loads(next((tmp_path / "transformed" / "_batches").rglob("*.json")).read_text())
    assert batch["skipped"]["error_replies"] == 2 and batch["missing_keys"] == {
        "item.type": 2,
        "track.id": 2,
    }


@pytest.mark.parametrize("name", sorted(CASES))
def test_nothing_disappears_from_any_reply_shape(tmp_path: Path, name: str) -> None:
    """Every id in each real-shaped reply (replies.py) lands in its table or in quarantine
    with a reason, and no SONG_ARTIST, PLAYLIST_ITEM or PLAY points at a song (or episode)
    that has no row."""
    body = CASES[name]
    (tmp_path / "lake").mkdir()
    (tmp_path / "lake" / "reply_2026-11-24.json").write_text(json.dumps(body))
    summary = run_local(tmp_path)
    out = tmp_path / "transformed"
    records = _quarantine(out)
    assert summary.exit_code == 0 and all(rec["reason"] for rec in records)
    found: dict[str, set[str]] = {}
    _ids(body, found)
    for kind, ids in found.items():
        table, column = TABLE_OF[kind]
        landed = {row[column] for row in _rows(out, table)}
        refused = {rec["record"][column] for rec in records if rec["table"] == table}
        assert ids <= landed | refused, (kind, ids - landed - refused)
    songs = {row["song_id"] for row in _rows(out, "SONGS")}
    episodes = {row["episode_id"] for row in _rows(out, "EPISODE")}
    for table in ("SONG_ARTIST", "PLAYLIST_ITEM", "PLAY"):
        assert {row["song_id"] for row in _rows(out, table) if row["song_id"]} <= songs, table
    items = _rows(out, "PLAYLIST_ITEM")
    assert {row["episode_id"] for row in items if row["episode_id"]} <= episodes
