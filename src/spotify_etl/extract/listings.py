"""Paged listings: searches, discographies, album track lists and the user's library.

A listing is identified by a stable key; while it runs its `next` URL is kept, so a stop
resumes it at the page where it stopped. A finished listing is remembered with its time and
not listed again until `ttl.listing_hours` have passed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from spotify_etl.extract.discover import Found, iter_pages_of, next_url, scan

if TYPE_CHECKING:
    from spotify_etl.spotify import ApiResponse, SpotifyClient

USER_KINDS = ("saved_tracks", "recently_played", "top_artists", "top_tracks", "my_playlists")


@dataclass(frozen=True)
class Listing:
    key: str  # e.g. "search:3f2a...", "artist_albums:<id>", "album_tracks:<id>"
    kind: str  # the discover.scan kind of its pages
    source_kind: str  # raw zone folder
    source_id: str | None
    start: Callable[[SpotifyClient], Iterator[ApiResponse]]
    max_items: int | None = None
    groups: tuple[str, ...] = ()  # a discography's album groups (include_groups)

    @property
    def user(self) -> bool:
        return self.kind in USER_KINDS


def search_listing(q: str, kind: str, total: int, market: str | None) -> Listing:
    digest = hashlib.sha256(f"{kind}\0{total}\0{q}".encode()).hexdigest()[:16]
    return Listing(
        key=f"search:{digest}",
        kind="search",
        source_kind="search",
        source_id=q,
        start=lambda c: c.search(q, kind, total, market=market),
        max_items=total,
    )


def discography_listing(artist_id: str, groups: tuple[str, ...], market: str | None) -> Listing:
    return Listing(
        key=f"artist_albums:{artist_id}:{','.join(groups)}",
        kind="artist_albums",
        source_kind="artists",
        source_id=artist_id,
        start=lambda c: c.artist_albums(artist_id, list(groups), market),
        groups=groups,
    )


def tracklist_listing(album_id: str, url: str) -> Listing:
    """The rest of an album's track list, from the `next` of the page embedded in the album."""
    return Listing(
        key=f"album_tracks:{album_id}",
        kind="album_tracks",
        source_kind="albums",
        source_id=album_id,
        start=lambda c: c.pages(url),
    )


def library_listings(
    saved_tracks: bool, recently_played: bool, top: Sequence[str]
) -> list[Listing]:
    out = []
    if saved_tracks:
        out.append(Listing("saved_tracks", "saved_tracks", "library", None, _saved))
    if recently_played:
        out.append(Listing("recently_played", "saved_tracks", "library", None, _recent))
    for kind in top:
        out.append(
            Listing(
                f"top:{kind}",
                f"top_{kind}",
                "library",
                kind,
                (lambda k: lambda c: c.top(k))(kind),
            )
        )
    return out


def my_playlists_listing() -> Listing:
    return Listing("my_playlists", "my_playlists", "library", None, _mine)


def _saved(client: SpotifyClient) -> Iterator[ApiResponse]:
    return client.saved_tracks()


def _recent(client: SpotifyClient) -> Iterator[ApiResponse]:
    return client.recently_played()


def _mine(client: SpotifyClient) -> Iterator[ApiResponse]:
    return client.my_playlists()


def rebase(url: str, api_base: str) -> str:
    """A saved `next` URL on the current API origin (the simulator's port changes between
    runs; a checkpoint must not point the client at a dead or foreign address)."""
    saved, base = urlsplit(url), urlsplit(api_base)
    if (saved.scheme, saved.netloc) == (base.scheme, base.netloc):
        return url
    return urlunsplit((base.scheme, base.netloc, saved.path, saved.query, ""))


def page_next(listing: Listing, body: Any) -> str | None:
    for page in iter_pages_of(body, listing.kind):
        found = next_url(page)
        if found:
            return found
    return None


def page_items(listing: Listing, body: Any) -> int:
    return sum(len(page.get("items") or []) for page in iter_pages_of(body, listing.kind))


def scan_page(listing: Listing, body: Any) -> Found:
    return scan(listing.kind, body)
