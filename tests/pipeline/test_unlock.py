"""`spotify-etl unlock`, the manual way out (README "Commands"): it removes a lease whose
holder is gone, keeps one whose holder still runs on this machine unless `--force`, and says
what it did, one line per lease."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from spotify_etl.extract.state import extraction_lease, lease_key
from spotify_etl.lease import read_lease
from spotify_etl.pipeline.listen import listen_lease
from spotify_etl.storage import LocalStore
from tests.support.crash import run_cli

TTL = timedelta(minutes=2)


def _config(folder: Path) -> LocalStore:
    (folder / "p.toml").write_text(
        '[storage]\nraw = "lake"\n[sources]\nalbums = ["4aawyAB9vmqN3uQ7FjRGTy"]\n'
    )
    return LocalStore(folder / "lake")


def _unlock(folder: Path, *flags: str) -> list[str]:
    result = run_cli(folder, "unlock", "-c", "p.toml", *flags)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return result.stdout.splitlines()


def test_nothing_held(tmp_path: Path) -> None:
    _config(tmp_path)
    assert _unlock(tmp_path) == ["no leases held"]


def test_a_dead_holders_lease_is_removed_a_live_ones_kept_unless_forced(tmp_path: Path) -> None:
    store = _config(tmp_path)
    # A holder that has exited: its lease (listen's) names a pid that no longer runs.
    dead = subprocess.run(
        [sys.executable, "-c",
         "import sys; from datetime import timedelta; "
         "from spotify_etl.pipeline.listen import listen_lease; "
         "from spotify_etl.storage import LocalStore; "
         "listen_lease(LocalStore(sys.argv[1]), 'dead-run', timedelta(minutes=2)).acquire()",
         str(tmp_path / "lake")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert dead.returncode == 0, dead.stderr
    listen_key = listen_lease(store, "probe", TTL).key
    assert read_lease(store, listen_key) is not None  # left behind, as by a kill -9
    live = extraction_lease(store, "all", "live-run", TTL).acquire()  # this process: running
    try:
        lines = _unlock(tmp_path)
        assert len(lines) == 2, lines
        kept = next(line for line in lines if line.startswith("kept"))
        removed = next(line for line in lines if line.startswith("removed"))
        assert lease_key("all") in kept and "live-run" in kept and "--force" in kept
        assert listen_key in removed and "dead-run" in removed and "process is gone" in removed
        assert read_lease(store, listen_key) is None
        assert read_lease(store, lease_key("all")) is not None
        [forced] = _unlock(tmp_path, "--force")
        assert forced.startswith(f"removed {lease_key('all')}") and "live-run" in forced
        assert read_lease(store, lease_key("all")) is None
    finally:
        live.release()
    assert _unlock(tmp_path) == ["no leases held"]
