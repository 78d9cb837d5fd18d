"""Finding inputs: raw parts, bare backfill files of every shape, keys vs discovery, S3."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3

from spotify_etl.config import TransformSettings
from spotify_etl.storage import LocalStore, S3Store
from spotify_etl.transform.runner import TransformRun, run_transform
from tests.transform.fixtures import (
    AL1,
    AL2,
    API,
    AR1,
    AR2,
    PL,
    TR1,
    TR2,
    album_simple,
    artist_full,
    artist_simple,
    dev_playlist_lines,
    entry,
    episode_entry,
    items_page,
    local_entry,
    playlist,
    read_table,
    run_local,
    track,
    write_part,
)

PARQUET = TransformSettings(format="parquet", workers=1)


def _bare_files() -> dict[str, Any]:
    a1, a2 = artist_simple(AR1, "One"), artist_simple(AR2, "Two")
    alb = album_simple(AL1, "Album", "2001-02-03", "day", [a1])
    t1 = track(TR1, "T1", alb, [a1, a2], extended=True)
    t2 = track(TR2, "T2", album_simple(AL2, "Other", "2005", "year", [a2]), [a2])
    pl = playlist(PL, "Extended list", "snap-x", 1)
    pl["tracks"] = items_page(PL, [entry(t1, extended=True)], extended=True)
    del pl["items"]
    simple_t2 = {k: v for k, v in t2.items() if k != "album"}
    return {
        "spotify_raw_2024-01-15 10:23:11.123456.json": items_page(
            PL, [entry(t1, extended=True)], extended=True
        ),
        "b/playlist_2024-01-15.json": pl,
        "b/album.json": {
            **alb,
            "tracks": {"href": f"{API}/albums/{AL1}/tracks", "items": [], "total": 0},
        },
        "b/artist.json": artist_full(AR1, "One", ["pop"], followers=3),
        "b/track.json": t2,
        "b/several.json": {"tracks": [t1, None]},
        "b/search.json": {
            "tracks": {"href": f"{API}/search", "items": [t2], "offset": 0, "total": 1},
            "playlists": {"items": [None, playlist(PL, "Found", "s", 3)]},
        },
        "b/album_tracks.json": {
            "href": f"{API}/albums/{AL2}/tracks?offset=0",
            "items": [simple_t2],
            "offset": 0,
            "total": 1,
        },
        "b/artist_albums.json": {
            "href": f"{API}/artists/{AR1}/albums",
            "items": [{**alb, "album_group": "album"}],
            "total": 1,
        },
    }


def test_bare_spotify_responses_are_recognised_by_shape(tmp_path: Path) -> None:
    for name, body in _bare_files().items():
        path = tmp_path / "old-bucket" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(body))
    summary = run_local(tmp_path, date=None)
    assert summary.exit_code == 0 and summary.inputs_quarantined == 0, summary.batches
    out = tmp_path / "transformed"
    songs = {r["song_id"]: r for r in read_table(out, "SONGS")}
    assert set(songs) == {TR1, TR2}
    assert {r["album_id"] for r in read_table(out, "SONGS") if r["song_id"] == TR2} == {AL2}
    items = read_table(out, "PLAYLIST_ITEM")
    # The seed-named file's date comes from its name; the playlist object gives the other.
    assert {(str(r["snapshot_date"]), r["playlist_id"], r["song_id"]) for r in items} == {
        ("2024-01-15", PL, TR1)
    }
    assert {r["album_id"] for r in read_table(out, "ALBUM")} == {AL1, AL2}
    assert [r["genres"] for r in read_table(out, "ARTIST") if r["followers"] == 3] == ['["pop"]']
    assert summary.skipped["null_items"] == 2
    names = [b.batch for b in summary.batches]
    # The two files stamped 2024-01-15 form one batch; the unstamped ones are one each.
    assert any(n.startswith("files-playlist_2024-01-15-") and "-2-" in n for n in names)
    assert sum(n.startswith("file-") for n in names) == len(_bare_files()) - 2


def test_old_pipeline_page_with_local_episode_and_null_tracks(tmp_path: Path) -> None:
    # The seed saved sp.playlist_tracks(): extended shape, everything under `track`.
    a1, a2 = artist_simple(AR1, "One"), artist_simple(AR2, "Two")
    by_year = track(TR1, "Y", album_simple(AL1, "Y", "1999", "year", [a2]), [a1], extended=True)
    by_day = track(TR2, "D", album_simple(AL2, "D", "2021-01-10", "day", [a2]), [a2, a1])
    local, episode = local_entry(), episode_entry()
    entries = [
        entry(by_year, added_at="2021-01-15T10:00:00Z", extended=True),
        {**{k: v for k, v in local.items() if k != "item"}, "track": local["item"]},
        {**{k: v for k, v in episode.items() if k != "item"}, "track": episode["item"]},
        {"added_at": None, "track": None},
        None,
        entry(by_day, added_at="2021-01-15T10:00:00Z", extended=True),
    ]
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "spotify_raw_2023-01-01 08:00:00.json").write_text(
        json.dumps(items_page(PL, entries, extended=True))
    )
    summary = run_local(tmp_path)
    assert summary.exit_code == 0 and summary.inputs_quarantined == 0
    # The local file and the episode are items of the playlist; only the nulls give no row.
    assert summary.skipped == {"null_items": 2}
    out = tmp_path / "transformed"
    assert {r["song_id"]: r["primary_artist_id"] for r in read_table(out, "SONGS")} == {
        TR1: AR1,
        TR2: AR2,
    }
    items = [
        (r["position"], r["item_type"], r["song_id"], r["days_since_release"])
        for r in read_table(out, "PLAYLIST_ITEM")
    ]
    assert items == [
        (0, "track", TR1, None),  # a year is not a day: no made-up difference
        (1, "local", None, None),
        (2, "episode", None, (dt.date(2026, 11, 1) - dt.date(2020, 3, 1)).days),
        (5, "track", TR2, 5),
    ]


def test_lambda_keys_and_discovery_write_identical_files(tmp_path: Path) -> None:
    k0 = write_part(tmp_path / "a", dev_playlist_lines())
    k1 = write_part(tmp_path / "a", dev_playlist_lines(fetched_at="2026-11-24T07:00:00Z"), part=1)
    (tmp_path / "a" / "raw" / "_runs").mkdir()
    (tmp_path / "a" / "raw" / "_runs" / "manifest.json").write_text("{}")
    by_discovery = run_transform(LocalStore(tmp_path / "a"), LocalStore(tmp_path / "d"))
    by_keys = LocalStore(tmp_path / "k")
    for key in (k1, k0, "raw/_runs/manifest.json"):  # one event each, any order
        summary = run_transform(LocalStore(tmp_path / "a"), by_keys, run=TransformRun(keys=[key]))
    assert summary.ignored_keys == ["raw/_runs/manifest.json"]
    assert by_discovery.exit_code == 0
    files_d = {
        p.relative_to(tmp_path / "d"): p.read_bytes()
        for p in (tmp_path / "d").rglob("*")
        if p.is_file()
    }
    files_k = {
        p.relative_to(tmp_path / "k"): p.read_bytes()
        for p in (tmp_path / "k").rglob("*")
        if p.is_file()
    }
    assert files_d == files_k and len(files_d) == 15  # 2 x (6 tables + summary), schema


def test_date_filter_and_the_transformed_zone_inside_the_raw_root(tmp_path: Path) -> None:
    write_part(tmp_path, dev_playlist_lines())
    write_part(tmp_path, dev_playlist_lines(), run_id="20261125T060000Z-00000000", dt="2026-11-25")
    first = run_local(tmp_path, date="2026-11-25")
    assert [b.dt for b in first.batches] == ["2026-11-25"]
    again = run_local(tmp_path)  # _batches/*.json under transformed/ is not taken as input
    assert len(again.batches) == 2 and again.inputs_quarantined == 0


def test_s3_to_s3_through_a_real_moto_server(moto_env: str, tmp_path: Path) -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="lake")
    key = write_part(tmp_path, dev_playlist_lines())
    s3.put_object(Bucket="lake", Key=f"prod/{key}", Body=(tmp_path / key).read_bytes())
    raw, out = S3Store("lake", "prod"), S3Store("lake", "prod/transformed")
    summary = run_transform(raw, out, PARQUET)
    assert summary.exit_code == 0 and len(summary.batches) == 1
    listed = sorted(o.key for o in out.list(""))
    assert (
        "playlist_item/dt=2026-11-24/20261124T060000Z-0a1b2c3d-playlists-part-00000.parquet"
        in listed
    )
    assert any(k.startswith("_batches/dt=2026-11-24/") for k in listed)
    local = LocalStore(tmp_path / "copy")
    for k in listed:
        local.put(k, out.get(k))
    assert len(read_table(tmp_path / "copy", "PLAYLIST_ITEM", fmt="parquet")) == 5
    # A rerun over S3 converges too (the transformed prefix is not read as input).
    assert run_transform(raw, out, PARQUET).output_keys == summary.output_keys


def test_worker_processes_write_the_same_files(tmp_path: Path) -> None:
    for part in range(4):
        write_part(
            tmp_path / "a", dev_playlist_lines(fetched_at=f"2026-11-24T0{part}:00:00Z"), part=part
        )
    one = run_transform(LocalStore(tmp_path / "a"), LocalStore(tmp_path / "one"))
    two = run_transform(
        LocalStore(tmp_path / "a"), LocalStore(tmp_path / "two"), TransformSettings(workers=2)
    )
    assert [b.batch for b in one.batches] == [b.batch for b in two.batches]
    files_1 = {
        p.relative_to(tmp_path / "one"): p.read_bytes()
        for p in (tmp_path / "one").rglob("*")
        if p.is_file()
    }
    files_2 = {
        p.relative_to(tmp_path / "two"): p.read_bytes()
        for p in (tmp_path / "two").rglob("*")
        if p.is_file()
    }
    assert files_1 == files_2 and len(files_1) == 29  # 4 x (6 tables + summary), schema


def test_cli_a_missing_bucket_is_one_line_not_a_botocore_traceback(
    moto_env: str, tmp_path: Path
) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "spotify_etl",
            "transform",
            "--raw",
            "s3://no-such-bucket/raw",
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("error: S3 failed (s3://no-such-bucket/raw") and "NoSuchBucket" in line


def test_many_stamped_pages_form_few_batches_with_the_same_bytes_every_run(
    tmp_path: Path,
) -> None:
    """A seed-era backfill: one page per file, batched by day; a rerun writes the same names
    and bytes, and a batch holds every page's rows."""
    from spotify_etl.transform.runner import BATCH_FILES

    a1 = artist_simple(AR1, "One")
    alb = album_simple(AL1, "Album", "2001-02-03", "day", [a1])
    pages = BATCH_FILES + 3
    for n in range(pages):
        tid = f"{n:022d}"
        page = items_page(PL, [entry(track(tid, f"T{n}", alb, [a1], extended=True), extended=True)])
        path = tmp_path / "old" / f"spotify_raw_2024-01-15 10:{n // 60:02d}:{n % 60:02d}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(page))
    first = run_local(tmp_path, date=None)
    assert first.exit_code == 0 and len(first.batches) == 2
    out = tmp_path / "transformed"
    assert len(read_table(out, "SONGS")) == pages
    written = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    again = run_local(tmp_path, date=None)
    assert [b.batch for b in again.batches] == [b.batch for b in first.batches]
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == written


def test_stamped_files_are_batched_by_count_and_by_bytes_in_key_order() -> None:
    from spotify_etl.transform.batch import Source
    from spotify_etl.transform.runner import batch_files

    def page(n: int, size: int, day: str = "2024-01-15") -> Source:
        key = f"old/spotify_raw_{day} 10:00:{n:02d}.json"
        return Source(key, f"file-{n}", day, "file", stamped=True, size=size)

    files = [page(n, 10) for n in (4, 0, 3, 1, 2)] + [page(9, 10, "2024-01-16")]
    by_count = batch_files(files, max_files=2, max_bytes=1000)
    assert [[m.key[-7:-5] for m in b.members or (b,)] for b in by_count] == [
        ["00", "01"],
        ["02", "03"],
        ["04"],
        ["09"],
    ]
    sizes = [page(0, 30), page(1, 30), page(2, 50), page(3, 200), page(4, 10)]
    by_bytes = batch_files(sizes, max_files=10, max_bytes=100)
    # 30 + 30 fit, + 50 does not; a file bigger than the bound is a batch of its own
    assert [[m.key[-7:-5] for m in b.members or (b,)] for b in by_bytes] == [
        ["00", "01"],
        ["02"],
        ["03"],
        ["04"],
    ]
    assert by_bytes == batch_files(list(reversed(sizes)), max_files=10, max_bytes=100)


def test_stamped_files_batch_the_same_whether_listed_or_passed_as_keys(
    tmp_path: Path, monkeypatch: Any
) -> None:
    from spotify_etl.transform import runner

    a1 = artist_simple(AR1, "One")
    alb = album_simple(AL1, "Album", "2001-02-03", "day", [a1])
    keys = []
    for n in range(5):
        page = items_page(PL, [entry(track(f"{n:022d}", f"T{n}", alb, [a1]))] * (n + 1))
        key = f"old/spotify_raw_2024-01-15 10:00:{n:02d}.json"
        (tmp_path / "raw" / key).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "raw" / key).write_text(json.dumps(page))
        keys.append(key)
    sizes = [(tmp_path / "raw" / k).stat().st_size for k in keys]
    monkeypatch.setattr(runner, "BATCH_BYTES", sizes[0] + sizes[1])  # splits by bytes
    listed = run_transform(LocalStore(tmp_path / "raw"), LocalStore(tmp_path / "d"))
    passed = run_transform(
        LocalStore(tmp_path / "raw"), LocalStore(tmp_path / "k"), run=TransformRun(keys=keys)
    )
    assert [b.batch for b in listed.batches] == [b.batch for b in passed.batches]
    assert len(listed.batches) == 4  # [0, 1], then 2, 3 and 4 alone (each bigger)

    def files(root: Path) -> dict[Path, bytes]:
        return {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    assert files(tmp_path / "d") == files(tmp_path / "k")


def test_a_passed_stamped_key_that_is_gone_is_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "raw").mkdir()
    key = "old/spotify_raw_2024-01-15 10:00:00.json"
    summary = run_transform(
        LocalStore(tmp_path / "raw"), LocalStore(tmp_path / "out"), run=TransformRun(keys=[key])
    )
    assert [u.key for u in summary.unreadable] == [key]
    assert summary.exit_code == 1
