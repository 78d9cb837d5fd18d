"""Export records -> PLAY rows (pure): track URIs to song ids, names matched where unambiguous.

An extended record keys on its `spotify_track_uri`; a short record (and an extended one
without a URI) has only names, matched on (artist, track), case-folded, against what the
warehouse knows (SONGS with their artists, and the names earlier plays carried). A name
pair that fits two songs is ambiguous and one that fits none is unmatched: both are counted
and kept in the quarantine with that reason, so a later import (once the catalogue has
grown) can place them; nothing is guessed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from spotify_etl.history.formats import Extended, Short
from spotify_etl.transform.collector import Collector
from spotify_etl.transform.plays import SOURCE_EXPORT
from spotify_etl.transform.values import BadValue, utc_timestamp

TRACK_URI = "spotify:track:"
AMBIGUOUS = ""  # in the name index: more than one song has this (artist, track)


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
    """Adds one file's records to a batch's PLAY rows, counting what it cannot place."""

    def __init__(self, names: NameIndex, name: str) -> None:
        self.names = names
        self.name = name  # the file, as quarantine records name it
        self.counts: Counter[str] = Counter()
        self.song_ids: set[str] = set()

    def _by_name(self, out: Collector, artist: str | None, track: str | None, index: int,
                 record: object) -> str | None:  # fmt: skip
        found = self.names.match(artist, track)
        if found:
            self.counts["matched_by_name"] += 1
            return found
        why = "ambiguous" if found == AMBIGUOUS else "unmatched"
        self.counts[why] += 1
        detail = "fits several songs" if why == "ambiguous" else "fits no known song"
        reason = f"{why}: no track URI, and artist + track name {detail}"
        out.tables["PLAY"].reject(f"{self.name}[{index}]", reason, record)
        return None

    def extended(self, out: Collector, records: list[Extended], first: int) -> None:
        add = out.tables["PLAY"].add
        ids = self.song_ids
        for offset, r in enumerate(records):
            uri = r.spotify_track_uri
            if uri is not None and uri.startswith(TRACK_URI):
                song_id: str | None = uri[14:]
            elif uri is not None:
                self._bad(out, first + offset, "spotify_track_uri is not a track URI", r)
                continue
            elif r.spotify_episode_uri or r.audiobook_chapter_uri:
                out.skip("episodes")  # podcasts and audiobooks are no PLAY of a song
                continue
            else:
                song_id = self._by_name(
                    out, r.master_metadata_album_artist_name, r.master_metadata_track_name,
                    first + offset, _plain(r),
                )  # fmt: skip
                if song_id is None:
                    continue
            try:
                played = utc_timestamp(r.ts)
            except BadValue as exc:
                self._bad(out, first + offset, f"ts: {exc}", r)
                continue
            ids.add(song_id)  # type: ignore[arg-type]
            add(
                (
                    played, song_id, None, r.ms_played, None, None, SOURCE_EXPORT,
                    r.master_metadata_track_name, r.master_metadata_album_artist_name,
                    r.reason_start, r.reason_end, r.shuffle, r.skipped, r.offline,
                    r.platform, r.conn_country,
                    played,  # fetched_at: the play's own time, so a re-import is identical
                ),
                self.name,
            )  # fmt: skip

    def short(self, out: Collector, records: list[Short], first: int) -> None:
        add = out.tables["PLAY"].add
        for offset, r in enumerate(records):
            song_id = self._by_name(out, r.artistName, r.trackName, first + offset, _plain(r))
            if song_id is None:
                continue
            try:
                # "YYYY-MM-DD HH:MM", UTC: the play's minute (the key's seconds are :00)
                played = utc_timestamp(r.endTime.replace(" ", "T") + ":00+00:00")
            except BadValue as exc:
                self._bad(out, first + offset, f"endTime: {exc}", r)
                continue
            self.song_ids.add(song_id)
            add(
                (
                    played, song_id, None, r.msPlayed, None, None, SOURCE_EXPORT,
                    r.trackName, r.artistName, *(None,) * 7, played,
                ),
                self.name,
            )  # fmt: skip

    def _bad(self, out: Collector, index: int, reason: str, record: Extended | Short) -> None:
        out.tables["PLAY"].reject(f"{self.name}[{index}]", reason, _plain(record))


def _plain(record: Extended | Short) -> dict[str, object]:
    return {f: getattr(record, f) for f in record.__struct_fields__}
