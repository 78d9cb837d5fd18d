"""One poll of recently-played: the `listen` source of the extraction.

    GET me/player/recently-played?limit=50&after=<cursor>   (one request, the `player` bucket)
    -> one envelope in raw/library/... like every other reply
    -> the cursor, the gap check and the ids to fetch, into the extract state

Spotify remembers the last 50 plays only, and `after` returns those newer than the cursor.
So a full page (50) means plays may have been lost between the last play known and the
oldest play on the page: that window is recorded as a gap (it cannot be recovered from the
API; the privacy export can fill it, see `spotify-etl import history`).

The part is stored (and named in `pending_parts`) before the cursor moves, so a crash at any
point loses nothing: the next poll first transforms and loads the parts still pending.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from spotify_etl.extract.discover import scan
from spotify_etl.extract.state import MAX_GAPS, Delta, Gap, ListenCursor, State, iso
from spotify_etl.extract.writer import RawWriter

if TYPE_CHECKING:
    from spotify_etl.spotify import SpotifyClient

log = logging.getLogger(__name__)

PATH = "me/player/recently-played"
PAGE = 50  # the most Spotify returns, and all it remembers
SHARD = "listen"  # the lease and state tag of the listener


@dataclass
class Poll:
    """What one poll found."""

    run_id: str
    plays: int = 0
    part_key: str | None = None
    gap: Gap | None = None
    queued: dict[str, int] = field(default_factory=dict)  # kind -> ids queued for extraction
    cursor: ListenCursor = field(default_factory=ListenCursor)


def _played_ms(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


def played_times(body: Any) -> list[int]:
    """Epoch ms of every play on a recently-played page (unreadable times are skipped here;
    the transform quarantines their items)."""
    items = body.get("items") if isinstance(body, dict) else None
    out = []
    for item in items if isinstance(items, list) else []:
        text = item.get("played_at") if isinstance(item, dict) else None
        if isinstance(text, str):
            try:
                out.append(_played_ms(text))
            except ValueError:
                continue
    return out


def poll(
    client: SpotifyClient,
    writer: RawWriter,
    state: State,
    delta: Delta,
    *,
    now: datetime | None = None,
) -> Poll:
    """One request; its envelope stored; the cursor, gap and queue put into `delta`."""
    cursor = state.listen or ListenCursor()
    params: dict[str, Any] = {"limit": PAGE}
    if cursor.after_ms is not None:
        params["after"] = cursor.after_ms
    reply = client.get(PATH, params, user=True)
    writer.write(writer.reply_envelope(reply, "library", source_id="recently_played"))
    writer.flush()
    result = Poll(run_id=writer.run_id, part_key=writer.written[-1])
    at = iso(now or datetime.now(UTC))
    times = played_times(reply.body)
    result.plays = len(times)
    gaps = list(cursor.gaps)
    if (
        times
        and cursor.after_ms is not None
        and len(times) >= PAGE
        and min(times) > cursor.after_ms
    ):
        result.gap = Gap(
            after=cursor.last_played_at or _iso_ms(cursor.after_ms),
            before=_iso_ms(min(times)),
            detected_at=at,
            run_id=writer.run_id,
        )
        gaps = [result.gap, *gaps][:MAX_GAPS]
        log.warning(
            "listen: a full page of %d plays: plays between %s and %s may be missing "
            "(poll more often, or fill the window with `spotify-etl import history`)",
            PAGE, result.gap.after, result.gap.before,
        )  # fmt: skip
    newest = max(times, default=None)
    after_ms = cursor.after_ms if newest is None or (cursor.after_ms or 0) >= newest else newest
    result.cursor = ListenCursor(
        after_ms=after_ms,
        last_played_at=_iso_ms(after_ms) if after_ms is not None else None,
        pending_parts=[*cursor.pending_parts, *writer.written[-1:]],
        gaps=gaps,
        polls=cursor.polls + 1,
        plays=cursor.plays + result.plays,
        updated_at=at,
    )
    delta.listen = result.cursor
    result.queued = _queue_unknown(reply.body, state, delta, at)
    return result


def _queue_unknown(body: Any, state: State, delta: Delta, at: str) -> dict[str, int]:
    """Full tracks count as fetched; their albums and artists, unless known, are queued for
    the next extraction (which fetches them in full within its budget)."""
    found = scan("saved_tracks", body)
    for track_id in found.full["track"]:
        delta.touch("track", track_id, at)
    counts: dict[str, int] = {}
    for kind, ids in found.wanted().items():
        for entity_id in ids:
            if entity_id in state.known.get(kind, {}) or entity_id in state.queued.get(kind, {}):
                continue
            delta.queue(kind, entity_id, at)
            counts[kind] = counts.get(kind, 0) + 1
    return counts


def _iso_ms(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def settled(cursor: ListenCursor, parts: list[str], at: str) -> ListenCursor:
    """The cursor once `parts` are transformed and loaded."""
    done = set(parts)
    return ListenCursor(
        after_ms=cursor.after_ms,
        last_played_at=cursor.last_played_at,
        pending_parts=[p for p in cursor.pending_parts if p not in done],
        gaps=cursor.gaps,
        polls=cursor.polls,
        plays=cursor.plays,
        updated_at=at,
    )
