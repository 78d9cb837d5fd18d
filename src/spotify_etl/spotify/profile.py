"""What this app's API profile allows, learnt from replies and remembered for the run.

Spotify does not say whether an app is in development or extended quota mode; the replies
do. A several-at-once endpoint that answers as removed, `/playlists/{id}/tracks` gone, or
"Invalid limit" above 10 mean development; the same calls succeeding mean extended. Full
entity objects give a first hint before any probe: development mode strips `popularity`.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Literal

log = logging.getLogger(__name__)

ProfileName = Literal["development", "extended", "unknown"]
Feature = Literal["batch", "playlist_tracks", "wide_pages"]
FEATURES: tuple[Feature, ...] = ("batch", "playlist_tracks", "wide_pages")

# Page sizes per profile (docs/spotify-api.md): search and artist albums shrank to 10 in
# development mode.
WIDE_PAGE = 50
NARROW_PAGE = 10
PLAYLIST_TRACKS_PAGE = 100  # /playlists/{id}/tracks, extended only
PLAYLIST_ITEMS_PAGE = 50  # /playlists/{id}/items, both profiles


class ProfileState:
    """Thread-safe memory of which features this app has; each is learnt at most once."""

    def __init__(self) -> None:
        self._features: dict[Feature, bool] = {}
        self._hint: ProfileName = "unknown"
        self._lock = threading.Lock()

    @property
    def name(self) -> ProfileName:
        with self._lock:
            if self._features:
                return "extended" if all(self._features.values()) else "development"
            return self._hint

    def has(self, feature: Feature) -> bool | None:
        """True/False once learnt; else the profile's expectation; None when nothing is known."""
        with self._lock:
            if feature in self._features:
                return self._features[feature]
        profile = self.name
        return None if profile == "unknown" else profile == "extended"

    def learned(self, feature: Feature) -> bool:
        """Whether a reply has settled this feature (not just a hint)."""
        with self._lock:
            return feature in self._features

    def learn(self, feature: Feature, available: bool) -> None:
        with self._lock:
            if self._features.get(feature) is None:
                state = "available" if available else "removed"
                log.info("Spotify API: %s %s for this app", feature.replace("_", " "), state)
            self._features[feature] = available
            if not available:
                # One removed feature settles the profile; the others follow from it.
                for other in FEATURES:
                    self._features.setdefault(other, False)

    def assume(self, profile: ProfileName) -> None:
        """A hint from outside (the profile an earlier run saw), until a reply settles it.

        Safe either way: a wrong "development" costs narrower pages and one-by-one fetches,
        a wrong "extended" one refused probe per feature, then the fallback.
        """
        with self._lock:
            if self._hint == "unknown" and not self._features:
                self._hint = profile

    def observe(self, body: Any) -> None:
        """A hint from a full album/artist/track object, used until a probe settles it."""
        if self._hint != "unknown" or not isinstance(body, dict):
            return
        kind = body.get("type")
        hint: ProfileName = "unknown"
        if kind in ("album", "artist", "track") and "name" in body:
            hint = "extended" if "popularity" in body else "development"
        elif kind == "playlist" and ("tracks" in body or "items" in body):
            # A `fields` filter strips both; the full object names its items by profile.
            hint = "extended" if "tracks" in body else "development"
        if hint != "unknown":
            with self._lock:
                self._hint = hint
