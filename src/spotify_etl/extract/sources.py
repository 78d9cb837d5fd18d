"""The configured sources, normalised to bare ids and checked before any request is made.

Accepted forms for every id: the 22-character base62 id, an open.spotify.com URL (with or
without an `intl-xx/` segment and query string) or a `spotify:<kind>:<id>` URI (the legacy
`spotify:user:<user>:playlist:<id>` form too). A wrong kind (an album URL among playlists) is
an error: it would otherwise fetch the wrong thing every day.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlparse

from spotify_etl.config import LibrarySource, SearchSource, SourcesSettings
from spotify_etl.errors import ConfigError
from spotify_etl.ids import ID_RE

_URL_PATH_RE = re.compile(r"^/(?:intl-[a-z]{2}(?:-[a-zA-Z]{2})?/)?(?:embed/)?([a-z]+)/([^/]+)/?$")
_URI_RE = re.compile(r"^spotify:(?:user:[^:]+:)?([a-z]+):([^:]+)$")


def parse_id(kind: str, value: str) -> str:
    """The bare id in `value`, which must name a `kind` (playlist, album, artist, track)."""
    text = value.strip()
    if ID_RE.fullmatch(text):
        return text
    found_kind, found_id = None, None
    if text.startswith("spotify:"):
        match = _URI_RE.match(text)
        if match:
            found_kind, found_id = match.groups()
    elif text.startswith(("http://", "https://")):
        parsed = urlparse(text)
        if parsed.hostname == "open.spotify.com":
            match = _URL_PATH_RE.match(parsed.path)
            if match:
                found_kind, found_id = match.groups()
    if found_kind is None or found_id is None:
        raise ValueError(f"{value!r} is not a {kind} id, open.spotify.com URL or spotify: URI")
    if found_kind != kind:
        raise ValueError(f"{value!r} names a {found_kind}, not a {kind}")
    if not ID_RE.fullmatch(found_id):
        raise ValueError(f"{value!r} holds an invalid id (ids are 22 characters of 0-9A-Za-z)")
    return found_id


@dataclass(frozen=True)
class ArtistPlan:
    id: str
    discography: bool
    include_groups: tuple[str, ...]


@dataclass(frozen=True)
class ResolvedSources:
    playlists: tuple[str, ...] = ()
    artists: tuple[ArtistPlan, ...] = ()
    albums: tuple[str, ...] = ()
    tracks: tuple[str, ...] = ()
    searches: tuple[SearchSource, ...] = ()
    library: LibrarySource = field(default_factory=LibrarySource)

    def fingerprint(self) -> str:
        """Changes when the configured work changes, so a stale checkpoint is not resumed."""
        data = {
            "playlists": self.playlists,
            "artists": [(a.id, a.discography, a.include_groups) for a in self.artists],
            "albums": self.albums,
            "tracks": self.tracks,
            "searches": [s.model_dump() for s in self.searches],
            "library": self.library.model_dump(),
        }
        blob = json.dumps(data, sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


def _dedupe(ids: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids))


def resolve_sources(sources: SourcesSettings) -> ResolvedSources:
    """Normalise every configured id; raise one ConfigError naming every bad entry."""
    problems: list[str] = []

    def resolve(name: str, kind: str, values: list[str]) -> list[str]:
        out = []
        for index, value in enumerate(values):
            try:
                out.append(parse_id(kind, value))
            except ValueError as exc:
                problems.append(f"sources.{name}[{index}]: {exc}")
        return out

    playlists = resolve("playlists", "playlist", sources.playlists)
    albums = resolve("albums", "album", sources.albums)
    tracks = resolve("tracks", "track", sources.tracks)
    artist_ids = resolve("artists", "artist", [a.id for a in sources.artists])
    if problems:
        raise ConfigError(
            "invalid source" + ("s" if len(problems) > 1 else "") + ": " + "; ".join(problems),
            hint="use 22-character ids, open.spotify.com/<kind>/<id> URLs or spotify:<kind>:<id>",
        )
    artists: dict[str, ArtistPlan] = {}
    for artist, artist_id in zip(sources.artists, artist_ids, strict=True):
        artists.setdefault(
            artist_id,
            ArtistPlan(artist_id, artist.discography, tuple(dict.fromkeys(artist.include_groups))),
        )
    return ResolvedSources(
        playlists=_dedupe(playlists),
        artists=tuple(artists.values()),
        albums=_dedupe(albums),
        tracks=_dedupe(tracks),
        searches=tuple(sources.searches),
        library=sources.library,
    )
