"""Client-side pacing: a thread-safe rolling-window limiter that learns from 429 replies.

Spotify counts requests in a rolling window (about 30 s) whose size and length it does not
publish. With no configured size the limiter lets requests through until the first 429, then
sets its limit just under what it had sent in the window when the server objected; each
further 429 shrinks it by 10%. It never grows back within a run: a 429 costs a pause, a
slightly low limit little. A 429 also pauses every thread until its Retry-After has passed,
because one thread's 429 means the others' next requests would be refused too.

The window's length is learned too, as the configured `window_s` is only a guess. A rolling
window refuses until its oldest counted request expires, so Retry-After r on a request sent
at t says the oldest request the server still counts left at t + r - W. On the first lesson
that is the first send of the burst (the run so far), later the L-th last send when pacing
at L: W = t + r - oldest. Without Retry-After the spacing says the same: the limiter probes
once a second, and the first request that passes again left about W after that oldest one.
Later lessons only grow the window (a 429 while pacing means ours was too short); a too long
one costs speed, not 429s.
"""

from __future__ import annotations

import collections
import logging
import math
import threading
from collections.abc import Callable
from typing import NamedTuple

# The server stamps a request when it arrives, a little after we send it: keep each send in
# our window slightly longer than the server does, so our window never frees a slot early.
log = logging.getLogger(__name__)

_EDGE_MARGIN = 0.02
_LEARN_FACTOR = 0.95  # limit = 95% of what the server took before the 429
_SHRINK_FACTOR = 0.9
_MIN_LEARNED = 10
_WINDOW_BOUNDS = (1.0, 3600.0)  # a learned window outside these is noise, not a window


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
        self._clock = clock
        self._sleep = sleep
        self._sends: collections.deque[Ticket] = collections.deque()
        self._seq = 0
        self._paused_until = 0.0
        self._lock = threading.Lock()
        self._adjusted_seq = -1
        self.rate_limited = 0  # 429s seen, for stats and tests
        self._history: collections.deque[Ticket] = collections.deque(maxlen=20_000)
        self._window_learned = False
        self._refused: tuple[Ticket, float] | None = None  # a 429 without Retry-After, oldest

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
                    self._sends.append(ticket)
                    self._history.append(ticket)
                    return ticket
            self._sleep(wait)

    def _wait_locked(self, now: float) -> float:
        horizon = self.window_s * (1 + _EDGE_MARGIN)
        while self._sends and self._sends[0].at <= now - horizon:
            self._sends.popleft()
        if self._paused_until > now:
            return self._paused_until - now
        if self._refused is not None:
            return 0.0  # probing (a pause apart) for the moment the server takes requests again
        if self._limit is not None and len(self._sends) >= self._limit:
            return self._sends[len(self._sends) - self._limit].at + horizon - now
        return 0.0

    def on_rate_limited(self, retry_after_s: float | None, ticket: Ticket) -> None:
        """The request of `ticket` got a 429 (not the quota): pause, lower the limit."""
        with self._lock:
            now = self._clock()
            self.rate_limited += 1
            # Requests already in flight when we adapted answer 429 too: one lesson, not four;
            # and the probes after a 429 without Retry-After are expected to be refused.
            if ticket.seq > self._adjusted_seq and self._refused is None:
                self._learn_window(retry_after_s, ticket)
                if self._limit is not None:
                    self._limit = max(1, math.floor(self._limit * _SHRINK_FACTOR))
                else:
                    # What the server took in the window before refusing this request; sends
                    # after it (other threads in flight) are not part of the lesson.
                    start = ticket.at - self.window_s
                    accepted = sum(1 for t in self._sends if t.seq < ticket.seq and t.at > start)
                    # Too few sends to be our own doing (someone else shares the app's
                    # window): learn nothing from the count, only honour Retry-After.
                    if accepted >= _MIN_LEARNED:
                        self._limit = math.floor(accepted * _LEARN_FACTOR)
                self._adjusted_seq = self._seq
                log.info(
                    "rate limited (429): pacing at %s requests per %.0f s",
                    self._limit if self._limit is not None else "the server's pace",
                    self.window_s,
                )
            pause = retry_after_s if retry_after_s is not None else 1.0
            self._paused_until = max(self._paused_until, now + pause)

    def on_passed(self, ticket: Ticket) -> None:
        """The request of `ticket` was not rate limited: after a 429 without Retry-After,
        the first one to pass tells how long the window is (the 429s' spacing)."""
        with self._lock:
            if self._refused is not None and ticket.seq > self._refused[0].seq:
                _, oldest = self._refused
                self._refused = None
                self._set_window(ticket.at - oldest)

    def _oldest_counted(self, ticket: Ticket) -> float | None:
        """When the oldest request the server counted against `ticket` was sent."""
        earlier = [t for t in self._history if t.seq < ticket.seq]
        if len(earlier) < _MIN_LEARNED:
            return None  # too few of our own: someone else shares the window
        if self._limit is None:
            return earlier[0].at  # the first lesson: every send of the burst still counts
        if len(earlier) < self._limit:
            return None
        return earlier[-self._limit].at

    def _learn_window(self, retry_after_s: float | None, ticket: Ticket) -> None:
        oldest = self._oldest_counted(ticket)
        if oldest is None:
            return
        if retry_after_s is None:
            if self._refused is None:
                self._refused = (ticket, oldest)
            return
        self._set_window(ticket.at + retry_after_s - oldest)

    def _set_window(self, estimate: float) -> None:
        low, high = _WINDOW_BOUNDS
        if not low <= estimate <= high:
            return
        if self._window_learned and estimate <= self.window_s:
            return  # later lessons only grow it
        self._window_learned = True
        if abs(estimate - self.window_s) > 0.01:
            log.info("rate window learned: %.1f s (was %.1f s)", estimate, self.window_s)
        self.window_s = estimate
