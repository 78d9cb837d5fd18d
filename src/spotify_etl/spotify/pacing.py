"""Client-side pacing: a thread-safe rolling-window limiter that learns from 429 replies.

Spotify counts requests in a rolling 30-second window whose size it does not publish. With no
configured size the limiter lets requests through until the first 429, then sets its limit
just under what it had sent in the window when the server objected; each further 429 shrinks
it by 10%. It never grows back within a run: a 429 costs a pause, a slightly low limit
little. A 429 also pauses every thread until its Retry-After has passed, because one
thread's 429 means the others' next requests would be refused too.
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
                    return ticket
            self._sleep(wait)

    def _wait_locked(self, now: float) -> float:
        horizon = self.window_s * (1 + _EDGE_MARGIN)
        while self._sends and self._sends[0].at <= now - horizon:
            self._sends.popleft()
        if self._paused_until > now:
            return self._paused_until - now
        if self._limit is not None and len(self._sends) >= self._limit:
            return self._sends[len(self._sends) - self._limit].at + horizon - now
        return 0.0

    def on_rate_limited(self, retry_after_s: float | None, ticket: Ticket) -> None:
        """The request of `ticket` got a 429 (not the quota): pause, lower the limit."""
        with self._lock:
            now = self._clock()
            self.rate_limited += 1
            # Requests already in flight when we adapted answer 429 too: one lesson, not four.
            if ticket.seq > self._adjusted_seq:
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
