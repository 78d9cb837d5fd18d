"""Leases: one holder at a time for a job on a shared store, and no wait after a crash.

A lease is one small object (e.g. `state/extract/lock-all.json`) written with a conditional
put. It names its holder: host, boot id, pid and the process's start time, and it carries a
heartbeat that a daemon thread renews every `ttl / 4`. Another process that finds it held
takes it over at once when the holder is provably gone (same machine, and the pid is dead, a
zombie, or a different process that reused the pid), and after `ttl` without a heartbeat
otherwise (another machine, a Lambda). Each takeover is logged with the old holder.

    with Lease(store, "state/listen/lock.json", owner=run_id, what="listen"):
        ...                                   # acquire() on entry, release() on exit

`acquire` raises LockedError (exit 75: try again later) while a live holder has it;
`check()` raises FatalError once the lease was lost (a takeover after a stalled heartbeat),
so a run stops before it writes more. `spotify-etl unlock` removes leases by hand.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

import msgspec

from spotify_etl.errors import FatalError, LockedError, PreconditionFailed
from spotify_etl.processes import pid_alive, process_start
from spotify_etl.storage import ObjectStore

log = logging.getLogger(__name__)

DEFAULT_TTL = timedelta(minutes=2)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _boot_id() -> str:
    """The kernel's boot id: two containers or microVMs with one host name still differ."""
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


@dataclass(frozen=True)
class Holder:
    owner: str
    host: str
    boot_id: str
    pid: int
    started: str | None

    @classmethod
    def me(cls, owner: str) -> Holder:
        pid = os.getpid()
        return cls(owner, socket.gethostname(), _boot_id(), pid, process_start(pid))

    def describe(self) -> str:
        return f"{self.owner} (pid {self.pid} on {self.host})"


def holder_alive(body: dict[str, Any]) -> bool | None:
    """Whether the lease's holder process still runs: True, False, or None (cannot tell here,
    e.g. it ran on another machine; then only its heartbeat says)."""
    me = Holder.me("")
    pid = body.get("pid")
    if not isinstance(pid, int) or body.get("host") != me.host:
        return None
    if body.get("boot_id", "") != me.boot_id:
        return None  # same name, another machine (or this one before a reboot: unknowable)
    started = body.get("started")
    return pid_alive(pid, started if isinstance(started, str) else None)


def read_lease(store: ObjectStore, key: str) -> tuple[dict[str, Any], str] | None:
    """The lease body (empty when unreadable) and its ETag, or None when there is none."""
    info = store.head(key)
    if info is None:
        return None
    try:
        body = msgspec.json.decode(store.get(key))
    except Exception:  # half-written by a foreign tool, or gone in between: treat as stale
        body = {}
    return (body if isinstance(body, dict) else {}), info.etag


def stale_reason(body: dict[str, Any], now: datetime) -> str | None:
    """Why a lease may be taken over now, or None while its holder is presumed alive."""
    alive = holder_alive(body)
    if alive is False:
        return "its process is gone"
    expires = _parse(body.get("expires_at"))
    if expires is None:
        return "it is unreadable"
    if alive is None and expires <= now:
        return f"no heartbeat since {body.get('heartbeat_at', '?')}"
    return None


class Lease:
    def __init__(
        self,
        store: ObjectStore,
        key: str,
        *,
        owner: str,
        ttl: timedelta = DEFAULT_TTL,
        what: str = "job",
        heartbeat_s: float | None = None,
    ) -> None:
        self.store = store
        self.key = key
        self.owner = owner
        self.ttl = ttl
        self.what = what
        self.holder = Holder.me(owner)
        self.etag: str | None = None
        self.lost = False
        self._acquired_at = ""
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        interval = ttl.total_seconds() / 4 if heartbeat_s is None else heartbeat_s
        self._interval = max(0.05, interval)

    @property
    def run_id(self) -> str:
        return self.owner

    def _body(self, now: datetime) -> bytes:
        h = self.holder
        return msgspec.json.encode(
            {
                "run_id": h.owner,
                "what": self.what,
                "host": h.host,
                "boot_id": h.boot_id,
                "pid": h.pid,
                "started": h.started,
                "acquired_at": self._acquired_at,
                "heartbeat_at": _iso(now),
                "expires_at": _iso(now + self.ttl),
            }
        )

    def acquire(self, now: datetime | None = None) -> Lease:
        now = now or datetime.now(UTC)
        self._acquired_at = _iso(now)
        try:
            self.etag = self.store.put(self.key, self._body(now), if_none_match=True)
        except PreconditionFailed:
            self._take_over(now)
        self._start_heartbeat()
        return self

    def _take_over(self, now: datetime) -> None:
        found = read_lease(self.store, self.key)
        body, etag = found if found is not None else ({}, None)
        reason = stale_reason(body, now) if found is not None else "it was just released"
        if reason is None:
            raise LockedError(
                f"another {self.what} (run {body.get('run_id', '?')}, pid {body.get('pid', '?')} "
                f"on {body.get('host', '?')}) holds {self.store.uri(self.key)}",
                hint="it is running: try again after it finishes, or `spotify-etl unlock` "
                "if you know it is not",
            )
        try:
            if etag is None:
                self.etag = self.store.put(self.key, self._body(now), if_none_match=True)
            else:
                self.etag = self.store.put(self.key, self._body(now), if_match=etag)
        except PreconditionFailed:
            raise LockedError(
                f"another {self.what} just took {self.store.uri(self.key)}",
                hint="try again after it finishes",
            ) from None
        if found is not None:
            log.warning(
                "took over the %s lease %s from run %s (pid %s on %s): %s",
                self.what,
                self.key,
                body.get("run_id", "?"),
                body.get("pid", "?"),
                body.get("host", "?"),
                reason,
            )

    def heartbeat(self, now: datetime | None = None) -> None:
        """Renew the lease; FatalError if another process has taken it meanwhile."""
        with self._lock:
            if self.etag is None or self.lost:
                self.check()
                return
            try:
                self.etag = self.store.put(
                    self.key, self._body(now or datetime.now(UTC)), if_match=self.etag
                )
            except PreconditionFailed:
                self.lost = True
        self.check()

    def renew(self, now: datetime | None = None) -> None:
        self.heartbeat(now)

    def check(self) -> None:
        if self.lost:
            raise FatalError(
                f"lost the {self.what} lock {self.key} (its heartbeat stalled and another run "
                "took it); stopping without writing more"
            )

    def _start_heartbeat(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._beat, name=f"lease-{self.key}", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.heartbeat()
            except FatalError:
                log.error("the %s lease %s was taken over by another run", self.what, self.key)
                return
            except Exception as exc:  # a store hiccup: the next beat tries again
                log.warning("lease heartbeat on %s failed: %s", self.key, exc)

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)
        self._thread = None
        with self._lock:
            if self.etag is None:
                return
            info = self.store.head(self.key)
            if info is not None and info.etag == self.etag:
                self.store.delete(self.key)
            self.etag = None

    def __enter__(self) -> Lease:
        if self.etag is None:
            self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def lease_keys(store: ObjectStore) -> list[str]:
    """Every lease object under `state/` (any job's: `lock-*.json` or `lock.json`)."""
    return sorted(
        info.key
        for info in store.list("state/")
        if info.key.rsplit("/", 1)[-1].startswith("lock") and info.key.endswith(".json")
    )


def unlock(store: ObjectStore, *, force: bool = False) -> list[str]:
    """Remove leases by hand (`spotify-etl unlock`); one line per lease about what was done.

    A lease whose holder runs on this machine is kept unless `force`: removing it would let
    a second run start beside a live one. Elsewhere nobody can tell, so the user decides."""
    lines = []
    now = datetime.now(UTC)
    for key in lease_keys(store):
        found = read_lease(store, key)
        if found is None:
            continue
        body, etag = found
        who = (
            f"run {body.get('run_id', '?')}, pid {body.get('pid', '?')} on {body.get('host', '?')}"
        )
        if holder_alive(body) is True and not force:
            lines.append(f"kept {key}: held by {who}, which is running (--force removes it)")
            continue
        info = store.head(key)
        if info is not None and info.etag == etag:
            store.delete(key)
        why = stale_reason(body, now) or "removed by hand"
        lines.append(f"removed {key} ({who}; {why})")
    return lines or ["no leases held"]
