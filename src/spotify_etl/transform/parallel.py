"""Running batches in this process or across worker processes.

Batches are independent (one raw part each, named from its key), so they parallelise without
coordination and the files are the same whichever process writes them. Workers re-open the
stores from their URLs (a boto3 client cannot cross a process boundary) and keep one Parquet
writer each. Results come back in input order, so the summary does not depend on timing.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor

from spotify_etl.model import FileFormat
from spotify_etl.processes import bind_to_parent, process_start
from spotify_etl.storage import ObjectStore, open_store
from spotify_etl.transform.batch import Source, run_batch
from spotify_etl.transform.summary import BatchSummary
from spotify_etl.transform.writer import ParquetWriter

MIN_POOLED_BATCHES = 4


def run_batches(
    raw: ObjectStore,
    out: ObjectStore,
    sources: Sequence[Source],
    *,
    fmt: FileFormat,
    limit: int,
    workers: int,
    progress: Callable[[int, int], None] | None,
) -> Iterator[BatchSummary]:
    # Starting workers costs about a second; below a few batches one process is faster.
    if workers <= 1 or len(sources) < MIN_POOLED_BATCHES:
        results = _serial(raw, out, sources, fmt=fmt, limit=limit)
    else:
        results = _pooled(raw.url, out.url, sources, fmt=fmt, limit=limit, workers=workers)
    for done, summary in enumerate(results, start=1):
        if progress is not None:
            progress(done, len(sources))
        yield summary


def _serial(
    raw: ObjectStore, out: ObjectStore, sources: Sequence[Source], *, fmt: FileFormat, limit: int
) -> Iterator[BatchSummary]:
    parquet = ParquetWriter() if fmt == "parquet" else None
    try:
        for source in sources:
            yield run_batch(raw, out, source, fmt=fmt, limit=limit, parquet=parquet)
    finally:
        if parquet is not None:
            parquet.close()


def _pooled(
    raw_url: str,
    out_url: str,
    sources: Sequence[Source],
    *,
    fmt: FileFormat,
    limit: int,
    workers: int,
) -> Iterator[BatchSummary]:
    # forkserver: workers start from a clean process, never from a fork of a threaded one
    # (the CLI's own threads, a test's servers) that could hold a lock mid-fork.
    context = multiprocessing.get_context("forkserver")
    jobs = [(raw_url, out_url, source, fmt, limit) for source in sources]
    me = os.getpid()
    with ProcessPoolExecutor(
        max_workers=min(workers, len(jobs)),
        mp_context=context,
        # Workers end with this process, even when it is SIGKILLed (processes.py).
        initializer=bind_to_parent,
        initargs=(me, process_start(me)),
    ) as pool:
        yield from pool.map(_work, jobs, chunksize=1)


_STORES: dict[str, ObjectStore] = {}  # per worker process
_PARQUET: list[ParquetWriter] = []


def _store(url: str) -> ObjectStore:
    if url not in _STORES:
        _STORES[url] = open_store(url)
    return _STORES[url]


def _work(job: tuple[str, str, Source, FileFormat, int]) -> BatchSummary:
    raw_url, out_url, source, fmt, limit = job
    parquet = None
    if fmt == "parquet":
        if not _PARQUET:
            _PARQUET.append(ParquetWriter())
        parquet = _PARQUET[0]
    return run_batch(
        _store(raw_url), _store(out_url), source, fmt=fmt, limit=limit, parquet=parquet
    )
