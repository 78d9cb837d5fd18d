from __future__ import annotations

import math
import random
import threading

import pytest

from spotify_etl.spotify.pacing import RollingWindowLimiter
from spotify_etl.spotify.retry import RetryPolicy
from tests.spotify.fakes import FakeTime


def _most_in_any_window(sends: list[float], window: float) -> int:
    return max(sum(1 for t in sends if start <= t < start + window) for start in sends)


def test_a_configured_limit_is_never_exceeded_in_any_window() -> None:
    time = FakeTime()
    limiter = RollingWindowLimiter(30, 10, clock=time.clock, sleep=time.sleep)
    sends = [limiter.acquire().at for _ in range(35)]
    assert _most_in_any_window(sends, 30) == 10
    # ... and it does not wait more than it must: 35 sends fit in four windows.
    assert sends[-1] - sends[0] < 4 * 30 * 1.03


def test_without_a_limit_nothing_waits_until_a_429_teaches_one() -> None:
    time = FakeTime()
    limiter = RollingWindowLimiter(30, None, clock=time.clock, sleep=time.sleep)
    sent = [limiter.acquire() for _ in range(64)]
    assert time.sleeps == []
    limiter.on_rate_limited(7, sent[-1])
    assert limiter.limit == 59  # 95% of the 63 the server took before refusing
    assert limiter.acquire().at >= sent[-1].at + 7  # everyone paused for Retry-After


def test_in_flight_429s_from_before_the_lesson_shrink_once() -> None:
    time = FakeTime()
    limiter = RollingWindowLimiter(30, None, clock=time.clock, sleep=time.sleep)
    sent = [limiter.acquire() for _ in range(40)]
    time.now += 0.1
    for ticket in sent[-4:]:
        limiter.on_rate_limited(1, ticket)
    assert limiter.limit == 34  # 95% of the 36 sent before the first refused one
    assert limiter.rate_limited == 4
    # A request sent after the lesson that still gets a 429 shrinks the limit further.
    limiter.on_rate_limited(1, limiter.acquire())
    assert limiter.limit == 30


def test_a_429_after_few_sends_pauses_without_learning_a_tiny_limit() -> None:
    time = FakeTime()
    limiter = RollingWindowLimiter(30, None, clock=time.clock, sleep=time.sleep)
    sent = [limiter.acquire() for _ in range(3)]
    limiter.on_rate_limited(4, sent[-1])
    assert limiter.limit is None
    assert limiter.acquire().at == sent[-1].at + 4


def test_threads_share_the_window() -> None:
    # Real threads, fake time guarded by a lock: the count invariant must hold under races.
    lock = threading.Lock()
    time = FakeTime()

    def sleep(seconds: float) -> None:
        with lock:
            time.now += seconds

    limiter = RollingWindowLimiter(3, 20, clock=time.clock, sleep=sleep)
    sends: list[float] = []

    def worker() -> None:
        for _ in range(25):
            stamp = limiter.acquire().at
            with lock:
                sends.append(stamp)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(sends) == 100
    assert _most_in_any_window(sorted(sends), 3) <= 20


class _RollingServer:
    """The simulator's rule: at most `limit` requests in any `window` seconds; a refusal's
    Retry-After is when the oldest counted request expires, rounded up."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self.accepted: list[float] = []

    def answer(self, at: float) -> int | None:
        counted = [t for t in self.accepted if t > at - self.window]
        if len(counted) >= self.limit:
            return max(1, math.ceil(counted[0] + self.window - at))
        self.accepted.append(at)
        return None


def _drive(  # type: ignore[type-arg]
    server: _RollingServer,
    guess_s: float,
    requests: int,
    retry_after: bool,
    *,
    slow_s: float = 0.0,
    late_s: float = 0.0,
) -> tuple:
    """Send `requests` that pass: one per 0.5 s for the first `slow_s` seconds, then as
    fast as the limiter lets (0.02 s each); the server stamps each up to `late_s` late."""
    time = FakeTime()
    limiter = RollingWindowLimiter(guess_s, None, clock=time.clock, sleep=time.sleep)
    jitter = random.Random(7)
    refused_at: list[float] = []
    sent = 0
    while sent < requests:
        ticket = limiter.acquire()
        wait = server.answer(ticket.at + jitter.uniform(0, late_s))
        time.now += 0.5 if time.now < 1000 + slow_s else 0.02  # each request takes a moment
        if wait is None:
            limiter.on_passed(ticket)
            sent += 1
        else:
            refused_at.append(ticket.at)
            limiter.on_rate_limited(wait if retry_after else None, ticket)
    return limiter, refused_at, time.now


@pytest.mark.parametrize("true_window", [10.0, 60.0])
@pytest.mark.parametrize("retry_after", [True, False])
def test_the_window_length_is_learned_from_the_429s(true_window: float, retry_after: bool) -> None:
    # Guessing 30 s: a shorter true window wastes throughput, a longer one costs 429s forever.
    server = _RollingServer(limit=40, window=true_window)
    limiter, refused_at, _ = _drive(server, 30.0, 400, retry_after)
    assert true_window <= limiter.window_s <= true_window + 1.5
    first_lesson = refused_at[0]
    late = [t for t in refused_at if t > first_lesson + 2 * true_window]
    assert len(late) <= 2  # paced right once learned
    # Sustained rate after learning: close to the server's 40 per window.
    steady = [t for t in server.accepted if t > first_lesson + true_window]
    span = steady[-1] - steady[0]
    assert len(steady) / span >= 0.85 * 40 / true_window


@pytest.mark.parametrize(
    ("limit", "true_window", "slow_s", "retry_after", "late_s"),
    [
        # The review's case: 20 per window for a minute, then a burst. Taking the run's first
        # send as the oldest counted learned 75 s (0.7 requests per second of 4).
        pytest.param(40, 10.0, 60.0, True, 0.0, id="slow-start-then-burst"),
        pytest.param(40, 10.0, 60.0, False, 0.0, id="slow-start-no-retry-after"),
        pytest.param(40, 60.0, 120.0, True, 0.0, id="longer-than-assumed"),
        pytest.param(20, 5.0, 30.0, True, 0.0, id="shorter-than-assumed"),
        pytest.param(100, 30.0, 60.0, False, 0.0, id="as-assumed-no-retry-after"),
        pytest.param(40, 10.0, 60.0, True, 0.2, id="stamped-up-to-0.2s-late"),
    ],
)
def test_the_window_is_learned_whatever_came_before_the_first_429(
    limit: int, true_window: float, slow_s: float, retry_after: bool, late_s: float
) -> None:
    server = _RollingServer(limit=limit, window=true_window)
    requests = limit * 12 + int(slow_s / 0.5)
    limiter, refused_at, _ = _drive(
        server, 30.0, requests, retry_after, slow_s=slow_s, late_s=late_s
    )
    assert abs(limiter.window_s - true_window) <= 1.5
    settled = refused_at[0] + 2 * true_window
    assert len([t for t in refused_at if t > settled]) <= 2  # few 429s once learned
    steady = [t for t in server.accepted if t > settled]
    assert len(steady) / (steady[-1] - steady[0]) >= 0.85 * limit / true_window


@pytest.mark.parametrize(
    ("limit", "true_window", "slow_s"), [(40, 10.0, 60.0), (40, 60.0, 0.0), (100, 30.0, 60.0)]
)
def test_a_fallback_pause_is_not_taken_for_a_retry_after(
    limit: int, true_window: float, slow_s: float
) -> None:
    # The session pauses 2, 4, 8 s ... after 429s without Retry-After (RetryPolicy) and says
    # so with pause_s: taken for Retry-After, those pauses taught windows of 3 to 63 s here.
    policy = RetryPolicy()
    server = _RollingServer(limit=limit, window=true_window)
    time = FakeTime()
    limiter = RollingWindowLimiter(30.0, None, clock=time.clock, sleep=time.sleep)
    refused_at: list[float] = []
    sent = waits = 0
    while sent < limit * 12 + int(slow_s / 0.5):
        ticket = limiter.acquire()
        wait = server.answer(ticket.at)
        time.now += 0.5 if time.now < 1000 + slow_s else 0.02
        if wait is None:
            limiter.on_passed(ticket)
            sent, waits = sent + 1, 0
        else:
            waits += 1
            refused_at.append(ticket.at)
            pause = policy.rate_limit_wait_s(None, waits)
            limiter.on_rate_limited(None, ticket, pause_s=pause)
    assert abs(limiter.window_s - true_window) <= 1.5
    settled = refused_at[0] + 2 * true_window
    assert len([t for t in refused_at if t > settled]) <= 2
    steady = [t for t in server.accepted if t > settled]
    assert len(steady) / (steady[-1] - steady[0]) >= 0.85 * limit / true_window


def test_a_429_no_window_explains_still_teaches_a_limit() -> None:
    # A Retry-After of hours is no rolling window of ours: the count in the assumed window.
    time = FakeTime()
    limiter = RollingWindowLimiter(30, None, clock=time.clock, sleep=time.sleep)
    sent = [limiter.acquire() for _ in range(64)]
    limiter.on_rate_limited(5000, sent[-1])
    assert limiter.limit == 59
    assert limiter.window_s == 30
