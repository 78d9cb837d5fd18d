"""Run a function over items in a few threads, results in input order, nothing fetched lost."""

from __future__ import annotations

import collections
import concurrent.futures
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def map_in_threads(fn: Callable[[T], R], items: Iterable[T], workers: int) -> Iterator[R]:
    """Like map(), with `workers` threads and a bounded look-ahead.

    When one call fails (a StopRun, say), work not yet started is cancelled so a stop spends
    no more requests; calls already finished or running are awaited and their results still
    yielded (what was fetched is not dropped); then the first failure is raised.
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
            future = pending.popleft()
            try:
                result = future.result()
            except BaseException as exc:
                failure = exc
                break
            for item in source:
                pending.append(pool.submit(fn, item))
                break
            yield result
        else:
            return
        for future in pending:
            future.cancel()
        for future in pending:
            if not future.cancelled() and future.exception() is None:
                yield future.result()
        raise failure
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
