"""The general search engine: any query, matched on names and filters, over a bounded scan.

Free words, prefixes and phrases match as Spotify's do: for a track, each may be in the
track's name, its album's or any of its artists' names (every word must be somewhere: AND
across words); for an album, its name or its artist's; otherwise the entity's own name.

Candidates come in index order from the most selective part of the query: an ISRC or UPC
names one entity; a word that can only be a keyword (names start with one, see names.py)
gives arithmetic sequences of indices (for a free word, merged with the albums and tracks of
the albums and artists named so); otherwise every entity (future releases after the day-0
catalog). A catalog of at most SCAN_LIMIT tracks is scanned whole for free words and
`artist:`, so tracks credited only as a feature or on a compilation are found too; a larger
one may miss those. At most SCAN_LIMIT candidates are examined, so a vague query over a
million tracks settles for the hits among the first ones, as real search ranks a bounded
candidate set. Hits are ordered by relevance, deterministically: all free words in the own
name, which starts with the first word or phrase; then all in the own name; then matches
through the album's or artists' names; each tier in index order.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from itertools import chain, groupby, islice

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
        tiers: list[list[int]] = [[], [], []]
        for i in islice(self._candidates(kind, query, day), SCAN_LIMIT):
            tier = match(i)
            if tier is not None:
                tiers[tier].append(i)
                if len(tiers[0]) >= deepest:
                    break  # candidates come in index order: no later one ranks higher
        return tuple(chain(*tiers))[:deepest]

    def _sequence(self, kind: int, ids: list[int], stop: int, start: int = 0) -> Iterator[int]:
        """Indices in [start, stop) of `kind` whose name starts with one of keywords `ids`."""
        k = len(names.KEYWORDS)
        return heapq.merge(*(range(start + (i - kind * 7 - start) % k, stop, k) for i in ids))

    def _tracks_of(self, albums: Iterable[int]) -> Iterator[int]:
        for b in albums:
            first, count = self.c.album_tracks(b)
            yield from range(first, first + count)

    def _albums_by(self, ids: list[int], day: int) -> Iterator[int]:
        """Albums, in index order, of the artists whose name starts with keywords `ids`."""
        c = self.c
        artists = list(self._sequence(ARTIST, ids, c.n_artists))
        day0 = chain.from_iterable(c.artist_album_range(a) for a in artists)
        return chain(day0, heapq.merge(*(c.future_albums_of(a, day) for a in artists)))

    def _any_name(self, kind: int, ids: list[int], day: int) -> Iterator[int]:
        """Tracks or albums whose own, album's or artist's name starts with keywords `ids`, in
        index order (tracks credited only as a feature or on a compilation are not among them)."""
        c = self.c
        albums = c.n_albums + c.releases.future_count(day)
        if kind == ALBUM:
            day0 = heapq.merge(self._sequence(ALBUM, ids, c.n_albums), self._albums_by(ids, 0))
            future = heapq.merge(
                self._sequence(ALBUM, ids, albums, c.n_albums),
                (b for b in self._albums_by(ids, day) if b >= c.n_albums),
            )
            return _unique(chain(day0, future))
        day0 = heapq.merge(
            self._sequence(TRACK, ids, c.n_tracks),
            self._tracks_of(self._sequence(ALBUM, ids, c.n_albums)),
            self._tracks_of(self._albums_by(ids, 0)),
        )
        future = heapq.merge(  # a future release's tracks are named like the album
            *(c.releases.future_tracks(i, day) for i in ids),
            self._tracks_of(b for b in self._albums_by(ids, day) if b >= c.n_albums),
        )
        return _unique(chain(day0, future))

    def _candidates(self, kind: int, query: Query, day: int) -> Iterator[int]:
        c, fields = self.c, query.fields
        albums = c.n_albums + c.releases.future_count(day)
        text_ids = keyword_anchor(query.text) if query.text else None
        own_field = fields.get({TRACK: "track", ARTIST: "artist"}.get(kind, "album"))
        own_ids = keyword_anchor(own_field) if own_field else None
        album_ids = keyword_anchor(fields["album"]) if "album" in fields else None
        artist_ids = keyword_anchor(fields["artist"]) if "artist" in fields else None
        if kind == TRACK:
            if query.isrc:
                found = track_of_isrc(query.isrc)
                return iter([] if found is None or found >= c.track_bound else [found])
            if own_ids is not None:
                future = heapq.merge(*(c.releases.future_tracks(i, day) for i in own_ids))
                return chain(self._sequence(TRACK, own_ids, c.n_tracks), future)
            if album_ids is not None:
                return self._tracks_of(self._sequence(ALBUM, album_ids, albums))
            everything = chain(range(c.n_tracks), self._tracks_of(range(c.n_albums, albums)))
            if c.n_tracks <= SCAN_LIMIT:  # exact: features and compilations included
                return everything
            if text_ids is not None:
                return self._any_name(TRACK, text_ids, day)
            if artist_ids is not None:  # features may be missed
                return self._tracks_of(self._albums_by(artist_ids, day))
            return everything
        if kind == ALBUM:
            if query.upc:
                found = album_of_upc(query.upc)
                return iter([] if found is None or found >= albums else [found])
            if "tag:new" in query.uses():
                return self._new_albums(day)
            if own_ids is not None:
                return self._sequence(ALBUM, own_ids, albums)
            if text_ids is not None:
                return self._any_name(ALBUM, text_ids, day)
            if artist_ids is not None:
                return self._albums_by(artist_ids, day)
            return iter(range(albums))
        count = c.n_artists if kind == ARTIST else c.n_playlists
        ids = text_ids if text_ids is not None else own_ids
        return self._sequence(kind, ids, count) if ids is not None else iter(range(count))

    def _new_albums(self, day: int) -> Iterator[int]:
        c = self.c  # future releases of older days are out of the window: skip them
        first = c.n_albums + c.per_day * max(0, day - NEW_DAYS)
        return chain(range(c.n_albums), range(first, c.n_albums + c.releases.future_count(day)))


def _unique(ordered: Iterable[int]) -> Iterator[int]:
    return (i for i, _ in groupby(ordered))


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
        self._albums: dict[int, tuple[str, ...]] = {}
        self._artists: dict[int, tuple[str, ...]] = {}  # at most every artist's, per query

    def of(self, kind: int) -> Callable[[int], int | None]:
        return {TRACK: self.track, ALBUM: self.album, ARTIST: self.artist}.get(kind, self.playlist)

    def _own(
        self, name: str, field: str, others: Callable[[], list[tuple[str, ...]]] = list
    ) -> int | None:
        """Tier 0: the free words all in the own name, which starts with the first; 1: all in
        the own name; 2: some only in `others` (album and artist names); None: no match."""
        text, other = self.q.text, self.q.fields.get(field)
        found = words(name)
        if other is not None and not other.matches(found):
            return None
        if text.matches(found):
            lead = text or other
            return 0 if lead is None or not lead or lead.leads(found) else 1
        return 2 if text.matches_across([found, *others()]) else None

    def _album_words(self, b: int) -> tuple[str, ...]:
        if b not in self._albums:  # the tracks of an album are candidates one after another
            self._albums = {b: words(self.c.album_name(b))}
        return self._albums[b]

    def _artist_words(self, a: int) -> tuple[str, ...]:
        found = self._artists.get(a)
        if found is None:
            found = self._artists[a] = words(self.c.artist_name(a))
        return found

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
        b = c.track_album(t)
        artists = c.track_artists(t)
        tier = self._own(
            c.track_name(t),
            "track",
            lambda: [self._album_words(b), *map(self._artist_words, artists)],
        )
        if tier is None:
            return None
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
        artist = c.album_artist(b)
        tier = self._own(c.album_name(b), "album", lambda: [self._artist_words(artist)])
        if tier is None or not self._field("artist", c.artist_name(artist)):
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
