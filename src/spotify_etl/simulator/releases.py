"""The new-release pool: which albums appear on which simulated day, and their shapes.

Beyond the albums that exist from the start (indices < n_albums, tracks < n_tracks) lies an
unbounded pool of future releases, `per_day` of them appearing on each day >= 1. Future album
j is index n_albums + j and owns the fixed block of FUTURE_SLOTS track indices at n_tracks +
j * FUTURE_SLOTS (album_shape never makes more than 40 tracks), so album, artist and track of
any future index follow in O(1) and nothing grows with the days.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache

from spotify_etl.simulator import names
from spotify_etl.simulator.ids import h
from spotify_etl.simulator.samples import ALBUM

NEVER_NEW = -(10**9)  # appear_day of albums that were always there
FUTURE_SLOTS = 40  # track indices reserved per future album (its tracks use the first ones)
FUTURE_DAYS = 1_000_000  # days on which new albums keep appearing (~2,700 years)


def album_shape(seed: int, index: int) -> tuple[str, int, int]:
    """(album_type, total tracks, appear_day) of one album; cheap, used at start-up."""
    r = h(seed, ALBUM, index, 1)
    roll = r % 100
    if roll < 55:
        kind, count = "album", 6 + (r >> 8) % 15
        if (r >> 16) % 10 == 0:
            count = 21 + (r >> 20) % 20  # deluxe editions: multi-disc, up to 40 tracks
    elif roll < 90:
        kind, count = "single", 1 + (r >> 8) % 3
    else:
        kind, count = "compilation", 10 + (r >> 8) % 21
    appear = (r >> 32) % 90 - 30 if (r >> 40) % 100 < 3 else NEVER_NEW
    return kind, count, appear


class ReleasePool:
    """The future releases out by a given day (the catalog holds one as `catalog.releases`).

    `album_tracks` is the catalog's (first track, count) of an album: the pool lays out the
    future albums, the catalog knows every album's tracks.
    """

    def __init__(
        self, seed: int, n_albums: int, per_day: int, album_tracks: Callable[[int], tuple[int, int]]
    ) -> None:
        self.seed = seed
        self.n_albums = n_albums
        self.per_day = per_day
        self._album_tracks = album_tracks
        # O(days * per_day / keywords): memoised, as every page of one search asks again.
        self.future_track_total = lru_cache(maxsize=1024)(self._future_track_total)

    def future_count(self, day: int) -> int:
        """How many future releases have appeared by `day`."""
        return self.per_day * min(max(0, day), FUTURE_DAYS)

    def future_releases(self, day: int) -> Iterator[tuple[int, int]]:
        """(appear day, album) of the future releases out by `day`, newest first."""
        for d in range(min(day, FUTURE_DAYS), 0, -1):
            start = self.n_albums + (d - 1) * self.per_day
            for b in range(start, start + self.per_day):
                yield d, b

    def future_tracks(self, keyword: int, day: int) -> Iterator[int]:
        """Tracks of future releases out by `day` whose name starts with keyword `keyword`."""
        k = len(names.KEYWORDS)
        first = (keyword - ALBUM * 7 - self.n_albums) % k
        for j in range(first, self.future_count(day), k):
            start, count = self._album_tracks(self.n_albums + j)
            yield from range(start, start + count)

    def _future_track_total(self, keyword: int, day: int) -> int:
        """How many tracks `future_tracks(keyword, day)` yields, without yielding them."""
        k = len(names.KEYWORDS)
        first = (keyword - ALBUM * 7 - self.n_albums) % k
        return sum(
            album_shape(self.seed, self.n_albums + j)[1]
            for j in range(first, self.future_count(day), k)
        )
