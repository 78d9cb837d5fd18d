"""The deterministic synthetic catalog: artists, albums and tracks derived lazily from indices.

Only two prefix-sum arrays are built up front (albums per artist, tracks per album), so the
catalog at 1,000,000 tracks starts in well under a second and a few megabytes. Every entity
is a pure function of (seed, index); ids are reversible (see ids.IdCodec).

New releases: beyond the albums that exist from the start (indices < n_albums, tracks <
n_tracks) lies an unbounded pool of future releases, `per_day` of them appearing on each day
>= 1. Future album j is index n_albums + j and owns the fixed block of FUTURE_SLOTS track
indices at n_tracks + j * FUTURE_SLOTS (album_shape never makes more than 40 tracks), so
album, artist and track of any future index follow in O(1) and nothing grows with the days.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from math import gcd

from spotify_etl.simulator import names
from spotify_etl.simulator.ids import IdCodec, h, rng
from spotify_etl.simulator.samples import (
    ALBUM,
    ARTIST,
    BIG_PLAYLIST,
    EPISODE,
    ME_COLLAB,
    ME_FOLLOWS,
    ME_OWNED,
    PLAYLIST,
    SHOW,
    TRACK,
    USER,
    SampleIds,
)

__all__ = [
    "ALBUM", "ARTIST", "BIG_PLAYLIST", "EPISODE", "ME_COLLAB", "ME_FOLLOWS", "ME_OWNED",
    "PLAYLIST", "SHOW", "TRACK", "USER", "Catalog",
]  # fmt: skip

BASE_DATE = date(2026, 6, 1)  # simulated day 0
NEVER_NEW = -(10**9)  # appear_day of albums that were always there
FUTURE_SLOTS = 40  # track indices reserved per future album (its tracks use the first ones)
FUTURE_DAYS = 1_000_000  # days on which new albums keep appearing (~2,700 years)


def isrc(t: int, year: int) -> str:
    """CC-XXX-YY-NNNNN, unique per track: the registrant code carries t // 100000."""
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    high = t // 100_000
    registrant = digits[high // 1296 % 36] + digits[high // 36 % 36] + digits[high % 36]
    return f"QZ{registrant}{year:02d}{t % 100_000:05d}"


def upc(b: int) -> str:
    """A UPC-A (12 digits, valid check digit), unique per album."""
    body = f"19{b:09d}"
    odd = sum(int(d) for d in body[0::2])
    even = sum(int(d) for d in body[1::2])
    return body + str((10 - (odd * 3 + even) % 10) % 10)


@dataclass(frozen=True, slots=True)
class Artist:
    index: int
    id: str
    name: str
    genres: tuple[str, ...]
    followers: int
    popularity: int


@dataclass(frozen=True, slots=True)
class Album:
    index: int
    id: str
    name: str
    album_type: str
    artist: int
    first_track: int
    total_tracks: int
    release_date: str
    precision: str
    appear_day: int
    label: str
    popularity: int
    upc: str
    markets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Track:
    index: int
    id: str
    name: str
    album: int
    artists: tuple[int, ...]
    disc_number: int
    track_number: int
    duration_ms: int
    explicit: bool
    isrc: str
    popularity: int


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


class Catalog(SampleIds):
    """Entities by index and by id. `scale` is the approximate number of tracks."""

    def __init__(self, seed: int, scale: int) -> None:
        self.seed = seed
        # Entities are pure functions of their index; memoise the hot ones per instance.
        self.id_of = lru_cache(maxsize=1 << 16)(self._id_of)  # type: ignore[method-assign]
        self.artist = lru_cache(maxsize=8192)(self._artist)  # type: ignore[method-assign]
        self.album = lru_cache(maxsize=16384)(self._album)  # type: ignore[method-assign]
        self.track = lru_cache(maxsize=16384)(self._track)  # type: ignore[method-assign]
        self.future_track_total = lru_cache(maxsize=1024)(self._future_track_total)  # type: ignore[method-assign]
        self.codec = IdCodec(seed)
        self.n_artists = max(10, scale // 40)
        artist_start = array("I", [0])
        for a in range(self.n_artists):
            r = h(seed, ARTIST, a, 1)
            artist_start.append(artist_start[-1] + 1 + (r % 4 if r % 7 else 4 + (r >> 8) % 20))
        self._artist_start = artist_start
        self.n_albums = artist_start[-1]
        track_start = array("I", [0])
        new_albums: list[tuple[int, int]] = []
        for b in range(self.n_albums):
            _, count, appear = album_shape(seed, b)
            track_start.append(track_start[-1] + count)
            if appear != NEVER_NEW:
                new_albums.append((appear, b))
        self._track_start = track_start
        self.n_tracks = track_start[-1]
        self.new_albums = sorted(new_albums, key=lambda x: (-x[0], x[1]))
        # Future releases go to existing artists in a seeded cyclic order (j * stride + offset
        # mod n_artists, stride coprime), so an artist's future albums are an arithmetic run.
        self.per_day = 1 + self.n_albums // 4000
        self.album_bound = self.n_albums + self.per_day * FUTURE_DAYS
        self.track_bound = self.n_tracks + self.per_day * FUTURE_DAYS * FUTURE_SLOTS
        stride = h(seed, ALBUM, -2) % self.n_artists
        while gcd(stride, self.n_artists) != 1:
            stride += 1
        self._stride, self._unstride = stride, pow(stride, -1, self.n_artists)
        self._offset = h(seed, ALBUM, -3) % self.n_artists
        self.n_users = max(20, scale // 2000)
        self.n_playlists = max(30, scale // 200)
        self.n_editorial = 20
        self.n_shows = 50
        self.n_episodes = self.n_shows * 20
        self.me_user_id = "simlistener"
        self._user_ids = [self.me_user_id] + [self._make_user_id(u) for u in range(1, self.n_users)]
        self._user_index = {uid: i for i, uid in enumerate(self._user_ids)}

    # ---- ids -------------------------------------------------------------------------
    def id_of(self, kind: int, index: int) -> str:
        return self._id_of(kind, index)

    def _id_of(self, kind: int, index: int) -> str:
        return self.codec.encode(kind, index)

    def index_of(self, kind: int, entity_id: str, count: int) -> int | None:
        index = self.codec.decode(kind, entity_id)
        return index if index is not None and index < count else None

    def _make_user_id(self, u: int) -> str:
        value = h(self.seed, USER, u)
        chars = "abcdefghijklmnopqrstuvwxyz0123456789"
        out = []
        for _ in range(26):
            value, rem = divmod(value * 31 + 7, 36)
            out.append(chars[rem])
            value = value or h(self.seed, USER, u, len(out))
        return "31" + "".join(out)

    def user_id(self, u: int) -> str:
        return self._user_ids[u]

    def user_index(self, user_id: str) -> int | None:
        return self._user_index.get(user_id)

    def user_name(self, u: int) -> str:
        return "Sim Listener" if u == 0 else f"{names.KEYWORDS[u % len(names.KEYWORDS)]} Fan {u}"

    # ---- artists ---------------------------------------------------------------------
    def keyword(self, kind: int, index: int) -> str:
        return names.KEYWORDS[(index + kind * 7) % len(names.KEYWORDS)]

    def artist(self, a: int) -> Artist:
        return self._artist(a)

    def _artist(self, a: int) -> Artist:
        r = rng(self.seed, ARTIST, a)
        suffix = names.ARTIST_SUFFIX[r.randrange(len(names.ARTIST_SUFFIX))]
        genres = tuple(r.sample(names.GENRES, r.randrange(0, 4)))
        followers = int(r.paretovariate(1.2) * 800)
        return Artist(
            a, self.id_of(ARTIST, a), self.keyword(ARTIST, a) + suffix, genres,
            followers, min(100, r.randrange(0, 70) + min(30, followers // 50_000)),
        )  # fmt: skip

    def artist_albums(self, a: int, day: int) -> list[int]:
        """Album indices of artist `a` visible on `day`, newest release first."""
        visible = [
            b
            for b in range(self._artist_start[a], self._artist_start[a + 1])
            if self.album_visible(b, day)
        ]
        first = (a - self._offset) * self._unstride % self.n_artists
        visible += range(
            self.n_albums + first, self.n_albums + self.future_count(day), self.n_artists
        )
        return sorted(visible, key=lambda b: (self.album(b).release_date, b), reverse=True)

    # ---- albums ----------------------------------------------------------------------
    def album_artist(self, b: int) -> int:
        if b >= self.n_albums:
            return (self._offset + (b - self.n_albums) * self._stride) % self.n_artists
        return bisect_right(self._artist_start, b) - 1

    def future_count(self, day: int) -> int:
        """How many future releases have appeared by `day`."""
        return self.per_day * min(max(0, day), FUTURE_DAYS)

    def appear_day(self, b: int) -> int:
        if b >= self.n_albums:
            return 1 + (b - self.n_albums) // self.per_day
        return album_shape(self.seed, b)[2]

    def album_visible(self, b: int, day: int) -> bool:
        return self.appear_day(b) <= day

    def future_releases(self, day: int) -> Iterator[tuple[int, int]]:
        """(appear day, album) of the future releases out by `day`, newest first."""
        for d in range(min(day, FUTURE_DAYS), 0, -1):
            start = self.n_albums + (d - 1) * self.per_day
            for b in range(start, start + self.per_day):
                yield d, b

    def album_tracks(self, b: int) -> tuple[int, int]:
        """(first track index, track count) of album `b`."""
        if b >= self.n_albums:
            first = self.n_tracks + (b - self.n_albums) * FUTURE_SLOTS
            return first, album_shape(self.seed, b)[1]
        return self._track_start[b], self._track_start[b + 1] - self._track_start[b]

    def album(self, b: int) -> Album:
        return self._album(b)

    def _album(self, b: int) -> Album:
        kind, count, appear = album_shape(self.seed, b)
        if b >= self.n_albums:
            appear = self.appear_day(b)
        r = rng(self.seed, ALBUM, b)
        if appear != NEVER_NEW:
            released = BASE_DATE + timedelta(days=appear)
            release, precision = released.isoformat(), "day"
        else:
            year = 2026 - min(66, int(r.expovariate(1 / 12)))
            roll = r.random()
            if roll < 0.10:
                release, precision = f"{year}", "year"
            elif roll < 0.15:
                release, precision = f"{year}-{r.randrange(1, 13):02d}", "month"
            else:
                released = date(year, 1, 1) + timedelta(days=r.randrange(0, 365))
                release, precision = min(released, BASE_DATE).isoformat(), "day"
        name = f"{self.keyword(ALBUM, b)} {names.DECOR[r.randrange(len(names.DECOR))]}"
        if count > 20:
            name += " (Deluxe Edition)"
        markets = tuple(m for m in names.MARKETS if r.random() < 0.9)
        return Album(
            b, self.id_of(ALBUM, b), name, kind, self.album_artist(b), self.album_tracks(b)[0],
            count, release, precision, appear, names.LABELS[r.randrange(len(names.LABELS))],
            r.randrange(0, 100), upc(b), markets,
        )  # fmt: skip

    # ---- tracks ----------------------------------------------------------------------
    def track_album(self, t: int) -> int:
        if t >= self.n_tracks:
            return self.n_albums + (t - self.n_tracks) // FUTURE_SLOTS
        return bisect_right(self._track_start, t) - 1

    def track_visible(self, t: int, day: int) -> bool:
        b = self.track_album(t)
        if t >= self.n_tracks and (t - self.n_tracks) % FUTURE_SLOTS >= self.album_tracks(b)[1]:
            return False  # an unused slot of a future album's block
        return self.album_visible(b, day)

    def pick_track(self, *parts: int) -> int:
        """A track chosen by hash among albums that were always there (never a future one)."""
        t = 0
        for attempt in range(8):
            t = h(self.seed, *parts, attempt) % self.n_tracks
            if album_shape(self.seed, self.track_album(t))[2] == NEVER_NEW:
                break
        return t

    def album_track_count(self, b: int) -> int:
        return self.album_tracks(b)[1]

    def track(self, t: int) -> Track:
        return self._track(t)

    def _track(self, t: int) -> Track:
        b = self.track_album(t)
        first, count = self.album_tracks(b)
        position = t - first
        r = rng(self.seed, TRACK, t)
        album_kind = album_shape(self.seed, b)[0]
        primary = r.randrange(self.n_artists) if album_kind == "compilation" else None
        artists = [primary if primary is not None else self.album_artist(b)]
        if r.random() < 0.2:
            artists += [r.randrange(self.n_artists) for _ in range(r.randrange(1, 3))]
        per_disc = 20 if count > 20 else count
        suffix = names.TRACK_SUFFIX[r.randrange(len(names.TRACK_SUFFIX))]
        year = r.randrange(60, 100) if r.random() < 0.5 else r.randrange(0, 26)
        # A future release's tracks share its keyword: search finds them album by album.
        word = self.keyword(TRACK, t) if t < self.n_tracks else self.keyword(ALBUM, b)
        return Track(
            t, self.id_of(TRACK, t),
            f"{word} {names.DECOR[r.randrange(len(names.DECOR))]}{suffix}",
            b, tuple(dict.fromkeys(artists)), position // per_disc + 1, position % per_disc + 1,
            r.randrange(90_000, 420_000), r.random() < 0.25,
            isrc(t, year), r.randrange(0, 100),
        )  # fmt: skip

    # ---- search ----------------------------------------------------------------------
    def search(self, kind: int, keyword: int, count: int, offset: int, limit: int) -> list[int]:
        """Indices of entities of `kind` whose name starts with keyword number `keyword`."""
        k = len(names.KEYWORDS)
        first = (keyword - kind * 7) % k
        return list(range(first + offset * k, count, k)[:limit])

    def search_total(self, kind: int, keyword: int, count: int) -> int:
        k = len(names.KEYWORDS)
        first = (keyword - kind * 7) % k
        return 0 if first >= count else (count - 1 - first) // k + 1

    def future_tracks(self, keyword: int, day: int) -> Iterator[int]:
        """Tracks of future releases out by `day` whose name starts with keyword `keyword`."""
        k = len(names.KEYWORDS)
        first = (keyword - ALBUM * 7 - self.n_albums) % k
        for j in range(first, self.future_count(day), k):
            start, count = self.album_tracks(self.n_albums + j)
            yield from range(start, start + count)

    def future_track_total(self, keyword: int, day: int) -> int:
        return self._future_track_total(keyword, day)

    def _future_track_total(self, keyword: int, day: int) -> int:
        # O(days * per_day / keywords): memoised, as every page of one search asks again
        k = len(names.KEYWORDS)
        first = (keyword - ALBUM * 7 - self.n_albums) % k
        return sum(
            album_shape(self.seed, self.n_albums + j)[1]
            for j in range(first, self.future_count(day), k)
        )
