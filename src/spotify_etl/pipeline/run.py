"""The daily job: extract -> transform -> load, the same code the Lambdas run stage by stage.

A stopped extraction (budget or quota) is not a failure: what it fetched is still transformed
and loaded, and the run reports exit code 75 so a scheduler knows to come back.

Invariant (nothing lost when a run dies): after a run that gets past its extract, every raw
part in the raw zone has been transformed and every transformed file loaded, whoever wrote
them. The transform takes every part without a batch summary (pipeline/untransformed.py),
not only this run's, and the load takes every file the load history lacks. Each step is
idempotent (deterministic names, load-once history), so a run killed at any point (SIGKILL
included) leaves work that the next run finishes, and the warehouse converges on what one
uninterrupted run gives.

`SPOTIFY_ETL_PAUSE_AT` (crash tests only) stops the process with SIGSTOP at a named point,
so a test can SIGKILL it exactly there: `extract:N` (after N requests), `manifest` (extract
done, nothing transformed), `transform:N`, `load:N` (after N batches or files;
see pause_point).
"""

from __future__ import annotations

import dataclasses
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from spotify_etl.errors import EXIT_FAILED, EXIT_OK, EXIT_RESUMABLE, EXIT_USAGE
from spotify_etl.storage import open_store

if TYPE_CHECKING:
    from spotify_etl.config import PipelineConfig
    from spotify_etl.extract import ExtractResult
    from spotify_etl.extract.context import ExtractRun
    from spotify_etl.transform import TransformSummary
    from spotify_etl.warehouse import LoadSummary


Progress = Callable[[str, int, int], None]


@dataclass
class RunReport:
    extract: ExtractResult | None = None
    transform: TransformSummary | None = None
    load: LoadSummary | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    table_counts: dict[str, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        codes = [
            getattr(part, "exit_code", EXIT_OK)
            for part in (self.extract, self.transform, self.load)
            if part is not None
        ]
        if any(code not in (EXIT_OK, EXIT_RESUMABLE, EXIT_USAGE) for code in codes):
            return EXIT_FAILED
        if EXIT_USAGE in codes:  # e.g. playlists that need `auth login`: the user must act
            return EXIT_USAGE
        return EXIT_RESUMABLE if EXIT_RESUMABLE in codes else EXIT_OK


_paused: set[str] = set()


def pause_point(stage: str, done: int | None = None) -> None:
    """SIGSTOP this process at the point `SPOTIFY_ETL_PAUSE_AT` names (crash tests): a stage
    ("manifest"; listen's "settle" and "settle-load"), or "stage:N", the first progress
    report of that stage at or past N items (a load reports per chunk, so its counts move in
    steps of a chunk's files)."""
    wanted = os.environ.get("SPOTIFY_ETL_PAUSE_AT")
    if not wanted or wanted in _paused:
        return
    name, _, at = wanted.partition(":")
    if name != stage or (done is None) != (at == ""):
        return
    if done is not None and done < int(at):
        return
    _paused.add(wanted)
    os.kill(os.getpid(), signal.SIGSTOP)


def _stage_progress(progress: Progress | None, stage: str) -> Callable[[int, int], None] | None:
    if progress is None and not os.environ.get("SPOTIFY_ETL_PAUSE_AT"):
        return None

    def report(done: int, total: int) -> None:
        if progress is not None:
            progress(stage, done, total)
        pause_point(stage, done)

    return report


def run_pipeline(
    config: PipelineConfig, run: ExtractRun, *, progress: Progress | None = None
) -> RunReport:
    """Run the three stages once; see the module docstring for what the run guarantees."""
    from spotify_etl.extract import run_extract
    from spotify_etl.pipeline.untransformed import untransformed_parts
    from spotify_etl.transform.runner import TransformRun, run_transform
    from spotify_etl.warehouse import load_pending, open_configured
    from spotify_etl.warehouse.loader import LoadRun

    report = RunReport()
    raw_store = open_store(config.path(config.storage.raw))
    out_store = open_store(config.path(config.storage.transformed))
    # Fail fast on a locked or unreachable warehouse, before any API request is spent.
    open_configured(config.warehouse, run.secrets, base_dir=config.base_dir).close()

    started = time.perf_counter()
    # The run's context as given, watched by this run's extract bar.
    watched = dataclasses.replace(run, progress=_stage_progress(progress, "extract"))
    report.extract = run_extract(config, watched, raw_store)
    report.seconds["extract"] = time.perf_counter() - started

    pause_point("manifest")

    started = time.perf_counter()
    # Every part not yet transformed: this run's, and any a killed or stopped run left.
    todo = untransformed_parts(raw_store, out_store)
    if todo:
        report.transform = run_transform(
            raw_store,
            out_store,
            config.transform,
            TransformRun(keys=todo, progress=_stage_progress(progress, "transform")),
        )
    report.seconds["transform"] = time.perf_counter() - started

    started = time.perf_counter()
    if next(iter(out_store.list()), None) is not None:  # nothing transformed yet: nothing to load
        warehouse = open_configured(config.warehouse, run.secrets, base_dir=config.base_dir)
        try:
            report.load = load_pending(
                out_store,
                warehouse,
                config.warehouse,
                LoadRun(progress=_stage_progress(progress, "load")),
            )
            report.table_counts = warehouse.table_counts()
        finally:
            warehouse.close()
    report.seconds["load"] = time.perf_counter() - started
    return report


def warehouse_url(config: PipelineConfig) -> str:
    """The warehouse URL with a DuckDB path resolved against the config file's folder."""
    from spotify_etl.warehouse.connect import resolved_url

    return resolved_url(config.warehouse.url, config.base_dir)
