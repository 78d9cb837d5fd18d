"""Entity details: full albums, artists and tracks for the ids the engine has pending.

Several-at-once where the profile has it (batches in parallel), one by one elsewhere; each
reply is recorded in the thread that fetched it, so a stop loses no reply. An album whose
full track list is wanted (configured, or from a discography) queues the rest of its track
list as a listing when its first page is not the whole of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from spotify_etl.errors import QuotaExhausted, RetryableError, SkippableError
from spotify_etl.extract import listings as L
from spotify_etl.extract.discover import Found, next_url, scan
from spotify_etl.extract.quota import Deferred
from spotify_etl.extract.recorder import Recorder
from spotify_etl.extract.state import ListingProgress

if TYPE_CHECKING:
    from spotify_etl.spotify import ApiResponse, Skipped, SpotifyClient

ENTITY_ORDER = ("track", "album", "artist")  # tracks reveal albums and artists; albums, artists
BATCH_SIZE = {"album": 20, "artist": 50, "track": 50}  # Spotify's several-at-once limits


class EntityFetching:
    """The engine's entity phase; the engine owns the queues this works on."""

    client: SpotifyClient
    rec: Recorder
    pending: dict[str, dict[str, None]]
    tracklists: dict[str, None]
    listings: dict[str, L.Listing]
    progress: dict[str, ListingProgress]
    deferred: Deferred

    def found(self, found: Found, *, discography: bool = False) -> None:
        raise NotImplementedError

    def _entities(self) -> bool:
        for kind in ENTITY_ORDER:
            # Sorted: the same ids make the same batches, so reruns store the same replies.
            due = sorted(i for i in self.pending[kind] if self.rec.is_due(kind, i))
            self.pending[kind] = dict.fromkeys(due)
            ids = [i for i in due if f"{kind}:{i}" not in self.deferred]
            if ids:
                self._fetch(kind, ids)
                return True
        return False

    def _fetch(self, kind: str, ids: list[str]) -> None:
        rest = ids
        if self.client.profile != "development":
            # The first batch also tells whether several-at-once exists (the client probes).
            size = BATCH_SIZE[kind]
            self._batch(kind, ids[:size])
            rest = ids[size:]
        if self.client.profile == "development":
            # One by one, each reply recorded in its own thread: a stop loses no reply.
            todo = [i for i in rest if i in self.pending[kind]]
            for _ in self.client.map(lambda entity_id: self._one(kind, entity_id), todo):
                pass
        else:
            chunks = [rest[i : i + BATCH_SIZE[kind]] for i in range(0, len(rest), BATCH_SIZE[kind])]
            for _ in self.client.map(lambda chunk: self._batch(kind, chunk), chunks):
                pass
        with self.rec.lock:  # an id the API did not answer for is not asked again this run
            for entity_id in ids:
                if f"{kind}:{entity_id}" in self.deferred:
                    continue  # still pending: the checkpoint keeps it for the next run
                if self.pending[kind].pop(entity_id, None) is not None:
                    self.rec.skip(entity_id, kind, None, "no object in the reply")

    def _batch(self, kind: str, chunk: list[str]) -> None:
        try:
            for result in self.client.several(f"{kind}s", chunk):  # type: ignore[arg-type]
                self._result(kind, result)
        except QuotaExhausted as exc:
            with self.rec.lock:
                for entity_id in chunk:
                    if entity_id in self.pending[kind]:
                        self.deferred.add(f"{kind}:{entity_id}", exc)
        except RetryableError as exc:
            self._defer(kind, chunk, exc)

    def _defer(self, kind: str, ids: list[str], exc: RetryableError) -> None:
        """Ids whose request failed every attempt: out of this run, into the checkpoint."""
        with self.rec.lock:
            left = [i for i in ids if i in self.pending[kind]]
            for entity_id in left:
                del self.pending[kind][entity_id]
        self.rec.defer(left, kind, str(exc))

    def _one(self, kind: str, entity_id: str) -> None:
        from spotify_etl.spotify import Skipped

        fetch = {"album": self.client.album, "artist": self.client.artist}.get(
            kind, self.client.track
        )
        try:
            self._result(kind, fetch(entity_id))
        except QuotaExhausted as exc:
            self.deferred.add(f"{kind}:{entity_id}", exc)
        except SkippableError as exc:
            self._result(kind, Skipped(entity_id, kind, exc.status, exc.reason))
        except RetryableError as exc:
            self._defer(kind, [entity_id], exc)

    def _result(self, kind: str, result: ApiResponse | Skipped) -> None:
        from spotify_etl.spotify import Skipped

        if isinstance(result, Skipped):
            self.rec.skip(result.id, kind, result.status, result.reason)
            with self.rec.lock:
                self.pending[kind].pop(result.id, None)
            return
        plural = f"{kind}s"
        body: Any = result.body
        batch = isinstance(body, dict) and isinstance(body.get(plural), list)
        source_id = None if batch else (body.get("id") if isinstance(body, dict) else None)
        self.rec.record(result, plural, source_id=source_id)
        found = scan(plural if batch else kind, body)
        self.found(found)
        with self.rec.lock:
            self.rec.entities_fetched += len(found.full[kind])
            objects = body.get(plural) if batch else [body]
            for obj in objects or []:
                if not isinstance(obj, dict):
                    continue
                self.pending[kind].pop(str(obj.get("id")), None)
                album_id = str(obj.get("id"))
                if kind == "album" and album_id in self.tracklists:
                    del self.tracklists[album_id]
                    rest = next_url(obj.get("tracks"))
                    if rest:
                        listing = L.tracklist_listing(album_id, rest)
                        self.listings[listing.key] = listing
                        # Held as progress from the start, so a stop before it runs keeps it.
                        self.progress[listing.key] = ListingProgress(rest)
