"""Run a function over items in a few threads, results in input order, failures not hidden."""

from __future__ import annotations

import collections
import concurrent.futures
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def map_in_threads(fn: Callable[[T], R], items: Iterable[T], workers: int) -> Iterator[R]:
    """Like map(), with `workers` threads and a bounded look-ahead.

    The first exception (a StopRun, say) is raised at its place in the order; work not yet
    started is cancelled, so a stop does not spend more requests.
    """
    source = iter(items)
    pool = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="spotify")
    pending: collections.deque[concurrent.futures.Future[R]] = collections.deque()
    try:
        for item in source:
            pending.append(pool.submit(fn, item))
            if len(pending) >= workers * 2:
                break
        while pending:
            result = pending.popleft().result()
            for item in source:
                pending.append(pool.submit(fn, item))
                break
            yield result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
