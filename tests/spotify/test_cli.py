from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from spotify_etl.errors import AuthError, RetryableError
from spotify_etl.spotify import StoredToken
from spotify_etl.spotify.cli import describe
from tests.spotify.fakes import FakeSpotify, FakeTime, make_client

PLANTED = "PLANTED-secret-4f1c9e2a7b"


def test_status_lines_count_down_to_expiry() -> None:
    now = datetime(2026, 11, 24, tzinfo=UTC)
    token = StoredToken("refresh-token-zzzzzz", "user-top-read", "alice", now - timedelta(days=10))
    lines = describe(token, now)
    assert lines[0] == "user: alice" and lines[1] == "scopes: user-top-read"
    assert "2027-05-14" in lines[3] and "171 days left" in lines[3]
    assert "soon" in describe(token, now + timedelta(days=165))[3]
    assert "EXPIRED" in describe(token, now + timedelta(days=200))[3]
    assert all("refresh-token-zzzzzz" not in line for line in lines)


def test_a_planted_secret_never_reaches_messages_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    fake, time = FakeSpotify(), FakeTime()
    fake.token_replies.extend(
        [httpx.Response(500)] * 2
        + [
            httpx.Response(
                400, json={"error": "invalid_client", "error_description": "Invalid client"}
            )
        ]
    )
    client = make_client(fake, time, secret=PLANTED)
    with client, pytest.raises(AuthError) as refused:
        client.album("a" * 22)
    fake = FakeSpotify()
    fake.token_replies.extend([httpx.ReadError("reset")] * 3)
    client = make_client(fake, time, secret=PLANTED, max_attempts=3)
    with client, pytest.raises(RetryableError) as failed:
        client.album("a" * 22)
    seen = " ".join(
        [str(refused.value), repr(refused.value), str(failed.value), caplog.text, repr(client)]
    )
    assert PLANTED not in seen
    assert "Basic " not in seen
