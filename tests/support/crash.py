"""Crash-test helpers: run `spotify-etl run` as a real process, stop it at a named point
(SPOTIFY_ETL_PAUSE_AT, see pipeline/run.py), SIGKILL it there, and compare warehouses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import duckdb
import psutil

from spotify_etl.model import TABLES
from spotify_etl.simulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET

# Differ between any two runs by nature (when the API answered, when a row was first seen).
TIME_COLUMNS = {"fetched_at", "first_seen_at", "last_seen_at"}


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPOTIFY_", "SNOWFLAKE_"))}
    env |= {"SPOTIFY_CLIENT_ID": DEMO_CLIENT_ID, "SPOTIFY_CLIENT_SECRET": DEMO_CLIENT_SECRET}
    return env | extra


def run_cli(cwd: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "spotify_etl", *args],
        cwd=cwd,
        env=cli_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def descendants_of(tag: str) -> list[psutil.Process]:
    """Processes (any parent) whose environment carries this run's tag: the run's tree."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get("SPOTIFY_ETL_TEST_TAG") == tag and proc.status() != "zombie":
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


class Killed:
    """A run stopped at `point` and then SIGKILLed; `helpers` were its other processes then."""

    def __init__(self, cwd: Path, args: list[str], point: str) -> None:
        self.tag = uuid.uuid4().hex
        env = cli_env(SPOTIFY_ETL_PAUSE_AT=point, SPOTIFY_ETL_TEST_TAG=self.tag)
        proc = subprocess.Popen(
            [sys.executable, "-m", "spotify_etl", *args],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        _, status = os.waitpid(proc.pid, os.WUNTRACED)
        if not os.WIFSTOPPED(status):
            proc.returncode = os.waitstatus_to_exitcode(status)
            _out, err = proc.communicate()
            raise AssertionError(f"the run ended ({proc.returncode}) before {point}: {err!r}")
        self.helpers = [p for p in descendants_of(self.tag) if p.pid != proc.pid]
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
        self.returncode = proc.returncode

    def survivors(self, wait_s: float = 15) -> list[psutil.Process]:
        """The run's other processes still alive after `wait_s` (none, when they notice)."""
        deadline = time.monotonic() + wait_s
        while (alive := descendants_of(self.tag)) and time.monotonic() < deadline:
            time.sleep(0.1)
        return alive


def warehouse_rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every model table's rows, sorted, without the columns that name a moment."""
    out: dict[str, list[tuple[object, ...]]] = {}
    with duckdb.connect(str(path), read_only=True) as con:
        for table in TABLES:
            columns = [
                r[0]
                for r in con.execute(f'DESCRIBE "{table.name}"').fetchall()
                if r[0].lower() not in TIME_COLUMNS
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            rows = con.execute(f'SELECT {select} FROM "{table.name}"').fetchall()
            out[table.name] = sorted(rows, key=repr)
    return out


def differences(
    got: dict[str, list[tuple[object, ...]]], want: dict[str, list[tuple[object, ...]]]
) -> dict[str, str]:
    """Per table, what differs (empty when the warehouses are equal row for row)."""
    diff = {}
    for name in want:
        mine, theirs = set(got.get(name, [])), set(want[name])
        if mine != theirs or len(got.get(name, [])) != len(want[name]):
            diff[name] = (
                f"{len(got.get(name, []))} rows vs {len(want[name])}: "
                f"{len(theirs - mine)} missing, {len(mine - theirs)} extra"
            )
    return diff
