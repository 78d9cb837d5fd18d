"""The raw zone contract between extract (writer) and transform (reader).

Layout under the raw store:
    raw/<source kind>/dt=YYYY-MM-DD/run=<run_id>/part-NNNNN.jsonl.gz   gzip JSON Lines envelopes
    raw/_runs/dt=YYYY-MM-DD/run=<run_id>/manifest.json                  the run manifest
    state/...                                                           extraction state (extract)

`run_id` is `YYYYMMDDTHHMMSSZ-<8 hex>` (UTC start time + random suffix): sortable, unique.
`dt` is the UTC day the run started; every envelope of a run carries the same `dt`, so a
run that crosses midnight still describes one day's snapshot.

One envelope per HTTP response, exactly as received (body is the decoded JSON, or None with
`body_text` when it was not JSON). The Authorization header is never recorded.

A playlist whose snapshot_id did not change costs one small request; its envelope has
`carry_forward` = {"playlist_id", "snapshot_id", "since_dt", "since_run_id", "parts": [...]}:
the raw keys whose playlist-items pages for that snapshot hold the items, so the transform
can re-emit the day's PLAYLIST_ITEM snapshot without a new request. With "complete": false
(a fetch stopped mid-way by a budget or quota and resumed), those parts hold the first pages
and the run's own pages with the same source_id hold the rest: the day's items are always
the union of both. Item pages are the /items or /tracks pages and the page embedded in a
full playlist object (`items` or `tracks`), each with source_id = the playlist id. A
/items or /tracks page also has `snapshot_id`, the snapshot its playlist object had when the
fetch began, so its rows keep the snapshot even when that object is in another part or run
(a fetch stopped by the budget and finished the next day, or a part that rolled mid-way).
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

SOURCE_KINDS = (
    "playlists",  # playlist objects and their item pages
    "albums",  # album objects (single and several-at-once) and album-tracks pages
    "artists",  # artist objects, artist-albums pages, top-tracks
    "tracks",  # track objects
    "search",  # search pages
    "library",  # me, me/playlists, me/tracks, recently-played, top items
)

RUN_ID_RE = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{8}$")
PART_KEY_RE = re.compile(
    r"^(?P<root>.*?)(?P<kind>[a-z_]+)/dt=(?P<dt>\d{4}-\d{2}-\d{2})/run=(?P<run_id>[^/]+)/"
    r"part-(?P<part>\d{5})\.jsonl\.gz$"
)


class Envelope(msgspec.Struct, omit_defaults=True):
    method: str
    url: str  # absolute URL without the query string
    params: dict[str, Any]
    status: int
    fetched_at: str  # ISO 8601 UTC, e.g. 2026-11-24T06:00:01.123456Z
    profile: str  # development | extended | unknown
    run_id: str
    source_kind: str
    dt: str  # YYYY-MM-DD
    body: Any = None
    body_text: str | None = None  # only when the body was not valid JSON
    source_id: str | None = None  # the configured id this response was fetched for
    carry_forward: dict[str, Any] | None = None
    snapshot_id: str | None = None  # items pages: the playlist snapshot the page belongs to


def part_key(source_kind: str, dt: str, run_id: str, part: int, root: str = "raw/") -> str:
    return f"{root}{source_kind}/dt={dt}/run={run_id}/part-{part:05d}.jsonl.gz"


def manifest_key(dt: str, run_id: str, root: str = "raw/") -> str:
    return f"{root}_runs/dt={dt}/run={run_id}/manifest.json"


def parse_part_key(key: str) -> dict[str, str] | None:
    match = PART_KEY_RE.match(key)
    return match.groupdict() if match else None
