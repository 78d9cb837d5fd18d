"""Leases: a live holder excludes others; a dead or silent one is taken over at once."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import pytest

from spotify_etl.errors import EXIT_RESUMABLE, FatalError, LockedError
from spotify_etl.lease import Lease, read_lease, stale_reason
from spotify_etl.storage import LocalStore

KEY = "state/extract/lock-all.json"


def _forge(store: LocalStore, **fields: object) -> None:
    """A lease as another process would have written it."""
    now = datetime.now(UTC)
    body = {
        "run_id": "other-run",
        "host": "elsewhere",
        "pid": 1,
        "heartbeat_at": now.isoformat(),
        "expires_at": (now + timedelta(minutes=2)).isoformat(),
        **fields,
    }
    store.put(KEY, msgspec.json.encode(body))


def test_a_live_holder_excludes_a_second_one_and_shards_lock_apart(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    with Lease(store, KEY, owner="run-1", what="extraction"):
        second = Lease(store, KEY, owner="run-2", what="extraction")
        with pytest.raises(LockedError, match=rf"run-1, pid {os.getpid()}") as info:
            second.acquire()
        assert info.value.exit_code == EXIT_RESUMABLE and info.value.reason == "locked"
        Lease(store, "state/extract/lock-0-of-2.json", owner="run-3").acquire().release()
    assert store.head(KEY) is None  # released on exit


def test_a_killed_holder_is_taken_over_at_once_with_a_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from spotify_etl.lease import Lease; "
         "from spotify_etl.storage import LocalStore; "
         f"Lease(LocalStore(sys.argv[1]), {KEY!r}, owner='dead-run').acquire(); "
         "print('held', flush=True); time.sleep(120)", str(tmp_path)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    store = LocalStore(tmp_path)
    with caplog.at_level(logging.WARNING, logger="spotify_etl.lease"):
        lease = Lease(store, KEY, owner="next-run", what="extraction").acquire()
    try:
        assert "took over the extraction lease" in caplog.text and "dead-run" in caplog.text
        assert "its process is gone" in caplog.text
        found = read_lease(store, KEY)
        assert found is not None and found[0]["run_id"] == "next-run"
    finally:
        lease.release()


def test_a_zombie_or_reused_pid_counts_as_gone(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    while child.poll() is None:  # exited; until reaped it stays a zombie
        time.sleep(0.01)
    me = Lease(store, KEY, owner="probe").holder
    now = datetime.now(UTC)
    base = {
        "host": me.host,
        "boot_id": me.boot_id,
        "expires_at": (now + timedelta(hours=1)).isoformat(),
    }
    assert stale_reason({**base, "pid": os.getpid(), "started": me.started}, now) is None
    assert stale_reason({**base, "pid": os.getpid(), "started": "1"}, now) == "its process is gone"
    assert stale_reason({**base, "pid": 2**22 + 12345}, now) == "its process is gone"
    assert stale_reason({**base, "pid": child.pid}, now) == "its process is gone"  # a zombie
    child.wait()


def test_another_machine_is_trusted_until_its_heartbeat_stops(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    _forge(store)
    with pytest.raises(LockedError, match="other-run"):
        Lease(store, KEY, owner="me").acquire()
    past = datetime.now(UTC) - timedelta(minutes=10)
    _forge(
        store, heartbeat_at=past.isoformat(), expires_at=(past + timedelta(minutes=2)).isoformat()
    )
    lease = Lease(store, KEY, owner="me").acquire()
    lease.release()
    _forge(store, expires_at="garbage")  # unreadable: nobody can prove it is held
    Lease(store, KEY, owner="me").acquire().release()


def test_the_heartbeat_renews_and_a_lost_lease_stops_its_holder(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    lease = Lease(store, KEY, owner="me", ttl=timedelta(seconds=1), heartbeat_s=0.05).acquire()
    first = read_lease(store, KEY)
    deadline = time.monotonic() + 10
    while (now := read_lease(store, KEY)) == first and time.monotonic() < deadline:
        time.sleep(0.02)
    assert now is not None and first is not None
    assert now[0]["heartbeat_at"] > first[0]["heartbeat_at"]
    assert now[0]["acquired_at"] == first[0]["acquired_at"]
    _forge(store, run_id="thief")  # another run took it over (our heartbeat looked stalled)
    deadline = time.monotonic() + 10
    while not lease.lost and time.monotonic() < deadline:
        time.sleep(0.02)
    with pytest.raises(FatalError, match="lost the job lock"):
        lease.check()
    lease.release()  # not ours any more: left in place
    found = read_lease(store, KEY)
    assert found is not None and found[0]["run_id"] == "thief"
