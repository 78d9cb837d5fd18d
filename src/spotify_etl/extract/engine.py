"""The work loop: playlist snapshots first, then listings (new items), then entity details.

Every response is recorded as it arrives, so a stop (budget, quota, long Retry-After) at any
request loses nothing: `checkpoint()` describes exactly what is left, and a new Engine built
with that checkpoint continues without fetching anything twice.
"""

from __future__ import annotations

import logging
import zlib
from typing import TYPE_CHECKING

from spotify_etl.errors import QuotaExhausted, RetryableError, SkippableError
from spotify_etl.extract import listings as L
from spotify_etl.extract.discover import Found
from spotify_etl.extract.entities import ENTITY_ORDER, EntityPhase
from spotify_etl.extract.playlists import PlaylistTask
from spotify_etl.extract.quota import Deferred
from spotify_etl.extract.recorder import Recorder
from spotify_etl.extract.sources import ResolvedSources
from spotify_etl.extract.state import Checkpoint, ListingProgress

if TYPE_CHECKING:
    from spotify_etl.spotify import SpotifyClient

log = logging.getLogger(__name__)

NO_USER_HINT = "the user's library needs a user token: run `spotify-etl auth login`"
REFUSED_HINT = "run `spotify-etl auth login` again: its default scopes cover every library source"


def in_shard(value: str, shard: tuple[int, int] | None) -> bool:
    if shard is None:
        return True
    index, count = shard
    return zlib.crc32(value.encode()) % count == index


class Engine:
    def __init__(
        self,
        client: SpotifyClient,
        recorder: Recorder,
        sources: ResolvedSources,
        *,
        market: str | None,
        listing_ttl_days: float,
        has_user_token: bool,
        shard: tuple[int, int] | None = None,
        refused_ttl_days: float = 7,
    ) -> None:
        self.client = client
        self.refused_ttl_days = refused_ttl_days
        self.deferred = Deferred()  # work whose quota bucket is locked: for the next run
        self.rec = recorder
        self.sources = sources
        self.listing_ttl_days = listing_ttl_days
        self.market = market
        self.api_base = client.settings.resolved_api_base()
        self.has_user_token = has_user_token
        self.playlists: dict[str, None] = {}
        self.listings: dict[str, L.Listing] = {}
        self.progress: dict[str, ListingProgress] = {}
        self.pending: dict[str, dict[str, None]] = {kind: {} for kind in ENTITY_ORDER}
        self.tracklists: dict[str, None] = {}
        self.done: set[str] = set()
        self.entities = EntityPhase(
            client,
            recorder,
            self.deferred,
            self.found,
            pending=self.pending,
            tracklists=self.tracklists,
            listings=self.listings,
            progress=self.progress,
        )
        self._plan(sources, market, shard)

    # -- planning -----------------------------------------------------------------------
    def _plan(
        self, src: ResolvedSources, market: str | None, shard: tuple[int, int] | None
    ) -> None:
        first_shard = shard is None or shard[0] == 0
        if src.library.playlists and first_shard:
            self._add_listing(L.my_playlists_listing())
        for playlist_id in src.playlists:
            if in_shard(playlist_id, shard):
                self.playlists[playlist_id] = None
        for search in src.searches:
            if in_shard(f"{search.type}:{search.q}", shard):
                self._add_listing(L.search_listing(search.q, search.type, search.limit, market))
        for artist in src.artists:
            if not in_shard(artist.id, shard):
                continue
            self._want("artist", artist.id)
            if artist.discography:
                self._add_listing(L.discography_listing(artist.id, artist.include_groups, market))
        for album_id in src.albums:
            if in_shard(album_id, shard) and self._want("album", album_id):
                self.tracklists[album_id] = None
        for track_id in src.tracks:
            if in_shard(track_id, shard):
                self._want("track", track_id)
        if first_shard:
            lib = src.library
            for listing in L.library_listings(lib.saved_tracks, lib.recently_played, lib.top):
                self._add_listing(listing)
        for kind, queued in self.rec.state.queued.items():  # ids seen in plays (listen, import)
            for entity_id in queued:
                if kind in self.pending and in_shard(entity_id, shard):
                    self._want(kind, entity_id)

    def _add_listing(self, listing: L.Listing) -> None:
        if listing.user and not self.has_user_token:
            # Without the user's authorisation these cannot be had; say so, spend nothing.
            log.warning("library %s skipped: %s", listing.key, NO_USER_HINT)
            self.rec.skip(listing.key, "library", None, NO_USER_HINT)
            return
        if listing.key in self.progress or self.rec.is_due(
            "listing", listing.key, self.listing_ttl_days
        ):
            self.listings.setdefault(listing.key, listing)

    def _want(self, kind: str, entity_id: str) -> bool:
        if self.rec.is_due(kind, entity_id) and entity_id not in self._deferred(kind):
            self.pending[kind][entity_id] = None
            return True
        return False

    def resume(self, checkpoint: Checkpoint, same_sources: bool, dt: str) -> None:
        """Take over what a stopped run left: its pending ids always, its plan if unchanged."""
        for kind, ids in checkpoint.pending.items():
            for entity_id in ids:
                if kind in self.pending:
                    self._want(kind, entity_id)
        for album_id in checkpoint.tracklists:
            self.tracklists[album_id] = None
        if not same_sources:
            log.info("sources changed since the checkpoint: re-planned, pending ids kept")
            return
        if checkpoint.dt == dt:  # today's snapshots already taken stay taken
            self.done |= set(checkpoint.done)
        for playlist_id in checkpoint.playlists:
            self.playlists.setdefault(playlist_id, None)
        for key, progress in checkpoint.listings.items():
            self.progress[key] = progress
            if key.startswith("album_tracks:"):  # not planned from the config: rebuild it
                album_id = key.split(":", 1)[1]
                url = L.rebase(progress.next_url, self.api_base)
                self.listings[key] = L.tracklist_listing(album_id, url)

    # -- discoveries --------------------------------------------------------------------
    def found(self, found: Found, *, discography: bool = False) -> None:
        with self.rec.lock:
            for kind, ids in found.full.items():
                for entity_id in ids:
                    self.rec.touch(kind, entity_id)
                    self.pending[kind].pop(entity_id, None)
            for kind, ids in found.wanted().items():
                for entity_id in ids:
                    wanted = self._want(kind, entity_id)
                    if discography and kind == "album" and wanted:
                        self.tracklists[entity_id] = None
            for playlist_id in found.playlists:
                if playlist_id not in self.done:
                    self.playlists.setdefault(playlist_id, None)

    def outstanding(self) -> int:
        """Work still planned, one unit per playlist, listing and entity: the progress bar's
        total grows with discovery and reaches what was done when nothing is left."""
        done = set(self.done)
        items = list(self.playlists) + list(self.listings)
        pending = sum(len(ids) for ids in list(self.pending.values()))
        return sum(1 for key in items if key not in done) + pending

    # -- the loop -----------------------------------------------------------------------
    def run(self) -> None:
        while self._playlists() or self._listings() or self.entities.step():
            pass

    def _playlists(self) -> bool:
        mine = "my_playlists"
        if mine in self.listings and mine not in self.done and mine not in self.deferred:
            self._listing(self.listings[mine])
        todo = [p for p in self.playlists if p not in self.done and p not in self.deferred]
        if not todo:
            return False
        task = PlaylistTask(
            self.client,
            self.rec,
            self.found,
            has_user_token=self.has_user_token,
            market=self.market,
            api_base=self.api_base,
            refused_ttl_days=self.refused_ttl_days,
        )

        def one(playlist_id: str) -> None:
            try:
                task(playlist_id)
            except QuotaExhausted as exc:
                self.deferred.add(playlist_id, exc)
                return
            with self.rec.lock:
                self.done.add(playlist_id)  # deferred ones too: once per run (see checkpoint)

        # A playlist fetched in part by an earlier run costs a snapshot check before its next
        # page. Started all at once, a small budget went to those checks alone, run after run:
        # one at a time, each run moves at least one of them forward.
        partial = [p for p in todo if (s := self.rec.playlist(p)) is not None and not s.complete]
        for playlist_id in partial:
            one(playlist_id)
        for _ in self.client.map(one, [p for p in todo if p not in partial]):
            pass
        return True

    def _listings(self) -> bool:
        todo = [
            part
            for key, listing in list(self.listings.items())
            if key not in self.done and key not in self.deferred
            for part in self._by_group(listing)
        ]
        if not todo:
            return False
        for _ in self.client.map(self._listing, todo):
            pass
        return True

    def _by_group(self, listing: L.Listing) -> list[L.Listing]:
        """A discography as one listing per album group unless the profile is extended.

        Development mode dropped `album_group` (docs/spotify-api.md): asked one `include_groups`
        value at a time, each reply says (in its request's params) the group of its albums.
        Each group is a listing of its own (own progress, own TTL); the whole is never
        marked fetched, so it is split again next run and only groups that are due run.
        While the profile is unknown (nothing fetched before it) it is split too: a few
        pages more in extended mode, never an album of unknown group in development.
        """
        if (
            listing.kind != "artist_albums"
            or len(listing.groups) < 2
            or listing.key in self.progress  # a combined listing already under way
            or self.client.profile == "extended"
        ):
            return [listing]
        parts = []
        with self.rec.lock:
            self.done.add(listing.key)
            for group in listing.groups:
                part = L.discography_listing(listing.source_id or "", (group,), self.market)
                if part.key in self.done or part.key in self.deferred:
                    continue
                if part.key in self.progress or self.rec.is_due(
                    "listing", part.key, self.listing_ttl_days
                ):
                    parts.append(self.listings.setdefault(part.key, part))
        return parts

    def _listing(self, listing: L.Listing) -> None:
        try:
            self._listing_pages(listing)
        except QuotaExhausted as exc:
            self.deferred.add(listing.key, exc)  # its progress stays for the next run

    def _listing_pages(self, listing: L.Listing) -> None:
        progress = self.progress.get(listing.key)
        fetched = True
        try:
            if progress is not None:
                pages = self.client.pages(
                    L.rebase(progress.next_url, self.api_base),
                    user=listing.user,
                    max_items=progress.remaining,
                )
            else:
                pages = listing.start(self.client)
            remaining = progress.remaining if progress else listing.max_items
            for page in pages:
                self.rec.record(page, listing.source_kind, source_id=listing.source_id)
                self.found(
                    L.scan_page(listing, page.body), discography=listing.kind == "artist_albums"
                )
                if remaining is not None:
                    remaining -= L.page_items(listing, page.body)
                following = L.page_next(listing, page.body)
                with self.rec.lock:
                    if following and (remaining is None or remaining > 0):
                        self.progress[listing.key] = ListingProgress(following, remaining)
                    else:
                        self.progress.pop(listing.key, None)
        except SkippableError as exc:
            fetched = False
            reason = exc.reason
            if listing.user and exc.status in (401, 403):  # e.g. "Insufficient client scope"
                reason = f"{reason}: {REFUSED_HINT}"
            log.warning("listing %s skipped: %s", listing.key, reason)
            self.rec.skip(listing.source_id or listing.key, listing.kind, exc.status, reason)
        except RetryableError as exc:
            # Its progress stays in the checkpoint: the next run continues at the failed page.
            with self.rec.lock:
                self.done.add(listing.key)
            log.warning("listing %s deferred to the next run: %s", listing.key, exc)
            self.rec.defer([listing.key], "listing", str(exc))
            return
        with self.rec.lock:
            self.progress.pop(listing.key, None)
            self.done.add(listing.key)
            if fetched:  # a refused listing is asked again next run, once the user fixed it
                self.rec.touch("listing", listing.key)

    # -- stopping -----------------------------------------------------------------------
    def _deferred(self, kind: str) -> set[str]:
        return set(self.rec.deferred_ids(kind))

    def checkpoint(
        self, *, run_id: str, dt: str, reason: str, resume_after: str | None
    ) -> Checkpoint:
        """What is left: never fetched, and deferred (failed every attempt) this run."""
        with self.rec.lock:
            deferred_playlists = self._deferred("playlist")
            pending = {
                kind: [*ids, *sorted(self._deferred(kind) - set(ids))]
                for kind, ids in self.pending.items()
            }
            return Checkpoint(
                run_id=run_id,
                dt=dt,
                reason=reason,
                saved_at=self.rec.now_iso,
                sources=self.sources.fingerprint(),
                done=sorted(
                    k for k in self.done if k in self.playlists and k not in deferred_playlists
                ),
                listings=dict(self.progress),
                pending={k: ids for k, ids in pending.items() if ids},
                tracklists=[a for a in self.tracklists if a in pending["album"]],
                playlists=[
                    p for p in self.playlists if p not in self.done or p in deferred_playlists
                ],
                deferred={f"{d.kind}:{d.id}": d.reason for d in self.rec.deferred},
                resume_after=resume_after,
            )
