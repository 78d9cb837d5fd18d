"""The run's book-keeping: every response into the raw zone, every fact into the state delta.

Shared by the worker threads, so each change happens under one lock. The state delta only
ever names parts that `flush()` has stored (the writer flushes before each state save).

A request that fails all its attempts (5xx, dropped connections, broken bodies) defers its
item: `defer()` records it with the reason, the engine leaves it for the next run (in the
checkpoint) and the run goes on. Only a streak of DEFER_STREAK deferrals with no success in
between stops the run: then nothing more is to be had now (the API is down or unreachable).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from spotify_etl.errors import StopRun
from spotify_etl.extract.state import Delta, PlaylistState, Refusal, State, iso, parse_iso
from spotify_etl.extract.writer import RawWriter

if TYPE_CHECKING:
    from spotify_etl.spotify import ApiResponse


DEFER_STREAK = 8  # deferrals in a row, without one success between, that stop the run


@dataclass(frozen=True)
class DeferredItem:
    """An item whose request failed every attempt: fetched by the next run instead."""

    id: str
    kind: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "reason": self.reason}


@dataclass(frozen=True)
class SkippedItem:
    id: str
    kind: str
    status: int | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "status": self.status, "reason": self.reason}


class Recorder:
    def __init__(
        self, writer: RawWriter, state: State, ttl_days: dict[str, float], now: datetime
    ) -> None:
        self.writer = writer
        self.state = state  # as loaded at the start; the delta holds this run's changes
        self.delta = Delta()
        self.ttl_days = ttl_days
        self.now = now
        self.now_iso = iso(now)
        self.skipped: list[SkippedItem] = []
        self.deferred: list[DeferredItem] = []
        self._failing = 0  # deferrals since the last recorded success
        self.playlist_report: dict[str, dict[str, Any]] = {}
        self.entities_fetched = 0
        self.lock = threading.RLock()

    def record(
        self,
        response: ApiResponse,
        source_kind: str,
        *,
        source_id: str | None = None,
        carry_forward: dict[str, Any] | None = None,
        snapshot_id: str | None = None,
    ) -> str:
        envelope = self.writer.reply_envelope(
            response,
            source_kind,
            source_id=source_id,
            carry_forward=carry_forward,
            snapshot_id=snapshot_id,
        )
        if 200 <= response.status < 300:
            with self.lock:
                self._failing = 0
        return self.writer.write(envelope)

    # -- what is known ----------------------------------------------------------------
    def fetched_at(self, kind: str, entity_id: str) -> str | None:
        with self.lock:
            mine = self.delta.known.get(kind, {}).get(entity_id)
            return mine or self.state.known.get(kind, {}).get(entity_id)

    def is_due(self, kind: str, entity_id: str, ttl_days: float | None = None) -> bool:
        """Not known, or known for longer than its kind's TTL."""
        last = self.fetched_at(kind, entity_id)
        if last is None:
            return True
        days = self.ttl_days.get(kind, 0.0) if ttl_days is None else ttl_days
        return (self.now - parse_iso(last)).total_seconds() >= days * 86400

    def touch(self, kind: str, entity_id: str) -> None:
        with self.lock:
            self.delta.touch(kind, entity_id, self.now_iso)

    def playlist(self, playlist_id: str) -> PlaylistState | None:
        with self.lock:
            return self.delta.playlists.get(playlist_id) or self.state.playlists.get(playlist_id)

    def set_playlist(self, playlist_id: str, value: PlaylistState) -> None:
        with self.lock:
            self.delta.playlists[playlist_id] = value

    def refusal(self, playlist_id: str) -> Refusal | None:
        """The playlist's items refusal while it lasts (None once lifted or expired)."""
        with self.lock:
            if playlist_id in self.delta.refused:
                found = self.delta.refused[playlist_id]
            else:
                found = self.state.refused.get(playlist_id)
        if found is None or parse_iso(found.until) <= self.now:
            return None
        return found

    def refuse(self, playlist_id: str, refusal: Refusal | None) -> None:
        """Remember a refusal of the playlist's items (None: lift it)."""
        with self.lock:
            self.delta.refused[playlist_id] = refusal
            if refusal is not None:
                self.delta.playlists.pop(playlist_id, None)  # no items to carry forward

    def skip(self, entity_id: str, kind: str, status: int | None, reason: str) -> None:
        with self.lock:
            self.skipped.append(SkippedItem(entity_id, kind, status, reason))

    def defer(self, ids: list[str], kind: str, reason: str) -> None:
        """Leave items for the next run (all recorded before any StopRun: none is lost);
        StopRun when nothing has succeeded for a while."""
        if not ids:
            return
        with self.lock:
            self.deferred.extend(DeferredItem(i, kind, reason) for i in ids)
            self._failing += 1
            failing = self._failing
        if failing >= DEFER_STREAK:
            raise StopRun(
                f"{failing} requests in a row failed all their attempts (last: {reason}); "
                "the rest waits for the next run",
                reason="deferred",
            )

    def deferred_ids(self, kind: str) -> list[str]:
        with self.lock:
            return [d.id for d in self.deferred if d.kind == kind]

    def report_playlist(self, playlist_id: str, **fields: Any) -> None:
        with self.lock:
            self.playlist_report.setdefault(playlist_id, {}).update(fields)
