"""Privacy-export files of the simulated listener, in both real formats (for tests and the demo).

The plays are the play clock's (simulator.playclock), so an export overlaps the simulated
recently-played exactly where a real one overlaps the real API: same end time (to the second)
and same track. Field names and layout follow formats.py of spotify_etl.history (cited there):
a JSON array per file, pretty-printed, about 16,000 plays per extended file (~12 MB, as the
real ones), `Streaming_History_Audio_<first year>-<last year>_<n>.json` in
`Spotify Extended Streaming History/`, and `StreamingHistory_music_<n>.json` in
`Spotify Account Data/`. IP addresses are from 203.0.113.0/24 (TEST-NET-3, RFC 5737).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import msgspec

from spotify_etl.simulator.playclock import Play, PlayClock

PER_FILE_EXTENDED = 16_000
PER_FILE_SHORT = 10_000
EXTENDED_DIR = "Spotify Extended Streaming History"
SHORT_DIR = "Spotify Account Data"
_PLATFORMS = ("Android OS 14 API 34 (Google, Pixel 8)", "iOS 18.1 (iPhone15,2)",
              "Windows 10 (10.0.19045; x64)", "OS X 14.5.0 [arm 2]")  # fmt: skip
_REASONS_START = ("trackdone", "clickrow", "fwdbtn", "playbtn", "appload")
_encode = msgspec.json.Encoder().encode


@dataclass(frozen=True)
class Bad:
    """Broken elements to mix in (a real export has none; an importer must survive them)."""

    wrong_types: int = 0  # ms_played as a string
    no_ts: int = 0  # the required field missing
    bad_ts: int = 0  # a time that does not exist
    episodes: int = 0  # podcast plays: skipped, not quarantined


def _ts(ms: int) -> str:
    return datetime.fromtimestamp(ms // 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=8192)
def _names(clock: PlayClock, t: int) -> tuple[str, str, str, str, str]:
    """(track name, album artist, album name, track id, first track artist) of a track."""
    c = clock.catalog
    track = c.track(t)
    album = c.album(track.album)
    first = c.artist(track.artists[0]).name
    return track.name, c.artist(album.artist).name, album.name, track.id, first


def extended_record(clock: PlayClock, play: Play) -> dict[str, Any]:
    name, album_artist, album, track_id, _first = _names(clock, play.track)
    r = play.key
    return {
        "ts": _ts(play.ended_ms),
        "username": "simulated-listener",
        "platform": _PLATFORMS[r % len(_PLATFORMS)],
        "ms_played": play.ms_played,
        "conn_country": "SE",
        "ip_addr": f"203.0.113.{r % 250 + 1}",
        "master_metadata_track_name": name,
        "master_metadata_album_artist_name": album_artist,
        "master_metadata_album_album_name": album,
        "spotify_track_uri": f"spotify:track:{track_id}",
        "episode_name": None,
        "episode_show_name": None,
        "spotify_episode_uri": None,
        "audiobook_title": None,
        "audiobook_uri": None,
        "audiobook_chapter_uri": None,
        "audiobook_chapter_title": None,
        "reason_start": _REASONS_START[(r >> 3) % len(_REASONS_START)],
        "reason_end": "fwdbtn" if play.skipped else "trackdone",
        "shuffle": play.shuffle,
        "skipped": play.skipped,
        "offline": (r >> 7) % 20 == 0,
        "offline_timestamp": None,
        "incognito_mode": False,
    }


def short_record(clock: PlayClock, play: Play) -> dict[str, Any]:
    name, _album_artist, _album, _id, first = _names(clock, play.track)
    moment = datetime.fromtimestamp(play.ended_ms // 1000, tz=UTC)
    return {
        "endTime": moment.strftime("%Y-%m-%d %H:%M"),
        "artistName": first,
        "trackName": name,
        "msPlayed": play.ms_played,
    }


def _with_bad(records: list[dict[str, Any]], bad: Bad) -> Iterator[dict[str, Any]]:
    yield from records
    base = records[-1] if records else {"ts": "2026-01-01T00:00:00Z"}
    for n in range(bad.wrong_types):
        yield {**base, "ms_played": f"{n} ms"}
    for _ in range(bad.no_ts):
        yield {k: v for k, v in base.items() if k != "ts"}
    for _ in range(bad.bad_ts):
        yield {**base, "ts": "2026-02-30T25:00:00Z"}
    for n in range(bad.episodes):
        yield {**base, "spotify_track_uri": None, "master_metadata_track_name": None,
               "spotify_episode_uri": f"spotify:episode:{'0' * 21}{n % 10}"}  # fmt: skip


def _write(path: Path, records: Iterator[dict[str, Any]] | list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(msgspec.json.format(_encode(list(records)), indent=2))


def write_export(
    clock: PlayClock,
    folder: Path,
    start: datetime,
    end: datetime,
    *,
    fmt: str = "extended",
    bad: Bad | None = None,
    per_file: int | None = None,
) -> list[Path]:
    """Write the plays that ended in [start, end) as export files under `folder`."""
    plays = clock.plays_between(int(start.timestamp() * 1000) - 1, int(end.timestamp() * 1000) - 1)
    if fmt == "extended":
        size = per_file or PER_FILE_EXTENDED
        years = f"{start.year}-{end.year}" if start.year != end.year else f"{start.year}"
        make, name = extended_record, f"{EXTENDED_DIR}/Streaming_History_Audio_{years}_{{n}}.json"
    else:
        size = per_file or PER_FILE_SHORT
        make, name = short_record, f"{SHORT_DIR}/StreamingHistory_music_{{n}}.json"
    out = []
    chunks = [plays[i : i + size] for i in range(0, len(plays), size)] or [[]]
    for n, chunk in enumerate(chunks):
        records = [make(clock, p) for p in chunk]
        last = n == len(chunks) - 1
        path = folder / name.format(n=n)
        _write(path, _with_bad(records, bad) if (bad and last) else records)
        out.append(path)
    return out


def zip_export(files: list[Path], root: Path, target: Path) -> Path:
    """The files as Spotify ships them: one ZIP (`my_spotify_data.zip`)."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, path.relative_to(root).as_posix())
    return target
