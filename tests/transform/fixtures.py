"""Small literal Spotify replies (both profiles) and helpers to write them as raw parts."""

from __future__ import annotations

import copy
import gzip
import json
from pathlib import Path
from typing import Any

from spotify_etl.rawzone import part_key

RUN = "20261124T060000Z-0a1b2c3d"
DT = "2026-11-24"

# 22-character base62 ids, readable at a glance.
PL = "PLAYLIST0000000000000a"
AL1 = "ALBUM00000000000000001"
AL2 = "ALBUM00000000000000002"
AR1 = "ARTIST0000000000000001"
AR2 = "ARTIST0000000000000002"
AR3 = "ARTIST0000000000000003"
TR1 = "TRACK00000000000000001"
TR2 = "TRACK00000000000000002"
TR3 = "TRACK00000000000000003"
API = "https://api.spotify.com/v1"


def artist_simple(aid: str, name: str) -> dict[str, Any]:
    return {
        "external_urls": {"spotify": f"https://open.spotify.com/artist/{aid}"},
        "href": f"{API}/artists/{aid}",
        "id": aid,
        "name": name,
        "type": "artist",
        "uri": f"spotify:artist:{aid}",
    }


def album_simple(
    aid: str, name: str, date: str, precision: str, artists: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "album_type": "album",
        "total_tracks": 10,
        "external_urls": {"spotify": f"https://open.spotify.com/album/{aid}"},
        "href": f"{API}/albums/{aid}",
        "id": aid,
        "images": [{"url": f"https://i.scdn.co/image/{aid}-640", "height": 640, "width": 640}],
        "name": name,
        "release_date": date,
        "release_date_precision": precision,
        "type": "album",
        "uri": f"spotify:album:{aid}",
        "artists": artists,
    }


def album_full(
    aid: str, name: str, date: str, precision: str, artists: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    """A full album object (GET /albums/{id}): it has a `tracks` page, unlike a simplified one."""
    obj = album_simple(aid, name, date, precision, artists)
    obj["tracks"] = {"href": f"{API}/albums/{aid}/tracks", "items": [], "offset": 0, "total": 0}
    obj["external_ids"] = {"upc": f"UPC{aid[-4:]}"}
    obj.update(extra)
    return obj


def track(
    tid: str,
    name: str,
    album: dict[str, Any],
    artists: list[dict[str, Any]],
    *,
    duration_ms: Any = 200_400,
    extended: bool = False,
) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "album": album,
        "artists": artists,
        "disc_number": 1,
        "duration_ms": duration_ms,
        "explicit": False,
        "external_ids": {"isrc": f"US{tid[-10:]}"},
        "external_urls": {"spotify": f"https://open.spotify.com/track/{tid}"},
        "href": f"{API}/tracks/{tid}",
        "id": tid,
        "is_local": False,
        "name": name,
        "track_number": 3,
        "type": "track",
        "uri": f"spotify:track:{tid}",
    }
    if extended:
        obj["popularity"] = 71
        obj["available_markets"] = ["US", "SE"]
        obj["album"] = {**album, "available_markets": ["US"]}
    return obj


def entry(
    content: Any, *, added_at: str | None = "2026-11-01T10:00:00Z", extended: bool = False
) -> dict[str, Any]:
    field = "track" if extended else "item"
    return {
        "added_at": added_at,
        "added_by": {"id": "owner_user", "type": "user"},
        "is_local": False,
        field: content,
    }


def local_entry() -> dict[str, Any]:
    return {
        "added_at": "2026-11-02T10:00:00Z",
        "added_by": {"id": "owner_user", "type": "user"},
        "is_local": True,
        "item": {
            "album": {"id": None, "name": "My Rips", "type": "album", "artists": []},
            "artists": [{"id": None, "name": "Me", "type": "artist"}],
            "duration_ms": 123000,
            "id": None,
            "is_local": True,
            "name": "home recording",
            "type": "track",
            "uri": "spotify:local:Me:My+Rips:home+recording:123",
        },
    }


SHOW1 = "SHOW000000000000000001"
EP1 = "EPISODE000000000000001"


def show_simple(sid: str = SHOW1, name: str = "A Show") -> dict[str, Any]:
    """A SimplifiedShowObject (ShowBase in openapi.yml), as in an episode or a saved show."""
    return {
        "available_markets": [],
        "copyrights": [],
        "description": "Talk about things.",
        "html_description": "<p>Talk about things.</p>",
        "explicit": False,
        "external_urls": {"spotify": f"https://open.spotify.com/show/{sid}"},
        "href": f"{API}/shows/{sid}",
        "id": sid,
        "images": [{"url": f"https://i.scdn.co/image/{sid}", "height": 640, "width": 640}],
        "is_externally_hosted": False,
        "languages": ["en"],
        "media_type": "audio",
        "name": name,
        "publisher": "Pod Co",
        "type": "show",
        "uri": f"spotify:show:{sid}",
        "total_episodes": 120,
    }


def episode(eid: str = EP1, name: str = "A podcast", *, show: bool = True) -> dict[str, Any]:
    """An EpisodeObject (EpisodeBase + show); without `show` a SimplifiedEpisodeObject."""
    obj: dict[str, Any] = {
        "audio_preview_url": None,
        "description": "Episode one.",
        "html_description": "<p>Episode one.</p>",
        "duration_ms": 1_800_000,
        "explicit": False,
        "external_urls": {"spotify": f"https://open.spotify.com/episode/{eid}"},
        "href": f"{API}/episodes/{eid}",
        "id": eid,
        "images": [{"url": f"https://i.scdn.co/image/{eid}", "height": 640, "width": 640}],
        "is_externally_hosted": False,
        "is_playable": True,
        "languages": ["en"],
        "name": name,
        "release_date": "2020-03-01",
        "release_date_precision": "day",
        "resume_point": {"fully_played": False, "resume_position_ms": 0},
        "type": "episode",
        "uri": f"spotify:episode:{eid}",
    }
    if show:
        obj["show"] = show_simple()
    return obj


def episode_entry() -> dict[str, Any]:
    return entry(episode())


def items_page(
    pid: str, entries: list[Any], *, offset: int = 0, extended: bool = False
) -> dict[str, Any]:
    path = "tracks" if extended else "items"
    return {
        "href": f"{API}/playlists/{pid}/{path}?offset={offset}&limit=50",
        "items": entries,
        "limit": 50,
        "next": None,
        "offset": offset,
        "previous": None,
        "total": offset + len(entries),
    }


def playlist(pid: str, name: str, snapshot: str, total: int) -> dict[str, Any]:
    return {
        "collaborative": False,
        "description": "",
        "external_urls": {"spotify": f"https://open.spotify.com/playlist/{pid}"},
        "href": f"{API}/playlists/{pid}",
        "id": pid,
        "images": [],
        "name": name,
        "owner": {"id": "owner_user", "display_name": "Owner", "type": "user"},
        "public": True,
        "snapshot_id": snapshot,
        "items": {"href": f"{API}/playlists/{pid}/items", "total": total},
        "type": "playlist",
        "uri": f"spotify:playlist:{pid}",
    }


def artist_full(
    aid: str, name: str, genres: list[str] | None, followers: int | None = None
) -> dict[str, Any]:
    obj = artist_simple(aid, name)
    obj["images"] = [{"url": f"https://i.scdn.co/image/{aid}", "height": 640, "width": 640}]
    if genres is not None:
        obj["genres"] = genres
    if followers is not None:
        obj["followers"] = {"href": None, "total": followers}
        obj["popularity"] = 55
    return obj


def envelope(
    body: Any,
    url: str,
    *,
    fetched_at: str = "2026-11-24T06:00:01.000000Z",
    kind: str = "playlists",
    source_id: str | None = None,
    profile: str = "development",
    status: int = 200,
    run_id: str = RUN,
    dt: str = DT,
    **extra: Any,
) -> dict[str, Any]:
    env: dict[str, Any] = {
        "method": "GET",
        "url": url,
        "params": {},
        "status": status,
        "fetched_at": fetched_at,
        "profile": profile,
        "run_id": run_id,
        "source_kind": kind,
        "dt": dt,
        "body": copy.deepcopy(body),
    }
    if source_id is not None:
        env["source_id"] = source_id
    env.update(extra)
    return env


def write_part(
    root: Path,
    lines: list[Any],
    *,
    kind: str = "playlists",
    part: int = 0,
    run_id: str = RUN,
    dt: str = DT,
) -> str:
    """Write envelopes (dicts, or raw bytes for bad lines) as a raw part; returns the key."""
    key = part_key(kind, dt, run_id, part)
    path = root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    data = b"".join(
        (line if isinstance(line, bytes) else json.dumps(line, ensure_ascii=False).encode()) + b"\n"
        for line in lines
    )
    path.write_bytes(gzip.compress(data, mtime=0))
    return key


def dev_playlist_lines(*, fetched_at: str = "2026-11-24T06:00:01.000000Z") -> list[dict[str, Any]]:
    """A development-mode playlist: object + one items page with a feat. track, a local
    file, an episode and a null item."""
    a1, a2, a3 = (
        artist_simple(AR1, "  Björk "),
        artist_simple(AR2, "Beta"),
        artist_simple(AR3, "Gamma"),
    )
    alb1 = album_simple(AL1, "Year Album", "1999", "year", [a3])  # album artist is not the track's
    alb2 = album_simple(AL2, "Day Album", "2026-10-30", "day", [a2])
    t1 = track(TR1, "Song One", alb1, [a1, a2])
    t2 = track(TR2, "Song Two", alb2, [a2])
    entries = [
        entry(t1),
        local_entry(),
        entry(t2),
        episode_entry(),
        {"added_at": None, "item": None},
        entry(t1),
    ]
    return [
        envelope(
            playlist(PL, "My List", "snap-1", len(entries)),
            f"{API}/playlists/{PL}",
            source_id=PL,
            fetched_at=fetched_at,
        ),
        envelope(
            items_page(PL, entries),
            f"{API}/playlists/{PL}/items",
            source_id=PL,
            fetched_at=fetched_at,
        ),
    ]


def read_table(out_root: Path, table_name: str, fmt: str = "csv") -> list[dict[str, Any]]:
    """A transformed table read back through DuckDB with the declared types, in key order."""
    import duckdb

    from spotify_etl import model
    from spotify_etl.transform.writer import csv_read_sql

    table = model.TABLES_BY_NAME[table_name]
    files = sorted(
        (out_root / table.folder).glob("dt=*/*." + ("csv.gz" if fmt == "csv" else "parquet"))
    )
    if not files:
        return []
    con = duckdb.connect()
    rows: list[dict[str, Any]] = []
    for f in files:
        src = (
            csv_read_sql(table, str(f))
            if fmt == "csv"
            else f"read_parquet('{f}', hive_partitioning=false)"
        )
        cur = con.execute(f"SELECT * FROM {src} ORDER BY ALL")
        names = [d[0] for d in cur.description]
        rows += [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    return rows


def run_local(
    root: Path, *, fmt: str = "csv", max_record_bytes: int | None = None, **run: Any
) -> Any:
    """run_transform over `root` into `root/transformed`; `run` is TransformRun's fields."""
    from spotify_etl.config import TransformSettings
    from spotify_etl.storage import LocalStore
    from spotify_etl.transform.runner import IN_PROCESS, TransformRun, run_transform

    update: dict[str, Any] = {"format": fmt}
    if max_record_bytes is not None:
        update["max_record_bytes"] = max_record_bytes
    settings = TransformSettings.model_validate(IN_PROCESS.model_dump() | update)
    return run_transform(
        LocalStore(root), LocalStore(root / "transformed"), settings, TransformRun(**run)
    )
