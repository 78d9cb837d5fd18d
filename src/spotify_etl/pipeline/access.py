"""`config check`'s look at what the API lets this app read, from what earlier runs learnt.

No request is made: the profile and the refusals come from the extraction state. When the
last run saw development mode, configured playlists whose items Spotify refused (403: only
the user's own and collaborative playlists are readable, docs/spotify-api.md) are flagged,
since they yield only their header until the refusal expires.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from spotify_etl.errors import SpotifyEtlError
from spotify_etl.extract.sources import parse_id
from spotify_etl.extract.state import StateStore, parse_iso
from spotify_etl.storage import open_store

if TYPE_CHECKING:
    from spotify_etl.config import PipelineConfig

DEV_NOTE = (
    "a development-mode app reads the items of playlists the user owns or collaborates on; "
    "any other playlist gives only its header (name, owner, snapshot)"
)


def playlist_access(config: PipelineConfig, now: datetime | None = None) -> list[str]:
    """Lines for `config check`: the known profile and each refused configured playlist."""
    try:
        state, _ = StateStore(open_store(config.path(config.storage.raw))).load()
    except SpotifyEtlError as exc:
        return [f"  state:      unreadable ({exc})"]
    if state.profile is None:
        return []  # no run has told the profile yet: nothing is known to flag
    lines = [f"  profile:    {state.profile} (seen by the last run)"]
    if state.profile == "development":
        lines.append(f"              {DEV_NOTE}")
    moment = now or datetime.now(UTC)
    for value in config.sources.playlists:
        try:
            playlist_id = parse_id("playlist", value)
        except ValueError:
            continue  # reported by the source check
        refusal = state.refused.get(playlist_id)
        if refusal is None or parse_iso(refusal.until) <= moment:
            continue
        lines.append(
            f"  WARNING playlist {playlist_id}: items refused ({refusal.status}: "
            f"{refusal.reason}); only its header is fetched until {refusal.until}. "
            "To track its items, copy it into a playlist you own or become a collaborator"
        )
    return lines
