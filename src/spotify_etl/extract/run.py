"""run_extract: one extraction run, from the sources config to raw parts, state and manifest.

    lock (per shard) -> load state -> plan (or resume the checkpoint) -> fetch by priority
    -> flush parts -> save state (+ checkpoint when stopped) -> manifest -> unlock

Stopping (budget, quota, Retry-After beyond the cap) is an outcome, not an error: the result
says when to resume (exit code 75). A crash saves the checkpoint too, then reports failure.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from spotify_etl.errors import ConfigError, SpotifyEtlError, StopRun
from spotify_etl.extract import quota
from spotify_etl.extract.client import Budget, attach_budget, build_client, check_api_base
from spotify_etl.extract.context import ExtractRun, new_run_id, shard_tag
from spotify_etl.extract.engine import Engine
from spotify_etl.extract.manifest import (
    ExtractResult,
    Outcome,
    checkpoint_summary,
    manifest_bytes,
)
from spotify_etl.extract.manifest import requests_by_endpoint as _requests
from spotify_etl.extract.outcome import Verdict, settle
from spotify_etl.extract.recorder import Recorder
from spotify_etl.extract.sources import ResolvedSources, resolve_sources
from spotify_etl.extract.state import StateStore, extraction_lease, iso
from spotify_etl.extract.writer import RawWriter
from spotify_etl.lease import Lease
from spotify_etl.logs import redact
from spotify_etl.rawzone import manifest_key
from spotify_etl.storage import ObjectStore, open_store

if TYPE_CHECKING:
    from spotify_etl.config import PipelineConfig

log = logging.getLogger(__name__)


class _Started(NamedTuple):
    """What run_extract settled before the first request: the run's identity and its lease."""

    store: ObjectStore
    sources: ResolvedSources
    tag: str
    run_id: str
    dt: str
    now: datetime
    limit: int
    lease: Lease


def run_extract(
    config: PipelineConfig, run: ExtractRun, raw_store: ObjectStore | None = None
) -> ExtractResult:
    """Extract the configured sources into the raw zone; see the module docstring.

    Extraction reads four sections of the config (spotify, extract, sources, storage), so it
    takes the config whole; `run` is the per-call context (extract.context). `raw_store`
    defaults to the config's storage.raw.
    """
    sources = resolve_sources(config.sources)  # bad ids are reported before any request
    if run.client is None:
        check_api_base(config, run.api_base)
    tag = shard_tag(run.shard)
    now = (run.now or datetime.now(UTC)).astimezone(UTC)
    store = raw_store if raw_store is not None else open_store(config.path(config.storage.raw))
    run_id, dt = new_run_id(now), now.date().isoformat()
    limit = run.budget if run.budget is not None else config.extract.budget
    if limit < 3:
        raise ConfigError(
            f"a budget of {limit} requests cannot make progress", hint="use 3 or more"
        )
    lease = extraction_lease(store, tag, run_id, timedelta(minutes=config.extract.lock_minutes))
    lease.acquire()  # real time, even when `now` replays another day (the demo)
    try:
        return _run(config, run, _Started(store, sources, tag, run_id, dt, now, limit, lease))
    finally:
        lease.release()


def _run(config: PipelineConfig, run: ExtractRun, started: _Started) -> ExtractResult:
    store, sources, tag, run_id, dt, now, limit, lease = started
    progress = run.progress
    client, token_store = run.client, run.token_store
    states = StateStore(store)
    state, _ = states.load()
    writer = RawWriter(store, run_id=run_id, dt=dt, part_max_bytes=config.extract.part_max_bytes)
    ttl = config.extract.ttl
    rec = Recorder(
        writer,
        state,
        {"album": ttl.album_days, "artist": ttl.artist_days, "track": ttl.track_days},
        now,
    )
    engine_ref: list[Engine] = []

    def save_progress() -> None:
        """A periodic save, so even a killed process loses at most `checkpoint_every` requests."""
        with rec.lock:
            writer.flush()
            if engine_ref:
                rec.delta.checkpoint = engine_ref[0].checkpoint(
                    run_id=run_id, dt=dt, reason="interrupted", resume_after=None
                )
            states.save(rec.delta, tag, run_id, iso(datetime.now(UTC)))
            lease.check()  # the heartbeat thread renews it; a lost lease stops the run here

    def planned(used: int, budget: int) -> None:
        # The bar's total is the work planned so far (capped by the budget), not the budget.
        if progress is not None:
            ahead = engine_ref[0].outstanding() if engine_ref else budget
            progress(used, min(budget, used + ahead))

    meter = Budget(limit, planned, config.extract.checkpoint_every, save_progress)
    own_client = client is None
    if client is None:
        client = build_client(
            config,
            run.secrets,
            api_base=run.api_base,
            token_store=token_store,
            before_request=meter,
        )
    else:
        attach_budget(client, meter)
    has_user = bool(getattr(client, "has_user", token_store is not None))
    engine = Engine(
        client,
        rec,
        sources,
        market=config.spotify.market,
        listing_ttl_days=ttl.listing_hours / 24,
        has_user_token=has_user,
        shard=run.shard,
        refused_ttl_days=ttl.refused_playlist_days,
    )
    quota.restore(client, state, now)
    if state.profile in ("development", "extended"):
        client.assume_profile(state.profile)  # type: ignore[arg-type]
    engine_ref.append(engine)
    checkpoint = state.checkpoints.get(tag)
    if checkpoint is not None:
        log.info(
            "resuming from the checkpoint of run %s (%s)", checkpoint.run_id, checkpoint.reason
        )
        engine.resume(checkpoint, checkpoint.sources == sources.fingerprint(), dt)

    outcome: Outcome = "complete"
    reason: str | None = None
    message = ""
    resume_after: datetime | None = None
    raised: BaseException | None = None
    try:
        engine.run()
        planned(meter.used, meter.used)  # all planned work done: the bar ends full
        if engine.deferred:  # everything else is done; the rest waits on locked buckets
            outcome, reason = "stopped", "quota"
            message = quota.stop_message(client, engine.deferred)
            resume_after = quota.resume_at(client, engine.deferred)
            log.info("extraction stopped: %s", message)
    except StopRun as exc:
        outcome, reason, message = "stopped", exc.reason, redact(str(exc))
        if exc.retry_after_s:
            resume_after = datetime.now(UTC) + timedelta(seconds=exc.retry_after_s)
        log.info("extraction stopped: %s", message)  # the result and its summary say it
    except ConfigError as exc:  # credentials refused mid-run: save, then let the user fix it
        outcome, reason, message, raised = "failed", "config", redact(str(exc)), exc
    except Exception as exc:
        outcome, reason = "failed", type(exc).__name__
        message = redact(str(exc)).splitlines()[0] if str(exc) else reason
        # A classified error is reported by the caller from the result; a bug gets a traceback.
        if isinstance(exc, SpotifyEtlError):
            log.info("extraction failed: %s", message)
        else:
            log.error("extraction failed: %s", message, exc_info=True)
    except BaseException as exc:  # Ctrl-C, SystemExit: save what was fetched, then go
        outcome, reason, message, raised = "failed", "interrupted", type(exc).__name__, exc
    finally:
        stats = client.stats
        if own_client:
            client.close()

    with rec.lock:
        rec.delta.quota = quota.saved(client)
        if client.profile != "unknown":
            rec.delta.profile = client.profile
        for playlist_id, snapshot in rec.delta.playlists.items():
            reported = rec.playlist_report.get(playlist_id, {}).get("status")
            if not snapshot.complete and reported not in ("skipped", "deferred"):
                rec.report_playlist(playlist_id, status="partial", snapshot_id=snapshot.snapshot_id)
        writer.flush()
        verdict = settle(Verdict(outcome, reason, message), rec, stats, meter.used)
        outcome, reason, message = verdict.outcome, verdict.reason, verdict.message
        if outcome == "complete" or (reason == "nothing_fetched" and not rec.deferred):
            # Nothing left to resume; all refused (404s) leaves nothing worth resuming either,
            # while a run whose requests all failed keeps what it has pending for the next.
            rec.delta.checkpoint, rec.delta.clear_checkpoint = None, True
        else:
            rec.delta.checkpoint = engine.checkpoint(
                run_id=run_id,
                dt=dt,
                reason=reason or outcome,
                resume_after=iso(resume_after) if resume_after else None,
            )
        states.save(rec.delta, tag, run_id, iso(datetime.now(UTC)))
    result = ExtractResult(
        run_id=run_id,
        dt=dt,
        outcome=outcome,
        reason=reason,
        resume_after=resume_after,
        manifest_key=manifest_key(dt, run_id),
        part_keys=list(writer.written),
        requests=_requests(stats),
        budget_used=meter.used,
        skipped=[s.as_dict() for s in rec.skipped],
        deferred=[d.as_dict() for d in rec.deferred],
        exit_code=verdict.exit_code,
        budget=limit,
        entities_fetched=rec.entities_fetched,
        playlists=dict(rec.playlist_report),
        resumed_from=checkpoint.run_id if checkpoint else None,
        message=message,
    )
    extra = {
        "shard": tag,
        "started_at": iso(now),
        "finished_at": iso(datetime.now(UTC)),
        "profile": client.profile,
        "records": writer.records,
        "checkpoint": checkpoint_summary(rec.delta.checkpoint) if outcome != "complete" else None,
        "quota": quota.manifest_block(client, engine.deferred),
    }
    store.put(result.manifest_key, manifest_bytes(result, extra))
    log.debug(result.summary())
    if raised is not None:
        raise raised
    return result
