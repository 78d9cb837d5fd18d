"""The retry policy, auth and pacing as the client applies them (scripted HTTP, fake time)."""

from __future__ import annotations

import httpx
import pytest

from spotify_etl.errors import (
    AuthError,
    FatalError,
    QuotaExhausted,
    RetryableError,
    SkippableError,
    StopRun,
)
from tests.spotify.fakes import CLIENT_SECRET, FakeSpotify, FakeTime, error, make_client

ALBUM = "4aawyAB9vmqN3uQ7FjRGTy"


def test_a_reply_is_returned_with_its_envelope_and_no_header() -> None:
    fake, time = FakeSpotify(), FakeTime()
    with make_client(fake, time) as client:
        reply = client.get(f"albums/{ALBUM}", {"market": "SE"})
    assert reply.url == f"http://spotify.test/v1/albums/{ALBUM}"
    assert reply.params == {"market": "SE"}
    assert (reply.status, reply.endpoint, reply.method) == (200, "albums/{id}", "GET")
    assert reply.body == {"id": f"albums/{ALBUM}"}
    assert reply.fetched_at.tzinfo is not None
    assert "access-token" not in repr(reply)
    assert fake.api_requests[0].headers["Authorization"] == "Bearer access-token-0001"
    assert fake.token_forms == [{"grant_type": "client_credentials"}]


def test_transient_failures_back_off_and_then_succeed() -> None:
    fake, time = FakeSpotify(), FakeTime()
    fake.script(
        f"albums/{ALBUM}",
        httpx.Response(503),
        httpx.RemoteProtocolError("peer closed connection"),
        httpx.ReadTimeout("timed out"),
        httpx.Response(200, content=b'{"id": "trunc'),  # truncated JSON
        httpx.Response(200, content=b"<html>oops</html>"),  # malformed
        httpx.Response(200, json={"id": ALBUM}),
    )
    with make_client(fake, time, max_attempts=6) as client:
        assert client.album(ALBUM).body == {"id": ALBUM}
        stats = client.stats
    assert len(time.sleeps) == 5
    # Exponential with jitter: each wait lies within [c/2, c] for c = 0.5, 1, 2, 4, 8.
    for attempt, wait in enumerate(time.sleeps, start=1):
        ceiling = 0.5 * 2 ** (attempt - 1)
        assert ceiling / 2 <= wait <= ceiling
    assert stats[("albums/{id}", 0)] == 2
    assert stats[("albums/{id}", 200)] == 3
    assert stats[("albums/{id}", 503)] == 1


def test_bounded_attempts_end_in_retryable_error() -> None:
    fake, time = FakeSpotify(), FakeTime()
    fake.script(f"albums/{ALBUM}", *[httpx.Response(502)] * 10)
    with make_client(fake, time, max_attempts=3) as client, pytest.raises(RetryableError) as err:
        client.album(ALBUM)
    assert "3 attempts" in str(err.value)
    assert len(fake.api_requests) == 3


def test_401_refreshes_once_and_retries_once() -> None:
    fake, time = FakeSpotify(), FakeTime()
    fake.script(f"albums/{ALBUM}", error(401, "The access token expired"))
    with make_client(fake, time) as client:
        client.album(ALBUM)
    assert [r.headers["Authorization"] for r in fake.api_requests] == [
        "Bearer access-token-0001",
        "Bearer access-token-0002",
    ]

    fake = FakeSpotify()
    fake.script(f"albums/{ALBUM}", *[error(401, "Invalid access token")] * 3)
    with make_client(fake, time) as client, pytest.raises(AuthError) as err:
        client.album(ALBUM)
    assert len(fake.api_requests) == 2
    assert "auth login" in str(err.value)


def test_a_fresh_token_that_lapses_in_transit_is_renewed_within_the_attempts() -> None:
    fake, time = FakeSpotify(), FakeTime()
    fake.script(f"albums/{ALBUM}", *[error(401, "The access token expired")] * 2)
    with make_client(fake, time) as client:
        assert client.album(ALBUM).status == 200
    assert len(fake.token_forms) == 3

    fake = FakeSpotify()
    fake.script(f"albums/{ALBUM}", *[error(401, "The access token expired")] * 10)
    with make_client(fake, time, max_attempts=3) as client, pytest.raises(AuthError):
        client.album(ALBUM)
    assert len(fake.api_requests) == 4  # the first renewal is free, then 2 more attempts


@pytest.mark.parametrize("status", [403, 404])
def test_403_and_404_are_skippable_with_the_servers_reason(status: int) -> None:
    fake, time = FakeSpotify(), FakeTime()
    fake.script(f"albums/{ALBUM}", error(status, "Resource not found"))
    with make_client(fake, time) as client, pytest.raises(SkippableError) as err:
        client.album(ALBUM)
    assert (err.value.status, err.value.reason) == (status, "Resource not found")
    assert len(fake.api_requests) == 1 and time.sleeps == []


def test_400_is_a_bug_and_raises() -> None:
    fake, time = FakeSpotify(), FakeTime()
    fake.script("search", error(400, "Invalid limit"))
    with make_client(fake, time) as client, pytest.raises(FatalError) as err:
        client.get("search", {"q": "x", "limit": 99})
    assert "Invalid limit" in str(err.value)
    assert len(fake.api_requests) == 1


def test_quota_locks_its_bucket_only_without_sleeping() -> None:
    fake, time = FakeSpotify(), FakeTime()
    quota = error(429, "Too many requests", "QUOTA_EXCEEDED", **{"Retry-After": "48925"})
    fake.script(f"artists/{ALBUM}/albums", quota)
    with make_client(fake, time) as client:
        with pytest.raises(QuotaExhausted) as err:
            list(client.artist_albums(ALBUM, ["album"]))
        assert (err.value.reason, err.value.bucket) == ("quota", "artist-albums")
        assert 48924 <= (err.value.retry_after_s or 0) <= 48925
        assert err.value.exit_code == 75
        assert "resume after" in str(err.value)
        assert client.artist(ALBUM).status == 200  # another bucket goes on
        assert client.album(ALBUM).status == 200
        with pytest.raises(QuotaExhausted):  # the locked bucket spends no request
            list(client.artist_albums(ALBUM, ["single"]))
        assert set(client.quota.locked()) == {"artist-albums"}
    assert time.sleeps == []
    assert len(fake.api_requests) == 3


def test_quota_without_retry_after_locks_for_the_rolling_day() -> None:
    fake, time = FakeSpotify(), FakeTime()
    fake.script("me/tracks", error(429, "Too many requests", "QUOTA_EXCEEDED"))
    with make_client(fake, time) as client:
        with pytest.raises(QuotaExhausted) as err:
            client.get("me/tracks")
        assert err.value.bucket == "library"
        assert 86399 <= (err.value.retry_after_s or 0) <= 86400  # RetryPolicy.quota_fallback_s


def test_retry_after_beyond_the_cap_stops_instead_of_sleeping() -> None:
    fake, time = FakeSpotify(), FakeTime()
    fake.script(f"albums/{ALBUM}", error(429, "API rate limit exceeded", **{"Retry-After": "61"}))
    with make_client(fake, time, retry_after_cap_s=60) as client, pytest.raises(StopRun) as err:
        client.album(ALBUM)
    assert (err.value.reason, err.value.retry_after_s) == ("rate_limit", 61)
    assert time.sleeps == []


def test_429_within_the_cap_waits_retry_after_then_retries() -> None:
    fake, time = FakeSpotify(), FakeTime()
    fake.script(f"albums/{ALBUM}", error(429, "API rate limit exceeded", **{"Retry-After": "7"}))
    with make_client(fake, time) as client:
        assert client.album(ALBUM).status == 200
        assert client.limiter.rate_limited == 1
    assert time.sleeps == [7.0]
    assert len(fake.api_requests) == 2


def test_429_without_retry_after_falls_back_to_a_growing_pause() -> None:
    fake, time = FakeSpotify(), FakeTime()
    bare = error(429, "API rate limit exceeded")
    unparsable = error(429, "API rate limit exceeded", **{"Retry-After": "soon"})
    fake.script(f"albums/{ALBUM}", bare, unparsable, bare)
    with make_client(fake, time) as client:
        assert client.album(ALBUM).status == 200
    assert time.sleeps == [2.0, 4.0, 8.0]  # RetryPolicy.rate_limit_fallback_s, doubling
    assert len(fake.api_requests) == 4


def test_before_request_sees_every_attempt_and_can_stop_the_run() -> None:
    fake, time = FakeSpotify(), FakeTime()
    fake.script(f"albums/{ALBUM}", httpx.Response(500))
    seen: list[str] = []

    def budget(endpoint: str) -> None:
        seen.append(endpoint)
        if len(seen) > 2:
            raise StopRun("budget spent", reason="budget")

    with make_client(fake, time, before_request=budget) as client:
        client.album(ALBUM)
        with pytest.raises(StopRun):
            client.get("me/top/tracks", user=False)
    assert seen == ["albums/{id}", "albums/{id}", "me/top/tracks"]
    assert len(fake.api_requests) == 2  # token requests do not pass the hook


def test_app_token_is_cached_and_renewed_before_expiry() -> None:
    fake, time = FakeSpotify(token_lifetime_s=3600), FakeTime()
    with make_client(fake, time) as client:
        client.album(ALBUM)
        time.now += 3000
        client.album(ALBUM)
        time.now += 560  # 40 s before expiry: renewed early
        client.album(ALBUM)
        assert client.stats[("accounts:token", 200)] == 2
    assert len(fake.token_forms) == 2


def test_refused_client_credentials_name_the_fix() -> None:
    fake, time = FakeSpotify(), FakeTime()
    fake.token_replies.append(
        httpx.Response(400, json={"error": "invalid_client", "error_description": "Invalid client"})
    )
    with make_client(fake, time) as client, pytest.raises(AuthError) as err:
        client.album(ALBUM)
    assert "invalid_client" in str(err.value)
    assert "SPOTIFY_CLIENT_SECRET" in str(err.value)
    assert CLIENT_SECRET not in str(err.value)


def test_a_next_link_to_another_host_is_refused() -> None:
    fake, time = FakeSpotify(), FakeTime()
    with make_client(fake, time) as client, pytest.raises(FatalError):
        client.get("https://evil.test/v1/albums?offset=10")
    assert fake.requests == []


def test_user_requests_without_a_stored_token_say_to_log_in() -> None:
    fake, time = FakeSpotify(), FakeTime()
    with make_client(fake, time) as client, pytest.raises(AuthError) as err:
        client.me()
    assert "auth login" in str(err.value)
    assert fake.requests == []


def test_only_the_documented_expiry_earns_a_second_renewal() -> None:
    fake, time = FakeSpotify(), FakeTime()
    # Not the Web API's "The access token expired": the body, not a substring, decides.
    fake.script(f"albums/{ALBUM}", *[error(401, "Refresh token expired elsewhere")] * 3)
    with make_client(fake, time) as client, pytest.raises(AuthError):
        client.album(ALBUM)
    assert len(fake.api_requests) == 2
    assert len(fake.token_forms) == 2


def test_an_added_before_request_hook_runs_after_the_built_in_one() -> None:
    fake, time = FakeSpotify(), FakeTime()
    seen: list[str] = []
    with make_client(fake, time, before_request=lambda e: seen.append(f"own {e}")) as client:
        client.add_before_request(lambda e: seen.append(f"added {e}"))
        client.album(ALBUM)
    assert seen == ["own albums/{id}", "added albums/{id}"]


def test_a_spent_budget_costs_no_token_request() -> None:
    fake, time = FakeSpotify(), FakeTime()

    def spent(endpoint: str) -> None:
        raise StopRun("budget spent", reason="budget")

    with make_client(fake, time, before_request=spent) as client, pytest.raises(StopRun):
        client.album(ALBUM)
    assert fake.requests == []
