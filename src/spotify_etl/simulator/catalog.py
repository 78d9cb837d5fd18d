"""The deterministic synthetic catalog: artists, albums and tracks derived lazily from indices.

Only two prefix-sum arrays are built up front (albums per artist, tracks per album), so the
catalog at 1,000,000 tracks starts in well under a second and a few megabytes. Every entity
is a pure function of (seed, index); ids are reversible (see ids.IdCodec).

New releases (which albums appear on which day) are in releases.py. Names are a keyword
chosen arithmetically from the index (see names.py) and decorations chosen by hash, so search
can test a candidate's name for a few hash computations (see search.py).
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from datetime import date, timedelta
from functools import lru_cache
from math import gcd

from spotify_etl.simulator import names
from spotify_etl.simulator.entities import Album, Artist, Track, isrc, upc
from spotify_etl.simulator.ids import IdCodec, h, rng
from spotify_etl.simulator.releases import (
    FUTURE_DAYS,
    FUTURE_SLOTS,
    NEVER_NEW,
    ReleasePool,
    album_shape,
)
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
    "PLAYLIST", "SHOW", "TRACK", "USER", "Album", "Artist", "Catalog", "Track", "album_shape",
    "isrc", "upc",
]  # fmt: skip

BASE_DATE = date(2026, 6, 1)  # simulated day 0


class Catalog(SampleIds):
    """Entities by index and by id. `scale` is the approximate number of tracks."""

    def __init__(self, seed: int, scale: int) -> None:
        self.seed = seed
        # Entities are pure functions of their index; memoise the hot ones per instance.
        self.id_of = lru_cache(maxsize=1 << 16)(self._id_of)  # type: ignore[method-assign]
        self.artist = lru_cache(maxsize=8192)(self._artist)  # type: ignore[method-assign]
        self.album = lru_cache(maxsize=16384)(self._album)  # type: ignore[method-assign]
        self.track = lru_cache(maxsize=16384)(self._track)  # type: ignore[method-assign]
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
        self.releases = ReleasePool(seed, self.n_albums, self.per_day, self.album_tracks)
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

    # ---- names: a few hashes each, so that search can test candidates cheaply ----------
    def _pick(self, words: tuple[str, ...], kind: int, index: int, salt: int) -> str:
        return words[h(self.seed, kind, index, salt) % len(words)]

    def artist_name(self, a: int) -> str:
        return self.keyword(ARTIST, a) + self._pick(names.ARTIST_SUFFIX, ARTIST, a, 21)

    def album_name(self, b: int) -> str:
        name = f"{self.keyword(ALBUM, b)} {self._pick(names.DECOR, ALBUM, b, 21)}"
        return name + " (Deluxe Edition)" if self.album_track_count(b) > 20 else name

    def track_name(self, t: int) -> str:
        # A future release's tracks share its keyword: search finds them album by album.
        word = (
            self.keyword(TRACK, t)
            if t < self.n_tracks
            else self.keyword(ALBUM, self.track_album(t))
        )
        decor = self._pick(names.DECOR, TRACK, t, 21)
        return f"{word} {decor}{self._pick(names.TRACK_SUFFIX, TRACK, t, 22)}"

    def track_artists(self, t: int) -> tuple[int, ...]:
        """The credited artists: the album's (a compilation's: one by hash), some features."""
        b = self.track_album(t)
        r = h(self.seed, TRACK, t, 23)
        compilation = album_shape(self.seed, b)[0] == "compilation"
        artists = [r % self.n_artists if compilation else self.album_artist(b)]
        if (r >> 32) % 5 == 0:
            artists += [
                h(self.seed, TRACK, t, 24 + k) % self.n_artists for k in range(1 + (r >> 40) % 2)
            ]
        return tuple(dict.fromkeys(artists))

    # ---- artists ---------------------------------------------------------------------
    def artist(self, a: int) -> Artist:
        return self._artist(a)

    def _artist(self, a: int) -> Artist:
        r = rng(self.seed, ARTIST, a)
        genres = tuple(r.sample(names.GENRES, r.randrange(0, 4)))
        followers = int(r.paretovariate(1.2) * 800)
        return Artist(
            a, self.id_of(ARTIST, a), self.artist_name(a), genres,
            followers, min(100, r.randrange(0, 70) + min(30, followers // 50_000)),
        )  # fmt: skip

    def artist_albums(self, a: int, day: int) -> list[int]:
        """Album indices of artist `a` visible on `day`, newest release first."""
        visible = [
            b
            for b in range(self._artist_start[a], self._artist_start[a + 1])
            if self.album_visible(b, day)
        ]
        visible += self.future_albums_of(a, day)
        return sorted(visible, key=lambda b: (self.album(b).release_date, b), reverse=True)

    def artist_album_range(self, a: int) -> range:
        """The day-0 album indices of artist `a` (a contiguous run; some may not be out yet)."""
        return range(self._artist_start[a], self._artist_start[a + 1])

    def future_albums_of(self, a: int, day: int) -> range:
        """The future releases of artist `a` out by `day`, in index order."""
        first = (a - self._offset) * self._unstride % self.n_artists
        return range(
            self.n_albums + first, self.n_albums + self.releases.future_count(day), self.n_artists
        )

    # ---- albums ----------------------------------------------------------------------
    def album_artist(self, b: int) -> int:
        if b >= self.n_albums:
            return (self._offset + (b - self.n_albums) * self._stride) % self.n_artists
        return bisect_right(self._artist_start, b) - 1

    def appear_day(self, b: int) -> int:
        if b >= self.n_albums:
            return 1 + (b - self.n_albums) // self.per_day
        return album_shape(self.seed, b)[2]

    def album_visible(self, b: int, day: int) -> bool:
        return self.appear_day(b) <= day

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
        name = self.album_name(b)
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
        per_disc = 20 if count > 20 else count
        year = r.randrange(60, 100) if r.random() < 0.5 else r.randrange(0, 26)
        return Track(
            t, self.id_of(TRACK, t), self.track_name(t),
            b, self.track_artists(t), position // per_disc + 1, position % per_disc + 1,
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
