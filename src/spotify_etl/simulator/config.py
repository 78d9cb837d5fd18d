"""Simulator settings and the per-profile limits of the 2026 Web API (docs/spotify-api.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from spotify_etl.errors import ConfigError

DEMO_CLIENT_ID = "spotify-etl-demo"
DEMO_CLIENT_SECRET = "spotify-etl-demo-secret"  # noqa: S105 - documented demo credential

Profile = Literal["development", "extended"]
PROFILES: tuple[Profile, ...] = ("development", "extended")


@dataclass(frozen=True)
class Limits:
    """Largest `limit` per endpoint family, and the defaults when a client sends none."""

    search_max: int
    search_default: int
    artist_albums_max: int
    artist_albums_default: int
    playlist_items_max: int
    playlist_tracks_max: int
    paging_max: int = 50
    paging_default: int = 20
    search_offset_max: int = 1000
    batch_albums: int = 20
    batch_artists: int = 50
    batch_tracks: int = 50


LIMITS: dict[str, Limits] = {
    "development": Limits(
        search_max=10,
        search_default=5,
        artist_albums_max=10,
        artist_albums_default=5,
        playlist_items_max=50,
        playlist_tracks_max=0,
    ),
    "extended": Limits(
        search_max=50,
        search_default=20,
        artist_albums_max=50,
        artist_albums_default=20,
        playlist_items_max=50,
        playlist_tracks_max=100,
    ),
}


@dataclass(frozen=True)
class SimulatorConfig:
    """Everything that shapes one simulator run.

    `scale` is the approximate number of tracks; entities are derived lazily from ids, so a
    large scale costs start-up time only for a few small index arrays. Faults are drawn from
    `fault_seed` and the request's sequence number, so a sequential client sees the same
    faults on every run.

    Quota (see quota.py): `daily_quota` is the size of every endpoint bucket over the rolling
    `quota_window_s` (None: no quota), `bucket_quota` sizes buckets by name (e.g.
    `{"artist-albums": 100}`; others keep `daily_quota`), `bucket_groups` moves path
    templates or prefixes to other buckets, and `developer_accounts` maps further client ids
    (accepted with the same secret) to the developer account whose quota they share; a client
    id it does not name is an account of its own. `retry_after_drop_rate` is the share of 429
    replies (rate limit and quota) sent without Retry-After, which Spotify documents as
    "normally" present (docs/spotify-api.md).
    """

    profile: Profile = "development"
    seed: int = 42
    scale: int = 10_000
    day: int = 0
    client_id: str = DEMO_CLIENT_ID
    client_secret: str = field(default=DEMO_CLIENT_SECRET, repr=False)
    window_requests: int | None = None
    window_seconds: float = 30
    daily_quota: int | None = None
    bucket_quota: Mapping[str, int] = field(default_factory=dict)
    bucket_groups: Mapping[str, str] = field(default_factory=dict)
    quota_window_s: float = 86_400
    developer_accounts: Mapping[str, str] = field(default_factory=dict)
    retry_after_drop_rate: float = 0.0
    token_lifetime_s: float = 3600
    error_rate: float = 0.0
    latency_ms: float = 0
    malformed_rate: float = 0.0
    truncated_rate: float = 0.0
    drop_rate: float = 0.0
    fault_seed: int = 0
    # A simulator.playclock.PlayClock: recently-played then follows its plays (None: a fixed
    # list per day). Not compared: a clock is a moving part, not a setting.
    play_clock: Any = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ConfigError(
                f"unknown simulator profile {self.profile!r}", hint="development|extended"
            )
        if self.scale < 100 or self.scale > 50_000_000:
            raise ConfigError(f"simulator scale {self.scale} out of range", hint="100..50000000")
        rates = (self.error_rate, self.malformed_rate, self.truncated_rate, self.drop_rate)
        if any(r < 0 or r > 1 for r in rates) or sum(rates) > 1:
            raise ConfigError("simulator fault rates must lie in 0..1 and sum to at most 1")
        if self.day < 0:
            raise ConfigError("the simulated day cannot be negative")
        if self.window_requests is not None and self.window_requests < 1:
            raise ConfigError("window_requests must be at least 1")
        if self.daily_quota is not None and self.daily_quota < 1:
            raise ConfigError("daily_quota must be at least 1")
        if any(size < 1 for size in self.bucket_quota.values()):
            raise ConfigError("every bucket_quota size must be at least 1")
        if self.quota_window_s <= 0 or not 0 <= self.retry_after_drop_rate <= 1:
            raise ConfigError("quota_window_s must be positive, retry_after_drop_rate in 0..1")
        if self.token_lifetime_s <= 0 or self.window_seconds <= 0 or self.latency_ms < 0:
            raise ConfigError("token lifetime and window must be positive, latency not negative")
        if not self.client_id or not self.client_secret:
            raise ConfigError("simulator client id and secret must not be empty")

    @property
    def client_ids(self) -> tuple[str, ...]:
        """Every client id the accounts service accepts (all with `client_secret`)."""
        return (self.client_id, *(c for c in self.developer_accounts if c != self.client_id))

    @property
    def limits(self) -> Limits:
        return LIMITS[self.profile]

    @property
    def development(self) -> bool:
        return self.profile == "development"
