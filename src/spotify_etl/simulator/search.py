"""Search that agrees with what exists on the simulated day.

Matches are an arithmetic sequence (Catalog.search); albums that have not appeared yet, and
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
from spotify_etl.simulator.catalog import ALBUM, TRACK, Catalog


class Search:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._holes = lru_cache(maxsize=4)(self._holes_on)

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
        extra = self.catalog.future_track_total(keyword, day)
        if extra and len(found) < limit:
            skip = max(0, offset - total)
            more = self.catalog.future_tracks(keyword, day)
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
