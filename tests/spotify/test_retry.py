from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spotify_etl.spotify.retry import Action, RetryPolicy, error_details, parse_retry_after

POLICY = RetryPolicy(retry_after_cap_s=60)


@pytest.mark.parametrize(
    ("status", "retry_after", "body", "action"),
    [
        (200, None, {}, Action.OK),
        (429, "5", {"error": {"status": 429, "message": "API rate limit exceeded"}}, Action.WAIT),
        (429, None, None, Action.WAIT),
        (429, "61", {"error": {"status": 429, "message": "slow down"}}, Action.STOP_RATE),
        (
            429,
            "48925",
            {"error": {"status": 429, "message": "quota", "reason": "QUOTA_EXCEEDED"}},
            Action.STOP_QUOTA,
        ),
        # The quota stops even when its Retry-After happens to be short.
        (
            429,
            "1",
            {"error": {"status": 429, "message": "q", "reason": "QUOTA_EXCEEDED"}},
            Action.STOP_QUOTA,
        ),
        (
            401,
            None,
            {"error": {"status": 401, "message": "The access token expired"}},
            Action.REFRESH,
        ),
        (403, None, {"error": {"status": 403, "message": "Forbidden"}}, Action.SKIP),
        (404, None, {"error": {"status": 404, "message": "Resource not found"}}, Action.SKIP),
        (400, None, {"error": {"status": 400, "message": "Invalid limit"}}, Action.FATAL),
        (500, None, None, Action.BACKOFF),
        (502, None, "<html>bad gateway</html>", Action.BACKOFF),
        (503, "2", None, Action.BACKOFF),
        (418, None, None, Action.FATAL),
    ],
)
def test_decisions(status: int, retry_after: str | None, body: object, action: Action) -> None:
    assert POLICY.decide(status, retry_after, body).action is action


def test_decision_carries_message_reason_and_wait() -> None:
    body = {"error": {"status": 429, "message": "quota", "reason": "QUOTA_EXCEEDED"}}
    decision = POLICY.decide(429, "48925", body)
    assert (decision.wait_s, decision.message, decision.reason) == (
        48925.0,
        "quota",
        "QUOTA_EXCEEDED",
    )


def test_accounts_service_errors_are_understood() -> None:
    body = {"error": "invalid_grant", "error_description": "Refresh token revoked"}
    assert error_details(body) == ("Refresh token revoked", "invalid_grant")
    assert error_details("junk") == ("", None)


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [("3", 3.0), (" 2.5 ", 2.5), ("-4", 0.0), ("Wed, 21 Oct", None), (None, None)],
)
def test_parse_retry_after(raw: str | None, seconds: float | None) -> None:
    assert parse_retry_after(raw) == seconds


@given(attempt=st.integers(min_value=1, max_value=40), seed=st.integers(0, 2**32))
def test_backoff_grows_to_its_cap_and_jitters_within_bounds(attempt: int, seed: int) -> None:
    policy = RetryPolicy(backoff_base_s=0.5, backoff_max_s=30)
    ceiling = min(30.0, 0.5 * 2 ** (attempt - 1))
    wait = policy.backoff_s(attempt, random.Random(seed))
    assert ceiling / 2 <= wait <= ceiling


def test_a_quota_refusal_without_retry_after_locks_for_the_rolling_window() -> None:
    body = {"error": {"status": 429, "message": "Too many requests", "reason": "QUOTA_EXCEEDED"}}
    decision = POLICY.decide(429, None, body)
    assert (decision.action, decision.wait_s) == (Action.STOP_QUOTA, 86400.0)
    assert POLICY.decide(429, "52531", body).wait_s == 52531.0


@given(st.integers(min_value=1, max_value=60))
def test_the_429_fallback_grows_to_the_window_and_yields_to_retry_after(waits: int) -> None:
    wait = POLICY.rate_limit_wait_s(None, waits)
    assert 2.0 <= wait <= 30.0
    assert POLICY.rate_limit_wait_s(None, waits + 1) >= wait
    assert POLICY.rate_limit_wait_s(7.0, waits) == 7.0
