"""Entity details: full albums, artists and tracks for the ids the engine has pending.

The client fetches "these albums" however the profile allows (client.albums(ids): batches in
extended mode, one by one in development); each reply is recorded as it comes, and the client
hands back every reply already fetched before a stop, so a stop loses no reply. An album whose
full track list is wanted (configured, or from a discography) queues the rest of its track
list as a listing when its first page is not the whole of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from spotify_etl.errors import QuotaExhausted
from spotify_etl.extract import listings as L
from spotify_etl.extract.discover import Found, next_url, scan_objects
from spotify_etl.extract.quota import Deferred
from spotify_etl.extract.recorder import Recorder
from spotify_etl.extract.state import ListingProgress

if TYPE_CHECKING:
    from spotify_etl.spotify import ApiResponse, SpotifyClient
    from spotify_etl.spotify.catalog import Result


@dataclass(frozen=True)
class EntityKind:
    name: str  # "album": the kind in the state, in discover and in Skipped
    folder: str  # "albums": the raw zone folder its replies are recorded in (docs/formats.md)
    fetch: Callable[[SpotifyClient, Sequence[str]], Iterator[Result]]


# In this order: tracks reveal albums and artists; albums reveal artists.
ENTITY_KINDS = (
    EntityKind("track", "tracks", lambda client, ids: client.tracks(ids)),
    EntityKind("album", "albums", lambda client, ids: client.albums(ids)),
    EntityKind("artist", "artists", lambda client, ids: client.artists(ids)),
)
ENTITY_ORDER = tuple(kind.name for kind in ENTITY_KINDS)


class EntityPhase:
    """The engine's entity phase, on the engine's queues (shared, never copied)."""

    def __init__(
        self,
        client: SpotifyClient,
        rec: Recorder,
        deferred: Deferred,
        on_found: Callable[[Found], None],
        *,
        pending: dict[str, dict[str, None]],
        tracklists: dict[str, None],
        listings: dict[str, L.Listing],
        progress: dict[str, ListingProgress],
    ) -> None:
        self.client = client
        self.rec = rec
        self.deferred = deferred
        self.on_found = on_found
        self.pending = pending
        self.tracklists = tracklists
        self.listings = listings
        self.progress = progress

    def step(self) -> bool:
        """Fetch the due ids of the first kind that has any; False when none is left."""
        for kind in ENTITY_KINDS:
            name = kind.name
            # Sorted: the same ids make the same batches, so reruns store the same replies.
            due = sorted(i for i in self.pending[name] if self.rec.is_due(name, i))
            self.pending[name] = dict.fromkeys(due)
            ids = [i for i in due if f"{name}:{i}" not in self.deferred]
            if ids:
                self._fetch(kind, ids)
                return True
        return False

    def _fetch(self, kind: EntityKind, ids: list[str]) -> None:
        name = kind.name
        try:
            for result in kind.fetch(self.client, ids):
                self._result(kind, result)
        except QuotaExhausted as exc:
            # Its bucket is locked: every id not answered yet waits for the next run.
            with self.rec.lock:
                for entity_id in ids:
                    if entity_id in self.pending[name]:
                        self.deferred.add(f"{name}:{entity_id}", exc)
        with self.rec.lock:  # an id the API did not answer for is not asked again this run
            for entity_id in ids:
                if f"{name}:{entity_id}" in self.deferred:
                    continue  # still pending: the checkpoint keeps it for the next run
                if self.pending[name].pop(entity_id, None) is not None:
                    self.rec.skip(entity_id, name, None, "no object in the reply")

    def _result(self, kind: EntityKind, result: Result) -> None:
        # Imported here, as elsewhere in extract: planning a run needs no HTTP client.
        from spotify_etl.spotify.responses import Skipped, Unfetched

        if isinstance(result, Skipped):
            self.rec.skip(result.id, result.kind, result.status, result.reason)
            with self.rec.lock:
                self.pending[kind.name].pop(result.id, None)
        elif isinstance(result, Unfetched):
            # Failed every attempt: out of this run, into the checkpoint.
            with self.rec.lock:
                left = [i for i in result.ids if i in self.pending[kind.name]]
                for entity_id in left:
                    del self.pending[kind.name][entity_id]
            self.rec.defer(left, kind.name, result.reason)
        else:
            self._reply(kind, result)

    def _reply(self, kind: EntityKind, reply: ApiResponse) -> None:
        from spotify_etl.spotify.catalog import entity_objects, is_batch

        body: Any = reply.body
        single = not is_batch(reply) and isinstance(body, dict)
        self.rec.record(reply, kind.folder, source_id=body.get("id") if single else None)
        objects = entity_objects(reply)
        found = scan_objects(kind.name, objects)
        self.on_found(found)
        with self.rec.lock:
            self.rec.entities_fetched += len(found.full[kind.name])
            for obj in objects:
                if not isinstance(obj, dict):
                    continue
                entity_id = str(obj.get("id"))
                self.pending[kind.name].pop(entity_id, None)
                if kind.name == "album" and entity_id in self.tracklists:
                    del self.tracklists[entity_id]
                    rest = next_url(obj.get("tracks"))
                    if rest:
                        listing = L.tracklist_listing(entity_id, rest)
                        self.listings[listing.key] = listing
                        # Held as progress from the start, so a stop before it runs keeps it.
                        self.progress[listing.key] = ListingProgress(rest)
