"""Export records -> PLAY rows (pure): track URIs to song ids, names matched where unambiguous.

An extended record keys on its `spotify_track_uri`; a short record (and an extended one
without a URI) has only names, matched on (artist, track), case-folded, against what the
warehouse knows (SONGS with their artists, and the names earlier plays carried). A name
pair that fits two songs is ambiguous and one that fits none is unmatched: both are counted
and kept in the quarantine with that reason, so a later import (once the catalogue has
grown) can place them; nothing is guessed.

Rows go straight to their CSV line (the transform writer's format for model.PLAY; a property
test holds the two equal): an export has 10^5-10^6 plays, and one f-string per play instead
of a tuple, a generic check and a generic formatter is what makes the import several times
faster than reading the same files with json.load.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from spotify_etl.history.formats import Extended, Short
from spotify_etl.model import CSV_NULL

TRACK_URI = "spotify:track:"
AMBIGUOUS = ""  # in the name index: more than one song has this (artist, track)
_MAX_BIGINT = 2**63 - 1
_Q, _QQ = '"', '""'
_SEVEN_NULLS = ",".join([CSV_NULL] * 7)  # reason_start .. conn_country: not in the short format


def text(value: str | None) -> str:
    return CSV_NULL if value is None else _Q + value.replace(_Q, _QQ) + _Q


FLAG = {None: CSV_NULL, True: "true", False: "false"}


class Quoted(dict[str | None, str]):
    """Value -> its CSV text, remembered: an export repeats the same few reasons, platforms,
    countries and a few thousand names; a dict hit is several times cheaper than a call."""

    def __missing__(self, value: str | None) -> str:
        if len(self) > 200_000:  # bounded, whatever the export
            self.clear()
        quoted = self[value] = text(value)
        return quoted


def is_id(value: str) -> bool:
    return len(value) == 22 and value.isascii() and value.isalnum()


class NameIndex:
    """(artist, track) case-folded -> song id, or AMBIGUOUS."""

    def __init__(self, rows: Iterable[tuple[str, str | None, str | None]] = ()) -> None:
        self.songs: dict[tuple[str, str], str] = {}
        for song_id, track, artist in rows:
            if track and artist:
                key = (artist.casefold(), track.casefold())
                seen = self.songs.get(key)
                self.songs[key] = song_id if seen in (None, song_id) else AMBIGUOUS

    def match(self, artist: str | None, track: str | None) -> str | None:
        """The song id, AMBIGUOUS, or None (unknown, or no names at all)."""
        if not artist or not track:
            return None
        return self.songs.get((artist.casefold(), track.casefold()))


class Mapper:
    """One batch's PLAY lines by key, and what could not be placed (counted, quarantined)."""

    def __init__(
        self, names: NameIndex, name: str, minutes: dict[tuple[str, str], str] | None = None
    ) -> None:
        self.names = names
        # (song id, 'YYYY-MM-DD HH:MM') -> the second of a play the API or the extended
        # export already gave: a short-format play of that minute is that play (AMBIGUOUS:
        # several plays of the song in that minute, the short play stays its own row).
        self.minutes = minutes or {}
        self.name = name  # the file, as quarantine records name it
        self.counts: Counter[str] = Counter()  # matched_by_name, ambiguous, unmatched
        self.song_ids: set[str] = set()
        self.quoted = Quoted()
        self.reset()

    def reset(self) -> None:
        self.lines: dict[tuple[str, str], str] = {}
        self.quarantine: list[dict[str, Any]] = []
        self.skipped: Counter[str] = Counter()
        self.rows_in = 0
        self.duplicates = 0

    def reject(self, index: int, reason: str, record: Any) -> None:
        self.quarantine.append(
            {"source": f"{self.name}[{index}]", "table": "PLAY", "reason": reason, "record": record}
        )

    def _keep(self, key: tuple[str, str], line: str) -> None:
        self.rows_in += 1
        seen = self.lines.get(key)
        if seen is None:
            self.lines[key] = line
        else:  # the same play twice in one export: keep one, the same one whatever the order
            self.duplicates += 1
            self.lines[key] = max(seen, line)

    def _by_name(
        self, artist: str | None, track: str | None, index: int, record: Any
    ) -> str | None:
        found = self.names.match(artist, track)
        if found:
            self.counts["matched_by_name"] += 1
            return found
        why = "ambiguous" if found == AMBIGUOUS else "unmatched"
        self.counts[why] += 1
        detail = "fits several songs" if why == "ambiguous" else "fits no known song"
        self.reject(index, f"{why}: no track URI, and artist + track name {detail}", record)
        return None

    def extended(self, records: list[Extended], first: int) -> None:
        parse, ids, q, lines = datetime.fromisoformat, self.song_ids, self.quoted, self.lines
        get = lines.get
        for offset, r in enumerate(records):
            uri, ts, ms = r.spotify_track_uri, r.ts, r.ms_played
            if uri is not None:
                song_id = uri[14:]  # is_id, inlined: this loop runs once per play
                if not (
                    uri.startswith(TRACK_URI)
                    and len(song_id) == 22
                    and song_id.isascii()
                    and song_id.isalnum()
                ):
                    self.reject(first + offset, "spotify_track_uri is not a track URI", _plain(r))
                    continue
            elif r.spotify_episode_uri or r.audiobook_chapter_uri:
                self.skipped["episodes"] += 1  # podcasts and audiobooks: no song to play
                continue
            else:
                found = self._by_name(
                    r.master_metadata_album_artist_name, r.master_metadata_track_name,
                    first + offset, _plain(r),
                )  # fmt: skip
                if found is None:
                    continue
                song_id = found
            try:
                parse(ts)  # a time that does not exist would fail the whole file's load
            except ValueError:
                self.reject(first + offset, f"ts is not an ISO 8601 time: {ts[:40]!r}", _plain(r))
                continue
            if len(ts) == 20 and ts[10] == "T" and ts[19] == "Z":
                played = f"{ts[:10]} {ts[11:19]}"
            else:  # another offset or precision: normalise to UTC whole seconds
                played = _utc(ts)
            if ms is not None and not 0 <= ms <= _MAX_BIGINT:
                self.reject(first + offset, "ms_played is negative or too large", _plain(r))
                continue
            ids.add(song_id)
            key = (played, song_id)
            line = (
                f'"{played}","{song_id}",\\N,{CSV_NULL if ms is None else ms},\\N,\\N,"export",'
                f"{q[r.master_metadata_track_name]},{q[r.master_metadata_album_artist_name]},"
                f"{q[r.reason_start]},{q[r.reason_end]},{FLAG[r.shuffle]},{FLAG[r.skipped]},"
                f"{FLAG[r.offline]},{q[r.platform]},{q[r.conn_country]},"
                # fetched_at: the play's own time, so importing the same export is identical
                f'"{played}"\n'
            )
            seen = get(key)  # _keep, inlined
            self.rows_in += 1
            if seen is None:
                lines[key] = line
            else:
                self.duplicates += 1
                lines[key] = max(seen, line)

    def short(self, records: list[Short], first: int) -> None:
        for offset, r in enumerate(records):
            song_id = self._by_name(r.artistName, r.trackName, first + offset, _plain(r))
            if song_id is None:
                continue
            end, ms = r.endTime, r.msPlayed
            try:  # "YYYY-MM-DD HH:MM", UTC: the minute the play ended (the key's seconds :00)
                minute = datetime.fromisoformat(end).strftime("%Y-%m-%d %H:%M:%S")
            except ValueError:
                self.reject(first + offset, f"endTime is not a time: {end[:40]!r}", _plain(r))
                continue
            if ms is not None and not 0 <= ms <= _MAX_BIGINT:
                self.reject(first + offset, "msPlayed is negative or too large", _plain(r))
                continue
            # The one play of this song known to the second in this minute, if there is one;
            # several: ambiguous, kept at :00 and counted (the warehouse's fold agrees).
            precise = self.minutes.get((song_id, minute[:16]))
            if precise == AMBIGUOUS:
                self.counts["several_plays_in_its_minute"] += 1
            played = precise or minute
            self.song_ids.add(song_id)
            self._keep(
                (played, song_id),
                f'"{played}","{song_id}",\\N,{CSV_NULL if ms is None else ms},\\N,\\N,"export",'
                f"{self.quoted[r.trackName]},{self.quoted[r.artistName]},{_SEVEN_NULLS},"
                # fetched_at: the minute (not the second it maps to), older than the precise
                # row's, so the precise row's values win, as they do when it arrives later
                f'"{minute}"\n',
            )


def _utc(ts: str) -> str:
    moment = datetime.fromisoformat(ts)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _plain(record: Extended | Short) -> dict[str, object]:
    return {f: getattr(record, f) for f in record.__struct_fields__}
