"""The client's guess at Spotify's quota buckets, and the locks a QUOTA_EXCEEDED leaves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spotify_etl.errors import QuotaExhausted
from spotify_etl.spotify.buckets import BUCKETS, QuotaBuckets, bucket_of


@pytest.mark.parametrize(
    ("endpoint", "bucket"),
    [
        ("albums", "albums"),
        ("albums/{id}", "albums"),
        ("albums/{id}/tracks", "albums"),
        ("artists", "artists"),
        ("artists/{id}", "artists"),
        ("artists/{id}/albums", "artist-albums"),
        ("artists/{id}/top-tracks", "artist-top-tracks"),
        ("tracks/{id}", "tracks"),
        ("search", "search"),
        ("playlists/{id}", "playlists"),
        ("playlists/{id}/items", "playlists"),
        ("me/playlists", "playlists"),
        ("users/{id}/playlists", "playlists"),
        ("me/tracks", "library"),
        ("me/albums", "library"),
        ("me/shows", "library"),
        ("me/episodes", "library"),
        ("me/following", "library"),
        ("me/player/recently-played", "player"),
        ("me/player/currently-playing", "player"),
        ("me", "me"),
        ("me/top/artists", "me"),
        ("browse/new-releases", "browse"),
        ("markets", "markets"),  # outside the map: its own bucket
    ],
)
def test_bucket_of(endpoint: str, bucket: str) -> None:
    assert bucket_of(endpoint) == bucket


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_a_lock_holds_until_its_time_and_only_for_its_bucket() -> None:
    clock = Clock()
    quota = QuotaBuckets(clock)
    with pytest.raises(QuotaExhausted) as raised:
        quota.exhaust("artists/{id}/albums", 3600)
    error = raised.value
    assert (error.bucket, error.resume_at) == ("artist-albums", clock.now + timedelta(hours=1))
    quota.check("albums/{id}")  # another bucket: no error
    with pytest.raises(QuotaExhausted):
        quota.check("artists/{id}/albums")
    clock.now += timedelta(minutes=61)
    quota.check("artists/{id}/albums")
    assert quota.locked() == {}


def test_restore_keeps_future_locks_and_drops_past_ones() -> None:
    clock = Clock()
    quota = QuotaBuckets(clock)
    later = clock.now + timedelta(hours=5)
    quota.restore({"search": clock.now - timedelta(seconds=1), "library": later})
    assert quota.locked() == {"library": later}
    with pytest.raises(QuotaExhausted) as err:
        quota.check("me/tracks")
    assert err.value.retry_after_s == 5 * 3600


@given(st.lists(st.integers(min_value=1, max_value=200_000), min_size=1, max_size=5))
def test_the_latest_lock_of_a_bucket_wins(waits: list[int]) -> None:
    clock = Clock()
    quota = QuotaBuckets(clock)
    for wait in waits:
        with pytest.raises(QuotaExhausted):
            quota.exhaust("search", wait)
    assert quota.locked() == {"search": clock.now + timedelta(seconds=max(waits))}
    assert set(quota.locked()) <= set(BUCKETS)
