"""The quota: per developer account and endpoint bucket, on a rolling window.

As docs/spotify-api.md, "Errors, rate limit and quota", describes it.
"""

from __future__ import annotations

import time

import httpx
import pytest

from spotify_etl.errors import ConfigError
from spotify_etl.simulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, SimulatorConfig
from spotify_etl.simulator import running_simulator as running
from spotify_etl.simulator.quota import bucket_of
from spotify_etl.simulator.routes import ROUTES

from .conftest import Api, app_token

# Spotify's exact body (docs/spotify-api.md, "Errors, rate limit and quota", quota).
QUOTA_EXCEEDED = {
    "error": {"status": 429, "message": "Too many requests", "reason": "QUOTA_EXCEEDED"}
}


def _token(sim: object, client_id: str) -> str:
    reply = httpx.post(
        sim.token_url,  # type: ignore[attr-defined]
        data={"grant_type": "client_credentials"},
        auth=(client_id, DEMO_CLIENT_SECRET),
    )
    assert reply.status_code == 200, reply.text
    return str(reply.json()["access_token"])


@pytest.mark.parametrize(
    ("template", "bucket"),
    [
        ("/albums", "albums"),
        ("/albums/{id}", "albums"),
        ("/albums/{id}/tracks", "albums"),
        ("/artists", "artists"),
        ("/artists/{id}", "artists"),
        ("/artists/{id}/albums", "artist-albums"),
        ("/artists/{id}/top-tracks", "artist-top-tracks"),
        ("/tracks", "tracks"),
        ("/tracks/{id}", "tracks"),
        ("/search", "search"),
        ("/playlists/{id}", "playlists"),
        ("/playlists/{id}/items", "playlists"),
        ("/me/playlists", "playlists"),
        ("/users/{id}/playlists", "playlists"),
        ("/me/tracks", "library"),
        ("/me/albums", "library"),
        ("/me/following", "library"),
        ("/me/player/recently-played", "player"),
        ("/me", "me"),
        ("/me/top/{type}", "me"),
        ("/browse/new-releases", "browse"),
        ("/markets", "markets"),
        ("/users/{id}", "users"),
    ],
)
def test_default_buckets(template: str, bucket: str) -> None:
    assert bucket_of(template) == bucket


def test_groupings_are_configurable_and_every_route_has_a_bucket() -> None:
    groups = {"/albums/{id}/tracks": "album-tracks", "/me": "account", "/browse": "catalog"}
    assert bucket_of("/albums/{id}/tracks", groups) == "album-tracks"
    assert bucket_of("/albums/{id}", groups) == "albums"
    assert bucket_of("/me", groups) == "account"
    assert bucket_of("/browse/categories/{id}", groups) == "catalog"  # a prefix covers below
    assert bucket_of("/me/tracks", groups) == "library"  # the longer default rule still wins
    assert all(bucket_of(r.template) for r in ROUTES)


def test_a_locked_bucket_leaves_the_others_working_until_its_time() -> None:
    config = SimulatorConfig(scale=500, bucket_quota={"artist-albums": 2}, quota_window_s=3600)
    with running(config) as sim:
        api = Api(sim, app_token(sim))
        c = sim.catalog
        artist = c.artist_ids(1)[0]
        assert [api.get(f"/artists/{artist}/albums").status_code for _ in range(2)] == [200, 200]
        over = api.get(f"/artists/{artist}/albums")
        assert (over.status_code, over.json()) == (429, QUOTA_EXCEEDED)
        assert int(over.headers["retry-after"]) in range(3590, 3601)  # seconds until it frees
        for path in (
            f"/albums/{c.album_ids(1)[0]}",
            f"/tracks/{c.track_ids(1)[0]}",
            f"/artists/{artist}",
        ):
            assert api.get(path).status_code == 200, path
        assert api.get("/search", q=c.search_terms(1)[0], type="track").status_code == 200
        stats = sim.stats()
        assert stats["by_bucket"]["artist-albums"] == {"200": 2, "429": 1}  # type: ignore[index]
        assert stats["by_bucket"]["albums"] == {"200": 1}  # type: ignore[index]
        usage = stats["quota"][DEMO_CLIENT_ID]  # type: ignore[index]
        assert usage["artist-albums"]["used"] == 2 and usage["artist-albums"]["limit"] == 2
        assert usage["artist-albums"]["retry_after_s"] in range(3590, 3601)
        sim.set_day(1)  # a simulated day is 86,400 s on the quota's clock
        assert api.get(f"/artists/{artist}/albums").status_code == 200
        assert sim.stats()["quota"][DEMO_CLIENT_ID]["artist-albums"]["used"] == 1  # type: ignore[index]


def test_the_window_rolls_rather_than_resetting_at_once() -> None:
    with running(SimulatorConfig(scale=500, daily_quota=2, quota_window_s=1.0)) as sim:
        api = Api(sim, app_token(sim))
        path = f"/tracks/{sim.catalog.track_ids(1)[0]}"
        assert api.get(path).status_code == 200
        time.sleep(0.6)
        assert api.get(path).status_code == 200
        assert api.get(path).status_code == 429
        time.sleep(0.5)  # the first request has left the window, the second has not
        assert [api.get(path).status_code for _ in range(2)] == [200, 429]


def test_client_ids_of_one_developer_share_the_quota() -> None:
    accounts = {DEMO_CLIENT_ID: "dev-1", "second-app": "dev-1", "other-dev-app": "dev-2"}
    config = SimulatorConfig(scale=500, daily_quota=3, developer_accounts=accounts)
    with running(config) as sim:
        first, second, other = (
            Api(sim, _token(sim, DEMO_CLIENT_ID)),
            Api(sim, _token(sim, "second-app")),
            Api(sim, _token(sim, "other-dev-app")),
        )
        path = f"/albums/{sim.catalog.album_ids(1)[0]}"
        assert [a.get(path).status_code for a in (first, second, first)] == [200, 200, 200]
        assert second.get(path).json() == QUOTA_EXCEEDED  # a second Client ID adds nothing
        assert other.get(path).status_code == 200  # another developer's account
        assert sim.stats()["quota"]["dev-1"]["albums"]["used"] == 3  # type: ignore[index]
        refused = httpx.post(
            sim.token_url, data={"grant_type": "client_credentials"}, auth=("unknown", "x")
        )
        assert refused.json()["error"] == "invalid_client"


def test_a_fault_drops_retry_after_from_quota_and_rate_limit_replies() -> None:
    config = SimulatorConfig(
        scale=500, daily_quota=1, window_requests=2, window_seconds=60, retry_after_drop_rate=1.0
    )
    with running(config) as sim:
        api = Api(sim, app_token(sim))
        c = sim.catalog
        assert api.get(f"/tracks/{c.track_ids(1)[0]}").status_code == 200
        quota = api.get(f"/tracks/{c.track_ids(1)[0]}")
        rate = api.get(f"/albums/{c.album_ids(1)[0]}")
        assert quota.json() == QUOTA_EXCEEDED and "retry-after" not in quota.headers
        assert rate.status_code == 429 and "reason" not in rate.json()["error"]
        assert "retry-after" not in rate.headers
        assert sim.stats()["faults"]["retry_after_dropped"] == 2  # type: ignore[index]


def test_by_default_429s_carry_retry_after_and_there_is_no_quota() -> None:
    with running(SimulatorConfig(scale=500, window_requests=1, window_seconds=60)) as sim:
        api = Api(sim, app_token(sim))
        path = f"/tracks/{sim.catalog.track_ids(1)[0]}"
        assert api.get(path).status_code == 200
        assert int(api.get(path).headers["retry-after"]) in range(59, 61)
        assert sim.stats()["quota"] == {}


@pytest.mark.parametrize(
    "bad",
    [{"bucket_quota": {"search": 0}}, {"quota_window_s": 0}, {"retry_after_drop_rate": 1.5}],
)
def test_bad_quota_settings_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        SimulatorConfig(**bad)  # type: ignore[arg-type]
