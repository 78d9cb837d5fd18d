"""Playlists and how their content moves from one simulated day to the next.

A playlist is a sequence of entries; each entry has the day it was added and, for some, the
day it was removed. Additions and removals happen only on the playlist's *change days*, and
every change day adds at least one entry, so the content (and with it `snapshot_id`) changes
exactly on change days and nowhere else. The snapshot is a function of the last change day,
so `fields=snapshot_id` never has to build the content.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from spotify_etl.simulator import names
from spotify_etl.simulator.catalog import (
    BASE_DATE,
    BIG_PLAYLIST,
    ME_COLLAB,
    ME_FOLLOWS,
    ME_OWNED,
    PLAYLIST,
    Catalog,
)
from spotify_etl.simulator.ids import b62encode, h

SPOTIFY_USER = -1
BASE_TIME = datetime(BASE_DATE.year, BASE_DATE.month, BASE_DATE.day, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Playlist:
    index: int
    editorial: bool
    id: str
    name: str
    description: str
    owner: int  # user index; SPOTIFY_USER for editorial playlists
    collaborative: bool
    public: bool
    followers: int
    base_size: int
    churn: str  # static | daily | occasional
    old: bool  # entries from before the change log carry added_at = null

    @property
    def key(self) -> int:
        return -1 - self.index if self.editorial else self.index


@dataclass(frozen=True, slots=True)
class Entry:
    number: int  # position in the playlist's history, stable across days
    kind: str  # track | episode | local | null
    ref: int  # track or episode index (or a local file's number)
    added_day: int
    added_at: str | None
    added_by: int | None


class Playlists:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.seed = catalog.seed
        self.content = lru_cache(maxsize=64)(self._content)

    def get(self, index: int, editorial: bool = False) -> Playlist:
        c = self.catalog
        key = -1 - index if editorial else index
        r = h(self.seed, PLAYLIST, key)
        roll = r % 100
        size = 10 + (r >> 8) % 90 if roll < 60 else 100 + (r >> 8) % 400
        if roll >= 90:
            size = 500 + (r >> 8) % 1500
        churn = ("static", "daily", "occasional", "occasional", "static")[(r >> 24) % 5]
        owner = 1 + (r >> 32) % (c.n_users - 1)
        special = {0: (120, "daily"), 1: (0, "static"), 2: (260, "occasional"), 3: (45, "static")}
        if editorial:
            owner, size = SPOTIFY_USER, 50 if index == 0 else size
            churn = "daily" if index == 0 else churn
        elif index in special:
            size, churn = special[index]
        elif index == BIG_PLAYLIST:
            size, churn = 10_000, "static"
        if not editorial and index < ME_OWNED:
            owner = 0
        if editorial:
            keyword = names.KEYWORDS[(index * 13 + 5) % len(names.KEYWORDS)]
        else:
            keyword = c.keyword(PLAYLIST, index)  # what search matches playlists on
        name = f"{keyword} {names.DECOR[(r >> 40) % len(names.DECOR)]}"
        if editorial and index == 0:
            name = "Top 50 - Simulated"
        # Indices 7 (the user's own) and 11 are always among the very old playlists whose
        # added_at is null.
        old = not editorial and (index in (7, 11) or (index >= ME_OWNED and (r >> 56) % 30 == 0))
        return Playlist(
            index=index,
            editorial=editorial,
            id=c.codec.encode_editorial(index) if editorial else c.id_of(PLAYLIST, index),
            name=name,
            description="" if (r >> 48) % 3 == 0 else f"The {keyword.lower()} sound, daily.",
            owner=owner,
            collaborative=not editorial and index in ME_COLLAB,
            public=not (not editorial and (index in ME_COLLAB or index == 5)),
            followers=int((r >> 50) % 5000) * (50 if editorial else 1),
            base_size=size,
            churn=churn,
            old=old,
        )

    # ---- change days and snapshots ---------------------------------------------------
    def is_change_day(self, pl: Playlist, day: int) -> bool:
        if day < 1 or pl.churn == "static":
            return False
        return pl.churn == "daily" or h(self.seed, pl.key, day, 5) % 4 == 0

    def last_change_day(self, pl: Playlist, day: int) -> int:
        for d in range(day, 0, -1):
            if self.is_change_day(pl, d):
                return d
        return 0

    def snapshot_id(self, pl: Playlist, day: int) -> str:
        version = self.last_change_day(pl, day)
        return b62encode(h(self.seed, pl.key, version, 11) << 64 | h(pl.key, version), 32)

    # ---- content ---------------------------------------------------------------------
    def _removal_day(self, pl: Playlist, number: int, added: int) -> int:
        if pl.churn == "static":
            return 1 << 30
        r = h(self.seed, pl.key, number, 9)
        if r % 4:
            return 1 << 30
        first = max(1, added + 1 + (r >> 8) % 40)
        for d in range(first, first + 400):
            if self.is_change_day(pl, d):
                return d
        return 1 << 30

    def _content(self, pl: Playlist, day: int) -> tuple[Entry, ...]:
        added_days = [-(1 + h(self.seed, pl.key, j, 3) % 1500) for j in range(pl.base_size)]
        for d in range(1, day + 1):
            if self.is_change_day(pl, d):
                added_days += [d] * (1 + h(self.seed, pl.key, d, 6) % 4)
        refs: list[tuple[str, int]] = []
        out = []
        for number, added in enumerate(added_days):
            refs.append(self._item(pl, number, refs))
            if self._removal_day(pl, number, added) > day:
                out.append(self._entry(pl, number, added, refs[number]))
        return tuple(out)

    def _item(self, pl: Playlist, number: int, earlier: list[tuple[str, int]]) -> tuple[str, int]:
        c = self.catalog
        r = h(self.seed, pl.key, number, 8)
        roll = r % 1000
        if roll < 10:
            return "local", number
        if roll < 25:
            return "episode", (r >> 12) % c.n_episodes
        if roll < 30:
            return "null", 0
        if roll < 60 and number > 0:
            return earlier[number - 1 - (r >> 12) % min(number, 50)]  # same track again
        return "track", c.pick_track(pl.key, number, 20)

    def _entry(self, pl: Playlist, number: int, added: int, item: tuple[str, int]) -> Entry:
        if pl.old and added <= 0:
            return Entry(number, item[0], item[1], added, None, None)
        seconds = h(self.seed, pl.key, number, 4) % 86_400
        stamp = BASE_TIME + timedelta(days=added, seconds=seconds)
        if pl.collaborative:
            adder = 0 if h(self.seed, pl.key, number, 7) % 2 else pl.owner
        else:
            adder = pl.owner
        return Entry(number, item[0], item[1], added, stamp.strftime("%Y-%m-%dT%H:%M:%SZ"), adder)

    # ---- who sees what ---------------------------------------------------------------
    def me_can_edit(self, pl: Playlist) -> bool:
        return not pl.editorial and (pl.owner == 0 or pl.collaborative)

    def me_playlists(self, extended: bool) -> list[Playlist]:
        own = [self.get(i) for i in range(min(ME_OWNED, self.catalog.n_playlists))]
        collab = [self.get(i) for i in ME_COLLAB if i < self.catalog.n_playlists]
        follows = [self.get(i) for i in ME_FOLLOWS if i < self.catalog.n_playlists]
        editorial = [self.get(i, editorial=True) for i in range(3)] if extended else []
        return own + collab + follows + editorial
