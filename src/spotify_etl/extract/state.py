"""Extraction state in the object store, beside the raw zone, shared by a laptop and a Lambda.

    state/extract/state.json            known ids, playlist snapshots, checkpoints, refused
                                        playlists, locked quota buckets (one object)
    state/extract/lock-<shard>.json     the lease of the running extraction of that shard

The state object is only ever replaced by a conditional write (if-match on the ETag that was
read). A run keeps its own changes as a delta and, when a write loses the race, re-reads and
re-applies the delta: every change is a merge (newest fetch wins, per id), so two runs at once
can neither corrupt the object nor erase each other's work.
"""

from __future__ import annotations

import logging
import random
import time
from datetime import datetime, timedelta

import msgspec

from spotify_etl.errors import FatalError, PreconditionFailed
from spotify_etl.lease import Lease
from spotify_etl.storage import ObjectStore

log = logging.getLogger(__name__)

STATE_KEY = "state/extract/state.json"  # the one definition: status, run manifests import it
ENTITY_KINDS = ("album", "artist", "track", "listing")


class PlaylistState(msgspec.Struct, omit_defaults=True):
    """The newest snapshot seen of a playlist and the raw parts holding its item pages."""

    snapshot_id: str
    since_dt: str  # the day this snapshot was first fetched
    since_run_id: str
    parts: list[str]  # raw keys with this snapshot's item pages (filter by source_id)
    complete: bool  # False while its item pages are still being fetched (stopped mid-way)
    checked_at: str  # ISO UTC of the last request about it
    next_url: str | None = None  # where an incomplete fetch continues


class ListingProgress(msgspec.Struct, omit_defaults=True):
    """A paged listing interrupted by a stop: continue from `next_url`."""

    next_url: str
    remaining: int | None = None  # items still wanted, for listings with a total (searches)


class Checkpoint(msgspec.Struct, omit_defaults=True):
    """What a stopped run had left to do; the next run of the same shard resumes from it."""

    run_id: str
    dt: str
    reason: str
    saved_at: str
    sources: str  # ResolvedSources.fingerprint() when it was saved
    done: list[str] = []  # task keys finished in this logical run
    listings: dict[str, ListingProgress] = {}
    pending: dict[str, list[str]] = {}  # entity kind -> ids discovered and not yet fetched
    tracklists: list[str] = []  # album ids whose full track list is still wanted
    playlists: list[str] = []  # playlist ids discovered (library) and not yet snapshotted
    resume_after: str | None = None
    # "kind:id" -> why: items whose request failed every attempt; they are in pending,
    # playlists or listings above, so the next run fetches them first.
    deferred: dict[str, str] = {}


class Refusal(msgspec.Struct, omit_defaults=True):
    """A playlist whose items Spotify refused (403): not asked again until `until`."""

    status: int
    reason: str
    since: str  # ISO UTC of the refusal
    until: str  # ISO UTC: after this the items are asked once more
    snapshot_id: str | None = None  # of the header fetched with it


class Gap(msgspec.Struct, omit_defaults=True):
    """Plays that may have been missed: a full page of recently-played whose oldest play is
    newer than the last play known (Spotify remembers only 50)."""

    after: str  # ISO UTC of the last play known before the gap
    before: str  # ISO UTC of the oldest play of the full page
    detected_at: str
    run_id: str


class ListenCursor(msgspec.Struct, omit_defaults=True):
    """`spotify-etl listen`'s place in the user's recently-played (one writer: its lease)."""

    after_ms: int | None = None  # the `after` cursor: epoch ms of the newest play known
    last_played_at: str | None = None  # ISO UTC of that play
    pending_parts: list[str] = []  # raw parts stored but not yet transformed and loaded
    gaps: list[Gap] = []  # the most recent first, at most MAX_GAPS
    polls: int = 0
    plays: int = 0
    updated_at: str | None = None


MAX_GAPS = 100


class State(msgspec.Struct, omit_defaults=True):
    version: int = 1
    known: dict[str, dict[str, str]] = {}  # kind -> id -> ISO UTC of the last fetch
    playlists: dict[str, PlaylistState] = {}
    checkpoints: dict[str, Checkpoint] = {}  # shard tag -> checkpoint
    refused: dict[str, Refusal] = {}  # playlist id -> its items' refusal
    quota: dict[str, str] = {}  # quota bucket -> ISO UTC until which it is locked
    profile: str | None = None  # the API profile the last run saw (development|extended)
    updated_at: str | None = None
    updated_by: str | None = None
    # kind -> id -> ISO UTC when queued: ids seen in plays, for the next extraction to fetch
    queued: dict[str, dict[str, str]] = {}
    listen: ListenCursor | None = None


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class Delta:
    """This run's changes to the state, re-applicable to any newer version of it."""

    def __init__(self) -> None:
        self.known: dict[str, dict[str, str]] = {}
        self.playlists: dict[str, PlaylistState] = {}
        self.checkpoint: Checkpoint | None = None
        self.clear_checkpoint = False
        self.refused: dict[str, Refusal | None] = {}  # None: the refusal is lifted
        self.quota: dict[str, str] = {}
        self.profile: str | None = None
        self.queued: dict[str, dict[str, str]] = {}
        self.listen: ListenCursor | None = None

    def touch(self, kind: str, entity_id: str, at: str) -> None:
        self.known.setdefault(kind, {})[entity_id] = at

    def queue(self, kind: str, entity_id: str, at: str) -> None:
        self.queued.setdefault(kind, {})[entity_id] = at

    def apply(self, state: State, shard: str, run_id: str, at: str) -> State:
        known = {kind: dict(ids) for kind, ids in state.known.items()}
        for kind, ids in self.known.items():
            target = known.setdefault(kind, {})
            for entity_id, fetched in ids.items():
                if target.get(entity_id, "") < fetched:
                    target[entity_id] = fetched
        playlists = dict(state.playlists)
        for playlist_id, mine in self.playlists.items():
            theirs = playlists.get(playlist_id)
            if theirs is None or theirs.checked_at <= mine.checked_at:
                playlists[playlist_id] = mine
        checkpoints = dict(state.checkpoints)
        if self.checkpoint is not None:
            checkpoints[shard] = self.checkpoint
        elif self.clear_checkpoint:
            checkpoints.pop(shard, None)
        refused = dict(state.refused)
        for playlist_id, refusal in self.refused.items():
            if refusal is None:
                refused.pop(playlist_id, None)
            elif playlist_id not in refused or refused[playlist_id].since <= refusal.since:
                refused[playlist_id] = refusal
        # A lock is only ever extended (the latest refusal says the latest time); past ones go.
        quota = {b: t for b, t in state.quota.items() if t > at}
        for bucket, until in self.quota.items():
            if until > quota.get(bucket, at):
                quota[bucket] = until
        return State(
            version=state.version,
            known=known,
            playlists=playlists,
            checkpoints=checkpoints,
            refused=refused,
            quota=quota,
            profile=self.profile or state.profile,
            updated_at=at,
            updated_by=run_id,
            queued=_queued(state.queued, self.queued, known),
            listen=self.listen if self.listen is not None else state.listen,
        )


IdTimes = dict[str, dict[str, str]]


def _queued(theirs: IdTimes, mine: IdTimes, known: IdTimes) -> IdTimes:
    """Both queues, less every id fetched by now (only unknown ids are ever queued)."""
    out: dict[str, dict[str, str]] = {}
    for queue in (theirs, mine):
        for kind, ids in queue.items():
            fetched = known.get(kind, {})
            for entity_id, at in ids.items():
                if entity_id not in fetched:
                    out.setdefault(kind, {})[entity_id] = at
    return out


_decoder = msgspec.json.Decoder(State)


def unreadable_state(store: ObjectStore, key: str, exc: Exception) -> FatalError:
    """The one message for a corrupt state object, whichever command reads it."""
    return FatalError(
        f"extraction state {store.uri(key)} is unreadable ({exc}); "
        "move it aside to start afresh (known ids will be fetched again)"
    )


class StateStore:
    def __init__(self, store: ObjectStore, key: str = STATE_KEY) -> None:
        self.store = store
        self.key = key

    def load(self) -> tuple[State, str | None]:
        """The state and its ETag (None when there is no state yet)."""
        info = self.store.head(self.key)
        if info is None:
            return State(), None
        data = self.store.get(self.key)
        try:
            return _decoder.decode(data), info.etag
        except msgspec.DecodeError as exc:
            raise unreadable_state(self.store, self.key, exc) from None

    def save(self, delta: Delta, shard: str, run_id: str, at: str, attempts: int = 40) -> State:
        """Merge `delta` into the newest state with a conditional write; retry on a lost race.

        Lost races back off with full jitter (capped at 1 s): without it, writers that collide
        once re-read and re-write in lock-step and keep colliding (seen with 4 writers on a
        busy 2-core machine, which gave up after 20 back-to-back attempts).
        """
        for attempt in range(attempts):
            if attempt:
                time.sleep(random.uniform(0, min(1.0, 0.01 * 2**attempt)))
            current, etag = self.load()
            merged = delta.apply(current, shard, run_id, at)
            data = msgspec.json.encode(merged)
            try:
                if etag is None:
                    self.store.put(self.key, data, if_none_match=True)
                else:
                    self.store.put(self.key, data, if_match=etag)
            except PreconditionFailed:
                log.info("extraction state changed under us; merging again")
                continue
            return merged
        raise FatalError(
            f"could not update {self.store.uri(self.key)}: too many concurrent writers"
        )


def lease_key(shard: str) -> str:
    """The object key of the lease held by whoever writes `shard`'s part of the state."""
    return f"state/extract/lock-{shard}.json"


def extraction_lease(store: ObjectStore, shard: str, run_id: str, ttl: timedelta) -> Lease:
    """The lease of one shard's extraction (see spotify_etl.lease for how death is noticed)."""
    return Lease(store, lease_key(shard), owner=run_id, ttl=ttl, what="extraction")
