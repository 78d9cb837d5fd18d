"""The run's stop signal: once one thread stops the run, every thread's next step stops too.

A stop (a Retry-After beyond the cap, too many 429s on one request) is remembered: the other
threads' waits are cut short and their next request raises the same StopRun, so a run stops
within moments instead of sleeping for hours.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import NoReturn

from spotify_etl.errors import StopRun


class StopSignal:
    """Thread-safe: the first StopRun given to `stop` is the one every later check raises."""

    def __init__(self, sleep: Callable[[float], None]) -> None:
        self._sleep_fn = sleep
        self._stop = threading.Event()
        self._error: StopRun | None = None

    def check(self) -> None:
        """Raise the run's StopRun, if it is stopping."""
        if self._error is not None:
            error = self._error
            raise StopRun(error.message, reason=error.reason, retry_after_s=error.retry_after_s)

    def sleep(self, seconds: float) -> None:
        """Sleep unless the run is stopping; then raise its StopRun."""
        self.check()
        if seconds > 0:
            if self._sleep_fn is time.sleep:
                self._stop.wait(seconds)  # a stop from another thread ends the wait at once
            else:
                self._sleep_fn(seconds)
        self.check()

    def stop(self, error: StopRun) -> NoReturn:
        """Stop the run: every thread's next sleep or request raises the same StopRun."""
        if self._error is None:
            self._error = error
        self._stop.set()
        raise error
