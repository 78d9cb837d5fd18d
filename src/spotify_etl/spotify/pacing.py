"""Client-side pacing: a thread-safe rolling-window limiter that learns from 429 replies.

Spotify counts requests in a rolling window (about 30 s) whose size and length it does not
publish. With no configured size the limiter lets requests through until the first 429, then
paces at 95% of the count it has learned, over the window it has learned. A 429 also pauses
every thread until its Retry-After has passed, because one thread's 429 means the others'
next requests would be refused too. (Hand-written rather than a token bucket from a library:
what matters here is the lesson drawn from each 429, which no limiter library offers.)

How the count C and the window W are learned. The server refuses a request sent at t when C
of the requests it took are in (t - W, t]; the oldest of those is the C-th taken before t,
a_C, and it leaves at a_C + W, which Retry-After r tells to the second: W in
(t + r - 1 - a_C, t + r - a_C]. Neither C nor W is known, and one 429 cannot tell them apart
(a slow start then a burst fits 40 per 10 s as well as 80 per 30 s), so the limiter keeps
every count C still possible, each with the interval of windows it allows, and narrows them
with what each reply proves:
- a 429 at t: W > t - a_C (a_C was still counted), W <= t - a_{C+1} (a rolling window
  never holds more than C), and Retry-After's interval above;
- a request that passed: every run of C + 1 consecutive requests taken spans at least W.
A count whose interval empties is dropped, and so is the count we paced by when a request
sent at that pace gets a 429 (were it right, the server would have taken it). The limiter
paces by the smallest count left, over the longest window it allows: the smallest is the
fastest guess, and a wrong one is refuted by its next 429 (a few 1-second pauses); a guess
too slow would never be refuted, because too slow a pace draws no 429. So a learned window
shrinks as well as grows.
Without Retry-After the 429 bounds W only from below until a request passes again: the
limiter sends one request per pause (probing), and the first that passes bounds it above
(the 429s' spacing). Send times are not the server's stamps (latency, threads), hence
_SLACK_S on every bound. If a 429 contradicts every count left (someone else shares the
app's window, or the server is not one window), the limit shrinks by 10%, the window
stays, and learning starts again from that 429.
"""

from __future__ import annotations

import collections
import logging
import math
import threading
from collections.abc import Callable, Sequence
from typing import NamedTuple

log = logging.getLogger(__name__)

# The server stamps a request when it arrives, a little after we send it: keep each send in
# our window slightly longer than the server does, so our window never frees a slot early.
_EDGE_MARGIN = 0.02
_LEARN_FACTOR = 0.95  # limit = 95% of the count the server allows
_SHRINK_FACTOR = 0.9
_MIN_LEARNED = 10  # fewer of our sends before a 429: someone else shares the window
_SLACK_S = 0.25  # how far a send time may be from the server's stamp of it (latency, threads)
_WINDOW_BOUNDS = (1.0, 3600.0)  # a learned window outside these is noise, not a window
_HISTORY = 4096  # sends remembered: counts up to this many can be learned


class Ticket(NamedTuple):
    """One admitted request: when it left, and its place in the sending order."""

    at: float
    seq: int


class RollingWindowLimiter:
    def __init__(
        self,
        window_s: float,
        limit: int | None = None,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        self.window_s = window_s
        self._limit = limit
        self._ceiling = limit  # a configured limit is never exceeded by a learned one
        self._clock = clock
        self._sleep = sleep
        # Every send the server may have counted (a refused one is removed): paces and teaches.
        self._taken: collections.deque[Ticket] = collections.deque(maxlen=max(_HISTORY, limit or 0))
        self._seq = 0
        self._paused_until = 0.0
        self._lock = threading.Lock()
        self._adjusted_seq = -1
        self.rate_limited = 0  # 429s seen, for stats and tests
        # The counts still possible, each with the (low, high) windows it allows; None before
        # the first lesson.
        self._counts: dict[int, tuple[float, float]] | None = None
        self._probing = False  # a 429 without Retry-After left the window unbounded above
        self._pacing_count: int | None = None  # the count the limit was taken from

    @property
    def limit(self) -> int | None:
        return self._limit

    def acquire(self) -> Ticket:
        """Block until a request may be sent and record it."""
        while True:
            with self._lock:
                now = self._clock()
                wait = self._wait_locked(now)
                if wait <= 0:
                    self._seq += 1
                    ticket = Ticket(now, self._seq)
                    self._taken.append(ticket)
                    return ticket
            self._sleep(wait)

    def _wait_locked(self, now: float) -> float:
        if self._paused_until > now:
            return self._paused_until - now
        if self._probing:
            return 0.0  # probing (a pause apart) for the moment the server takes requests again
        limit = self._limit
        if limit is not None and len(self._taken) >= limit:
            # The limit-th last send must have left the window before another may go.
            return self._taken[-limit].at + self.window_s * (1 + _EDGE_MARGIN) - now
        return 0.0

    def on_rate_limited(
        self, retry_after_s: float | None, ticket: Ticket, *, pause_s: float | None = None
    ) -> None:
        """The request of `ticket` got a 429 (not the quota): pause, learn the window.

        `retry_after_s` is the server's Retry-After (None without one); `pause_s` how long to
        pause, by default Retry-After (1 s without one)."""
        with self._lock:
            now = self._clock()
            self.rate_limited += 1
            for i in range(len(self._taken) - 1, -1, -1):  # refused: the server did not count it
                if self._taken[i].seq == ticket.seq:
                    del self._taken[i]
                    break
            taken = [t.at for t in self._taken if t.seq < ticket.seq]
            # Requests already in flight when we adapted answer 429 too: they narrow the
            # counts, but shrink the limit once, not four times.
            fresh = ticket.seq > self._adjusted_seq
            if self._counts is not None:
                if fresh and not self._probing and self._pacing_count is not None:
                    # Paced by this count, the server would have taken it: not that count.
                    self._counts.pop(self._pacing_count, None)
                self._counts = _narrow(self._counts, ticket.at, retry_after_s, taken)
                best = _choose(self._counts, taken)
                if best is None:
                    # Nothing left explains this 429: shrink, keep the window, and learn
                    # again from this 429 on.
                    if fresh and self._limit is not None:
                        self._limit = max(1, math.floor(self._limit * _SHRINK_FACTOR))
                    self._counts = _first_counts(ticket.at, retry_after_s, taken)
                    self._pacing_count = None
                    self._probing = False
                    self._fallback_limit(ticket.at, taken)
                else:
                    self._apply(best)
            elif len(taken) >= _MIN_LEARNED:
                self._counts = _first_counts(ticket.at, retry_after_s, taken)
                self._apply(_choose(self._counts, taken))
                self._fallback_limit(ticket.at, taken)
            elif fresh and self._limit is not None:
                # Too few sends to be our own doing (someone else shares the app's window):
                # learn nothing, only honour Retry-After (and shrink a configured limit).
                self._limit = max(1, math.floor(self._limit * _SHRINK_FACTOR))
            if fresh:
                self._adjusted_seq = self._seq
                log.info(
                    "rate limited (429): pacing at %s requests per %.1f s",
                    self._limit if self._limit is not None else "the server's pace",
                    self.window_s,
                )
            if pause_s is None:
                pause_s = retry_after_s if retry_after_s is not None else 1.0
            self._paused_until = max(self._paused_until, now + pause_s)

    def on_passed(self, ticket: Ticket) -> None:
        """The request of `ticket` was not rate limited: while probing after a 429 without
        Retry-After, the first one to pass bounds the window from above."""
        with self._lock:
            if self._probing and self._counts is not None:
                taken = [t.at for t in self._taken if t.seq <= ticket.seq]
                self._apply(_choose(self._counts, taken))

    def _fallback_limit(self, at: float, taken: Sequence[float]) -> None:
        """No count fits the 429s (and none was learned): 95% of what the server took in the
        assumed window before refusing."""
        if self._limit is None:
            accepted = sum(1 for t in taken if t > at - self.window_s)
            if accepted >= _MIN_LEARNED:
                self._limit = math.floor(accepted * _LEARN_FACTOR)

    def _apply(self, best: tuple[int, float] | None) -> None:
        """Pace by the chosen count and window (the window unknown above: probe)."""
        if best is None:
            self._probing = False
            return
        count, window = best
        limit = max(1, math.floor(count * _LEARN_FACTOR))
        if self._ceiling is not None:
            limit = min(limit, self._ceiling)
        self._limit = limit
        self._pacing_count = count
        self._probing = math.isinf(window)
        if not self._probing and abs(window - self.window_s) > 0.01:
            log.info("rate window learned: %.1f s (was %.1f s)", window, self.window_s)
            self.window_s = window


def _first_counts(
    at: float, retry_after_s: float | None, taken: Sequence[float]
) -> dict[int, tuple[float, float]]:
    """Every count the first 429 allows, each with the windows it allows."""
    low, high = _WINDOW_BOUNDS
    counts = {
        c: (low, math.inf)
        for c in range(_MIN_LEARNED, len(taken) + 1)
        if taken[len(taken) - c] > at - high  # the oldest counted within the longest window
    }
    return _narrow(counts, at, retry_after_s, taken)


def _narrow(
    counts: dict[int, tuple[float, float]],
    at: float,
    retry_after_s: float | None,
    taken: Sequence[float],
) -> dict[int, tuple[float, float]]:
    """What a 429 at `at` proves, for each count: see the module docstring."""
    n = len(taken)
    narrowed: dict[int, tuple[float, float]] = {}
    for c, (lo, hi) in counts.items():
        if c > n:
            continue  # it had taken fewer than c, yet refused
        oldest = taken[n - c]
        lo = max(lo, at - oldest - _SLACK_S)
        if c < n:
            hi = min(hi, at - taken[n - c - 1] + _SLACK_S)
        if retry_after_s is not None:
            lo = max(lo, at + retry_after_s - 1 - oldest - _SLACK_S)
            hi = min(hi, at + retry_after_s - oldest + _SLACK_S)
        if lo <= hi and lo <= _WINDOW_BOUNDS[1]:
            narrowed[c] = (lo, hi)
    return narrowed


def _choose(
    counts: dict[int, tuple[float, float]], taken: Sequence[float]
) -> tuple[int, float] | None:
    """The smallest count whose windows the passed requests leave possible, and the longest
    of those windows. Counts refuted on the way are dropped from `counts`."""
    for c in sorted(counts):
        lo, hi = counts[c]
        # Each run of c + 1 requests the server took spans at least the window.
        spans = (b - a for a, b in zip(taken, taken[c:], strict=False))
        hi = min(hi, min(spans, default=math.inf) + _SLACK_S)
        if lo <= hi:
            counts[c] = (lo, hi)
            return c, hi
        del counts[c]
    return None
