"""`spotify-etl listen`: the daily pipeline with a short period and one source.

Every `interval` it polls recently-played once (extract.listen), transforms the part it
wrote and loads what is pending: the same envelopes, transform and load as `run`, in
micro-batches of seconds. One listener per lake: it holds the extraction lease `listen`
(renewed every poll, expiring after three missed polls), so a second one refuses to start.

Stopping: SIGINT or SIGTERM ends the loop after the micro-batch in flight (exit 0); a spent
budget (`extract.budget` requests per UTC day) or a quota lockout stops it with exit 75 and
the cursor saved. A killed listener resumes from its cursor and first finishes the parts it
had stored but not loaded, so the PLAY rows converge (the MERGE is keyed).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from spotify_etl.errors import EXIT_OK, EXIT_RESUMABLE, ConfigError, QuotaExhausted, StopRun
from spotify_etl.extract import quota
from spotify_etl.extract.client import Budget, attach_budget, build_client
from spotify_etl.extract.context import new_run_id
from spotify_etl.extract.listen import SHARD, Poll, poll, settled
from spotify_etl.extract.state import Delta, Gap, StateStore, iso, lease_key
from spotify_etl.extract.writer import RawWriter
from spotify_etl.lease import Lease
from spotify_etl.storage import ObjectStore, open_store

if TYPE_CHECKING:
    from spotify_etl.config import PipelineConfig, Secrets
    from spotify_etl.spotify import SpotifyClient, TokenStore

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_S = 20 * 60  # 50 plays of ~3.5 min last ~3 h: 20 min leaves a wide margin
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
_UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


def parse_interval(text: str) -> float:
    """'20m', '90s', '1h', '500ms', '30' (seconds) -> seconds."""
    match = _INTERVAL.match(text)
    if match is None or float(match.group(1)) <= 0:
        raise ConfigError(f"invalid interval {text!r}", hint="e.g. 20m, 90s, 1h")
    return float(match.group(1)) * _UNIT_S[match.group(2)]


@dataclass
class ListenReport:
    polls: int = 0
    plays: int = 0
    requests: int = 0
    gaps: list[Gap] = field(default_factory=list)
    queued: dict[str, int] = field(default_factory=dict)
    rows_loaded: int = 0
    stopped: str = "signal"  # signal | once | budget | quota | locked ...
    message: str = ""
    exit_code: int = EXIT_OK

    def lines(self) -> list[str]:
        queued = ", ".join(f"{n} {kind}(s)" for kind, n in sorted(self.queued.items()))
        out = [
            f"listen: {self.polls} poll(s), {self.requests} request(s), {self.plays} play(s) "
            f"seen, {self.rows_loaded} row(s) loaded; stopped: {self.stopped}"
        ]
        if queued:
            out.append(f"queued for the next extraction: {queued}")
        out += [f"gap: plays between {g.after} and {g.before} may be missing" for g in self.gaps]
        if self.message:
            out.append(self.message)
        return out


LEASE_KEY = lease_key(SHARD)


def listen_lease(store: ObjectStore, run_id: str, ttl: timedelta) -> Lease:
    """The listener's lease: a holder-and-heartbeat lease, so a second `listen` on the same lake
    refuses to start and a killed listener on this machine is taken over at once."""
    return Lease(store, LEASE_KEY, owner=run_id, ttl=ttl, what="listen")


class Listener:
    """The loop; `poll_once` is one micro-batch (the tests drive it directly)."""

    def __init__(
        self,
        config: PipelineConfig,
        *,
        secrets: Secrets,
        interval_s: float = DEFAULT_INTERVAL_S,
        api_base: str | None = None,
        token_store: TokenStore | None = None,
        client: SpotifyClient | None = None,
        budget: int | None = None,
        settle: bool = True,
    ) -> None:
        self.config = config
        # False on AWS: the raw part's S3 event triggers the transform Lambda and Snowpipe
        # loads its files, so the poll only extracts (the same path as the daily run).
        self.settle = settle
        self.secrets = secrets
        self.interval_s = interval_s
        self.raw: ObjectStore = open_store(config.path(config.storage.raw))
        self.out: ObjectStore = open_store(config.path(config.storage.transformed))
        self.states = StateStore(self.raw)
        self.meter = Budget(budget if budget is not None else config.extract.budget)
        self.budget_day = datetime.now(UTC).date()
        self.own_client = client is None
        if client is None:
            self.client = build_client(
                config, secrets, api_base=api_base, token_store=token_store,
                before_request=self.meter,
            )  # fmt: skip
        else:
            self.client = client
            attach_budget(client, self.meter)
        self.report = ListenReport()
        ttl = timedelta(seconds=max(3 * interval_s, config.extract.lock_minutes * 60))
        self.lease = listen_lease(self.raw, new_run_id(datetime.now(UTC)), ttl)

    # -- one micro-batch ------------------------------------------------------------------
    def poll_once(self) -> Poll:
        now = datetime.now(UTC)
        if now.date() != self.budget_day:  # the budget is per UTC day for a long listener
            self.budget_day, self.meter.used = now.date(), 0
        state, _ = self.states.load()
        if self.settle and state.listen is not None and state.listen.pending_parts:
            self._settle(list(state.listen.pending_parts))  # a killed listener's leftovers
            state, _ = self.states.load()
        run_id = new_run_id(now)
        writer = RawWriter(
            self.raw, run_id=run_id, dt=now.date().isoformat(),
            part_max_bytes=self.config.extract.part_max_bytes,
        )  # fmt: skip
        delta = Delta()
        used = self.meter.used
        # Locks an earlier listener or run hit: a locked bucket is refused before sending.
        quota.restore(self.client, state, now)
        try:
            result = poll(self.client, writer, state, delta, now=now)
        except QuotaExhausted:
            # Kept in the state, as `run` keeps its locks: systemd restarts a listener that
            # exited 75 (Restart=on-failure), and each restart would otherwise spend a refused
            # request on the locked bucket (docs/spotify-api.md, "Errors, rate limit and quota").
            locked = Delta()
            locked.quota = quota.saved(self.client)
            self.states.save(locked, SHARD, run_id, iso(datetime.now(UTC)))
            raise
        finally:
            self.report.requests += self.meter.used - used
        if not self.settle and delta.listen is not None:
            delta.listen.pending_parts = []
        self.states.save(delta, SHARD, run_id, iso(datetime.now(UTC)))
        if result.part_key is not None and self.settle:
            self._settle([result.part_key])
        self.report.polls += 1
        self.report.plays += result.plays
        if result.gap is not None:
            self.report.gaps.append(result.gap)
        for kind, n in result.queued.items():
            self.report.queued[kind] = self.report.queued.get(kind, 0) + n
        self.lease.renew(datetime.now(UTC))
        return result

    def _settle(self, parts: list[str]) -> None:
        """Transform `parts`, load everything pending, then mark the parts done."""
        from spotify_etl.pipeline.run import pause_point
        from spotify_etl.transform.runner import TransformRun, run_transform
        from spotify_etl.warehouse import load_pending, open_configured

        pause_point("settle")  # crash tests: the parts are stored and pending, nothing loaded
        present = [p for p in parts if self.raw.head(p) is not None]
        if present:
            # One process: a listen cycle's few parts are below the pool's break-even.
            one = self.config.transform.model_copy(update={"workers": 1})
            run_transform(self.raw, self.out, one, TransformRun(keys=present))
        pause_point("settle-load")  # crash tests: transformed, not yet loaded
        warehouse = open_configured(
            self.config.warehouse, self.secrets, base_dir=self.config.base_dir
        )
        try:
            loaded = load_pending(self.out, warehouse, self.config.warehouse)
        finally:
            warehouse.close()
        self.report.rows_loaded += sum(loaded.rows.values())
        for key, why in loaded.failed:
            log.error("listen: could not load %s: %s", key, why)
        state, _ = self.states.load()
        if state.listen is not None:
            delta = Delta()
            delta.listen = settled(state.listen, parts, iso(datetime.now(UTC)))
            self.states.save(delta, SHARD, self.lease.run_id, iso(datetime.now(UTC)))

    # -- the loop -------------------------------------------------------------------------
    def run(self, stop: threading.Event, *, once: bool = False) -> ListenReport:
        self.lease.acquire(datetime.now(UTC))  # StopRun(reason="locked") if another listens
        try:
            next_at = time.monotonic()
            while not stop.is_set():
                try:
                    self.poll_once()
                except StopRun as exc:
                    self.report.stopped, self.report.message = exc.reason, str(exc)
                    self.report.exit_code = EXIT_RESUMABLE
                    return self.report
                if once:
                    self.report.stopped = "once"
                    return self.report
                next_at += self.interval_s
                stop.wait(max(0.0, next_at - time.monotonic()))
            self.report.stopped = "signal"
            return self.report
        finally:
            self.lease.release()
            if self.own_client:
                self.client.close()
