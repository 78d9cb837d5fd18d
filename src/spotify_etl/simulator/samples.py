"""Ids and search terms that tests and the demo can rely on (`sim.catalog.<helper>`)."""

from __future__ import annotations

from abc import ABC, abstractmethod

from spotify_etl.simulator import names
from spotify_etl.simulator.ids import IdCodec

ARTIST, ALBUM, TRACK, PLAYLIST, EPISODE, SHOW, USER = 1, 2, 3, 4, 5, 6, 7
ME_OWNED = 8  # playlists 0..7 belong to the simulated user "me"
ME_COLLAB = (8, 9)  # owned by others, "me" collaborates
ME_FOLLOWS = range(10, 20)
BIG_PLAYLIST = 29  # 10,000 items, owned by another user


class SampleIds(ABC):
    """The base of Catalog: stable picks of ids for tests, demos and benchmarks.

    The picks need only ids and visibility, which the catalog defines (catalog.Catalog).
    """

    codec: IdCodec
    n_artists: int
    n_albums: int
    n_tracks: int
    n_playlists: int
    n_editorial: int

    @abstractmethod
    def id_of(self, kind: int, index: int) -> str:
        """The id of entity `index` of `kind`."""

    @abstractmethod
    def album_visible(self, b: int, day: int) -> bool:
        """Whether album `b` is out on `day`."""

    @abstractmethod
    def track_visible(self, t: int, day: int) -> bool:
        """Whether track `t` is out on `day`."""

    @abstractmethod
    def search_total(self, kind: int, keyword: int, count: int) -> int:
        """How many entities of `kind` a search for `keyword` matches among `count`."""

    def artist_ids(self, n: int) -> list[str]:
        return [self.id_of(ARTIST, a) for a in range(min(n, self.n_artists))]

    def album_ids(self, n: int, day: int = 0) -> list[str]:
        out: list[str] = []
        for b in range(self.n_albums):
            if len(out) >= n:
                break
            if self.album_visible(b, day):
                out.append(self.id_of(ALBUM, b))
        return out

    def track_ids(self, n: int, day: int = 0) -> list[str]:
        out: list[str] = []
        for t in range(self.n_tracks):
            if len(out) >= n:
                break
            if self.track_visible(t, day):
                out.append(self.id_of(TRACK, t))
        return out

    def playlist_ids(self, n: int, owner: str = "me") -> list[str]:
        """Ids of playlists owned by "me", by "other" users, or shared with me ("collab")."""
        if owner == "me":
            indices: range | tuple[int, ...] = range(min(n, ME_OWNED))
        elif owner == "collab":
            indices = ME_COLLAB[:n]
        elif owner == "other":
            indices = tuple(i for i in range(10, self.n_playlists) if i != BIG_PLAYLIST)[:n]
        else:
            raise ValueError("owner must be me, other or collab")
        return [self.id_of(PLAYLIST, i) for i in indices]

    @property
    def big_playlist_id(self) -> str:
        """A playlist of 10,000 items (owned by another user)."""
        return self.id_of(PLAYLIST, BIG_PLAYLIST)

    def editorial_playlist_ids(self, n: int) -> list[str]:
        """Spotify-owned playlists (ids start with 37i9): 404 in development mode."""
        return [self.codec.encode_editorial(i) for i in range(min(n, self.n_editorial))]

    def search_terms(self, n: int) -> list[str]:
        """Keywords known to match tracks, albums and artists (ASCII first)."""
        terms = [w for w in names.KEYWORDS if w.isascii()] + [
            w for w in names.KEYWORDS if not w.isascii()
        ]
        usable = [
            w
            for w in terms
            if self.search_total(ARTIST, names.KEYWORD_INDEX[w.casefold()], self.n_artists) > 0
        ]
        return usable[:n]
