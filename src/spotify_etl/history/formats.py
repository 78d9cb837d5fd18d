"""The two privacy-export formats of a Spotify listening history, and what is kept of them.

Extended streaming history (`Streaming_History_Audio_<years>_<n>.json`, formerly
`endsong_<n>.json`): a JSON array of objects with `ts` (when the stream ended, UTC, whole
seconds), `ms_played`, `spotify_track_uri`, `master_metadata_track_name`,
`master_metadata_album_artist_name`, `master_metadata_album_album_name`, `reason_start`,
`reason_end`, `shuffle`, `skipped`, `offline`, `offline_timestamp`, `incognito_mode`,
`platform`, `conn_country`, `ip_addr` (`ip_addr_decrypted` in older exports), `username`,
`user_agent_decrypted`, and episode / audiobook fields. Sources: Spotify's "Understanding my
data" (support.spotify.com/article/understanding-my-data/, "Date and time of when the stream
ended in UTC format"), and exports shown at lexffe.xyz/tech-blog/spotify-history/ and
pypi.org/project/spotify-history-reader/.

Account data (`StreamingHistory_music_<n>.json`, formerly `StreamingHistory<n>.json`): a JSON
array of `{endTime: "YYYY-MM-DD HH:MM" (UTC, minutes), artistName, trackName, msPlayed}`, no
URI (the field names as in github.com/tyty0310/Spotify-Wrapped-Early's README).

Personal fields: `ip_addr`, `ip_addr_decrypted`, `username` and `user_agent_decrypted` are
dropped, never hashed. No question the warehouse answers needs them (`conn_country` keeps the
coarse location), and a hash of an IPv4 address is reversible by trying all 2^32 unless its
key stays secret, which would be one more secret to keep for no use. The structs below do not
declare them, so the decoder skips them without ever making a Python string of them, and
quarantine records are scrubbed of them (`scrub`).
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any, Literal

import msgspec

Format = Literal["extended", "short"]

PERSONAL = ("ip_addr", "ip_addr_decrypted", "username", "user_agent_decrypted")
_PERSONAL_TEXT = re.compile(
    rb'"(' + b"|".join(p.encode() for p in PERSONAL) + rb')"\s*:\s*("(?:[^"\\]|\\.)*"|[^,}\s]*)'
)

# File name patterns inside an export (a ZIP, or its unpacked folder).
MUSIC_FILES: dict[str, Format] = {
    "Streaming_History_Audio_*.json": "extended",
    "endsong_*.json": "extended",
    "StreamingHistory_music_*.json": "short",
    "StreamingHistory[0-9]*.json": "short",
}


class Extended(msgspec.Struct, gc=False):
    ts: str
    ms_played: int | None = None
    spotify_track_uri: str | None = None
    master_metadata_track_name: str | None = None
    master_metadata_album_artist_name: str | None = None
    spotify_episode_uri: str | None = None
    audiobook_chapter_uri: str | None = None
    reason_start: str | None = None
    reason_end: str | None = None
    shuffle: bool | None = None
    skipped: bool | None = None
    offline: bool | None = None
    platform: str | None = None
    conn_country: str | None = None


class Short(msgspec.Struct, gc=False):
    endTime: str
    artistName: str | None = None
    trackName: str | None = None
    msPlayed: int | None = None


RECORD_TYPES: dict[Format, type[Extended] | type[Short]] = {"extended": Extended, "short": Short}


def format_of(name: str) -> Format | None:
    """The format of an export member by its file name; None for every other file
    (video and podcast histories, account details, the PDF)."""
    base = name.rsplit("/", 1)[-1]
    for pattern, fmt in MUSIC_FILES.items():
        if fnmatch.fnmatchcase(base, pattern):
            return fmt
    return None


def sniff(head: bytes) -> Format | None:
    """The format of a file named otherwise, from its first bytes."""
    if b'"ts"' in head:
        return "extended"
    if b'"endTime"' in head:
        return "short"
    return None


def scrub(value: Any) -> Any:
    """A bad element for the quarantine: decoded data without the personal fields, or the
    raw text with their values blanked (when it is not even JSON)."""
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k not in PERSONAL}
    if isinstance(value, bytes):
        text = _PERSONAL_TEXT.sub(rb'"\1": "<dropped>"', value[:4096])
        return text.decode("utf-8", "replace")
    return value
