"""The general search engine: any query, matched on names and filters, over a bounded scan.

Candidates come in a fixed order from the most selective part of the query: an ISRC or UPC
names one entity; a word that can only be a keyword (names start with one, see names.py)
gives arithmetic sequences of indices; otherwise every entity in index order (future releases
after the day-0 catalog). At most SCAN_LIMIT candidates are examined, so a vague query over a
million tracks settles for the hits among the first ones, as real search ranks a bounded
candidate set. Hits are ordered by relevance, deterministically: names that start with the
query's first word or phrase first, then the rest, each in index order.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from itertools import chain, islice

from spotify_etl.simulator import names
from spotify_etl.simulator.catalog import ALBUM, ARTIST, BASE_DATE, PLAYLIST, TRACK, Catalog
from spotify_etl.simulator.playlists import Playlists
from spotify_etl.simulator.query import Query, Text, words

SCAN_LIMIT = 10_000  # candidates examined per query: a large catalog settles for what it found
NEW_DAYS = 14  # tag:new: "albums released in the past two weeks" (Spotify's search reference)
HIPSTER = 10  # tag:hipster: "albums with the lowest 10% popularity" (the same page)
APPLICABLE = {  # which filters each type honours (Spotify's search reference)
    TRACK: {"artist", "album", "track", "year", "genre", "isrc"},
    ALBUM: {"artist", "album", "year", "upc", "tag:new", "tag:hipster"},
    ARTIST: {"artist", "genre", "year"},
    PLAYLIST: set(),
}
_KEYWORDS = [words(k)[0] for k in names.KEYWORDS]
_OTHER_WORDS = {
    w
    for part in (*names.DECOR, *names.TRACK_SUFFIX, *names.ARTIST_SUFFIX, "Deluxe Edition")
    for w in words(part)
}


def _hit(name_word: str, word: str, whole: bool) -> bool:
    return name_word == word if whole else name_word.startswith(word)


def keyword_anchor(text: Text) -> list[int] | None:
    """Keywords one of the text's words can only mean (the fewest), or None if every word
    could also match a decoration: candidates then come from arithmetic sequences."""
    best: list[int] | None = None
    options = [(t, False) for t in text.terms] + [(p[0], True) for p in text.phrases]
    for word, whole in options:
        if any(_hit(w, word, whole) for w in _OTHER_WORDS):
            continue
        ids = [k for k, w in enumerate(_KEYWORDS) if _hit(w, word, whole)]
        if best is None or len(ids) < len(best):
            best = ids
    return best


class Engine:
    """Hits of one parsed query: matched by `Matcher`, from candidates in a fixed order."""

    def __init__(self, catalog: Catalog, playlists: Playlists) -> None:
        self.c = catalog
        self.p = playlists

    def run(self, kind: int, query: Query, day: int, dev: bool, deepest: int) -> tuple[int, ...]:
        used = query.uses()
        if query.broken or used - APPLICABLE[kind] or (dev and "genre" in used):
            return ()  # genres are absent in development mode (docs/spotify-api.md)
        match = Matcher(self.c, self.p, query, day).of(kind)
        lead: list[int] = []
        rest: list[int] = []
        for i in islice(self._candidates(kind, query, day), SCAN_LIMIT):
            tier = match(i)
            if tier is not None:
                (lead if tier == 0 else rest).append(i)
                if len(lead) >= deepest:
                    break
        return tuple((sorted(lead) + sorted(rest))[:deepest])

    def _sequence(self, kind: int, ids: list[int], stop: int) -> Iterator[int]:
        k = len(names.KEYWORDS)
        return heapq.merge(*(range((i - kind * 7) % k, stop, k) for i in ids))

    def _tracks_of(self, albums: Iterable[int]) -> Iterator[int]:
        for b in albums:
            first, count = self.c.album_tracks(b)
            yield from range(first, first + count)

    def _albums_of(self, artists: Iterable[int], day: int) -> Iterator[int]:
        for a in artists:
            yield from self.c.artist_albums(a, day)

    def _candidates(self, kind: int, query: Query, day: int) -> Iterator[int]:
        c, fields = self.c, query.fields
        albums = c.n_albums + c.future_count(day)
        own = query.text or fields.get("track" if kind == TRACK else "album", Text())
        if kind == ARTIST:
            own = query.text or fields.get("artist", Text())
        ids = keyword_anchor(own) if own else None
        album_ids = keyword_anchor(fields["album"]) if "album" in fields else None
        artist_ids = keyword_anchor(fields["artist"]) if "artist" in fields else None
        if kind == TRACK:
            if query.isrc:
                found = track_of_isrc(query.isrc)
                return iter([] if found is None or found >= c.track_bound else [found])
            if ids is not None:
                future = heapq.merge(*(c.future_tracks(i, day) for i in ids))
                return chain(self._sequence(TRACK, ids, c.n_tracks), future)
            if album_ids is not None:
                return self._tracks_of(self._sequence(ALBUM, album_ids, albums))
            if artist_ids is not None and c.n_tracks > SCAN_LIMIT:  # features may be missed
                artists = self._sequence(ARTIST, artist_ids, c.n_artists)
                return self._tracks_of(self._albums_of(artists, day))
            return chain(range(c.n_tracks), self._tracks_of(range(c.n_albums, albums)))
        if kind == ALBUM:
            if query.upc:
                found = album_of_upc(query.upc)
                return iter([] if found is None or found >= albums else [found])
            if "tag:new" in query.uses():
                return self._new_albums(day)
            if ids is not None:
                return self._sequence(ALBUM, ids, albums)
            if artist_ids is not None:
                return self._albums_of(self._sequence(ARTIST, artist_ids, c.n_artists), day)
            return iter(range(albums))
        count = c.n_artists if kind == ARTIST else c.n_playlists
        return self._sequence(kind, ids, count) if ids is not None else iter(range(count))

    def _new_albums(self, day: int) -> Iterator[int]:
        c = self.c  # future releases of older days are out of the window: skip them
        first = c.n_albums + c.per_day * max(0, day - NEW_DAYS)
        return chain(range(c.n_albums), range(first, c.n_albums + c.future_count(day)))


def track_of_isrc(code: str) -> int | None:
    """The track of an ISRC the catalog mints (catalog.isrc), or None."""
    if len(code) != 12 or not code.startswith("QZ") or not code[7:].isdigit():
        return None
    if not code[2:5].isascii() or not code[2:5].isalnum():
        return None
    return int(code[2:5], 36) * 100_000 + int(code[7:])


def album_of_upc(code: str) -> int | None:
    """The album of a UPC the catalog mints (catalog.upc), or None."""
    if len(code) != 12 or not code.isdigit() or not code.startswith("19"):
        return None
    return int(code[2:11])


class Matcher:
    """Whether entity i matches: None if not, else its relevance tier (0 is better)."""

    def __init__(self, catalog: Catalog, playlists: Playlists, query: Query, day: int) -> None:
        self.c, self.p, self.q, self.day = catalog, playlists, query, day

    def of(self, kind: int) -> Callable[[int], int | None]:
        return {TRACK: self.track, ALBUM: self.album, ARTIST: self.artist}.get(kind, self.playlist)

    def _own(self, name: str, field: str) -> int | None:
        text, other = self.q.text, self.q.fields.get(field)
        found = words(name)
        if not text.matches(found) or (other is not None and not other.matches(found)):
            return None
        lead = text or other
        return 0 if lead is None or not lead or lead.leads(found) else 1

    def _field(self, field: str, name: str) -> bool:
        text = self.q.fields.get(field)
        return text is None or text.matches(words(name))

    def _years(self, release_date: str) -> bool:
        years = self.q.years
        return years is None or years[0] <= int(release_date[:4]) <= years[1]

    def _genre(self, a: int) -> bool:
        text = self.q.fields.get("genre")
        return text is None or any(text.matches(words(g)) for g in self.c.artist(a).genres)

    def track(self, t: int) -> int | None:
        c, q = self.c, self.q
        if not c.track_visible(t, self.day):
            return None
        tier = self._own(c.track_name(t), "track")
        if tier is None:
            return None
        b = c.track_album(t)
        artists = c.track_artists(t)
        if not self._field("album", c.album_name(b)) or not self._genre(artists[0]):
            return None
        if "artist" in q.fields and not any(
            self._field("artist", c.artist_name(a)) for a in artists
        ):
            return None
        if not self._years(c.album(b).release_date):
            return None
        code: str = c.track(t).isrc
        return tier if q.isrc is None or code == q.isrc else None

    def album(self, b: int) -> int | None:
        c, q = self.c, self.q
        if not c.album_visible(b, self.day):
            return None
        tier = self._own(c.album_name(b), "album")
        if tier is None or not self._field("artist", c.artist_name(c.album_artist(b))):
            return None
        album = c.album(b) if q.years or q.upc or q.tags else None
        if album is not None and not self._years(album.release_date):
            return None
        if album is not None and q.upc is not None and album.upc != q.upc:
            return None
        if "new" in q.tags and album is not None:
            since = BASE_DATE + timedelta(days=self.day - NEW_DAYS + 1)
            if album.precision != "day" or album.release_date < since.isoformat():
                return None
        return None if album and "hipster" in q.tags and album.popularity >= HIPSTER else tier

    def artist(self, a: int) -> int | None:
        tier = self._own(self.c.artist_name(a), "artist")
        if tier is None or not self._genre(a):
            return None
        if self.q.years is not None:
            dates = (self.c.album(b).release_date for b in self.c.artist_albums(a, self.day))
            if not any(self._years(d) for d in dates):
                return None
        return tier

    def playlist(self, i: int) -> int | None:
        return self._own(self.p.get(i).name, "playlist")
