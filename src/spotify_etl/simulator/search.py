"""Search that agrees with what exists on the simulated day.

`Search.query` answers any query (see query.py for the grammar). A query of one word that can
only be one keyword (e.g. `Midnight`, `Midn`) is answered by formula here, with an exact total
of the names that start with it, when those alone fill every page a client can reach (always
for artists and playlists; for tracks and albums, whose words may also match their album's or
artists' names, which rank after their own name, the total then counts own-name hits only).
Anything else goes to the general engine (search_engine.py), whose hits are memoised per
(query, type, day) so that paging through them costs one scan.

Keyword matches are an arithmetic sequence (Catalog.search); albums that have not appeared yet, and
their tracks, are holes in that sequence. The holes of one day are few (a few percent of
albums), so they are listed once per day and paging skips them exactly: `total` counts only
what a client can fetch, and walking every page yields exactly `total` items.

Future releases (Catalog.future_*) follow the day-0 catalog: album matches simply continue
the sequence (callers pass the count of albums out on the day); track matches are listed
after every day-0 match, album by album.
"""

from __future__ import annotations

from bisect import bisect_left
from functools import lru_cache
from itertools import islice

from spotify_etl.simulator import names
from spotify_etl.simulator.catalog import ALBUM, ARTIST, TRACK, Catalog
from spotify_etl.simulator.playlists import Playlists
from spotify_etl.simulator.query import parse
from spotify_etl.simulator.search_engine import Engine, keyword_anchor


class Search:
    def __init__(self, catalog: Catalog, playlists: Playlists | None = None) -> None:
        self.catalog = catalog
        self._holes = lru_cache(maxsize=4)(self._holes_on)
        self._engine = Engine(catalog, playlists or Playlists(catalog))
        self._hits = lru_cache(maxsize=256)(self._run)

    def query(
        self, kind: int, q: str, offset: int, limit: int, day: int, dev: bool, deepest: int
    ) -> tuple[int, list[int]]:
        """(total, indices of the page) of the entities of `kind` that match `q` on `day`;
        `deepest` is how far any page can reach (the largest offset plus the largest limit)."""
        parsed = parse(q)
        text = parsed.text
        if len(text.terms) == 1 and not (text.phrases or parsed.fields or parsed.uses()):
            only = keyword_anchor(text)
            if only is not None and len(only) == 1 and not parsed.broken:
                found = self.find(kind, only[0], self._count(kind, day), offset, limit, day)
                if kind not in (TRACK, ALBUM) or found[0] >= deepest:
                    return found  # own-name hits fill every reachable page
        hits = self._hits(kind, q, day, dev, deepest)
        return len(hits), list(hits[offset : offset + limit])

    def _run(self, kind: int, q: str, day: int, dev: bool, deepest: int) -> tuple[int, ...]:
        return self._engine.run(kind, parse(q), day, dev, deepest)

    def _count(self, kind: int, day: int) -> int:
        c = self.catalog
        if kind == TRACK:
            return c.n_tracks
        if kind == ALBUM:
            return c.n_albums + c.releases.future_count(day)
        return c.n_artists if kind == ARTIST else c.n_playlists

    def _holes_on(self, day: int) -> dict[tuple[int, int], list[int]]:
        """(kind, keyword) -> sorted positions, in that keyword's sequence, of hidden entities."""
        c, k = self.catalog, len(names.KEYWORDS)
        holes: dict[tuple[int, int], list[int]] = {}
        for appear, b in c.new_albums:
            if appear <= day:
                continue
            holes.setdefault((ALBUM, (b + ALBUM * 7) % k), []).append(b // k)
            first = c.album(b).first_track
            for t in range(first, first + c.album_track_count(b)):
                holes.setdefault((TRACK, (t + TRACK * 7) % k), []).append(t // k)
        for positions in holes.values():
            positions.sort()
        return holes

    def find(
        self, kind: int, keyword: int, count: int, offset: int, limit: int, day: int
    ) -> tuple[int, list[int]]:
        """(total, indices of the page) among entities that exist on `day`."""
        total, found = self._find(kind, keyword, count, offset, limit, day)
        if kind != TRACK or day < 1:
            return total, found
        extra = self.catalog.releases.future_track_total(keyword, day)
        if extra and len(found) < limit:
            skip = max(0, offset - total)
            more = self.catalog.releases.future_tracks(keyword, day)
            found += islice(more, skip, skip + limit - len(found))
        return total + extra, found

    def _find(
        self, kind: int, keyword: int, count: int, offset: int, limit: int, day: int
    ) -> tuple[int, list[int]]:
        c, k = self.catalog, len(names.KEYWORDS)
        total = c.search_total(kind, keyword, count)
        holes = self._holes(day).get((kind, keyword), []) if kind in (ALBUM, TRACK) else []
        if not holes:
            return total, c.search(kind, keyword, count, offset, limit)
        first = (keyword - kind * 7) % k
        position = offset  # find the offset-th visible position
        while position - bisect_left(holes, position) < offset or _is_hole(holes, position):
            position += 1
        found: list[int] = []
        while len(found) < limit and first + position * k < count:
            if not _is_hole(holes, position):
                found.append(first + position * k)
            position += 1
        return total - len(holes), found


def _is_hole(holes: list[int], position: int) -> bool:
    i = bisect_left(holes, position)
    return i < len(holes) and holes[i] == position
