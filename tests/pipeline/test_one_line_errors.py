"""Each case the crash harness found with a traceback or a misleading message: now one clear
line naming the fix, with the documented exit code (the same code for the same situation)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from spotify_etl.extract.state import extraction_lease
from spotify_etl.simulator import SimulatorConfig, running_simulator
from spotify_etl.storage import LocalStore
from tests.support.crash import run_cli

DEAD_API = "http://127.0.0.1:9"  # nothing listens: no request could be made anyway


def _errors(result: object) -> list[str]:
    stderr: str = result.stderr  # type: ignore[attr-defined]
    stdout: str = result.stdout  # type: ignore[attr-defined]
    assert "Traceback" not in stderr + stdout
    return [line for line in stderr.splitlines() if line.strip()]


def _config(folder: Path, *, raw: str = "lake", warehouse: str = "duckdb:///./wh.duckdb") -> None:
    (folder / "p.toml").write_text(
        f'[storage]\nraw = "{raw}"\n[warehouse]\nurl = "{warehouse}"\n'
        '[sources]\nalbums = ["4aawyAB9vmqN3uQ7FjRGTy"]\n'
    )


def test_storage_raw_naming_a_regular_file(tmp_path: Path) -> None:
    (tmp_path / "lake").write_text("not a folder")
    _config(tmp_path)
    result = run_cli(tmp_path, "run", "-c", "p.toml", "--api-base", DEAD_API)
    [line] = _errors(result)
    assert result.returncode == 2 and "lake is a file" in line and "folder" in line


def test_a_warehouse_path_under_a_regular_file(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("a file")
    _config(tmp_path, warehouse="duckdb:///./data/wh.duckdb")
    result = run_cli(tmp_path, "run", "-c", "p.toml", "--api-base", DEAD_API)
    [line] = _errors(result)
    assert result.returncode == 2 and "warehouse folder" in line and "data" in line


def test_init_under_a_regular_file(tmp_path: Path) -> None:
    (tmp_path / "conf").write_text("a file")
    result = run_cli(tmp_path, "init", "conf/pipeline.toml")
    [line] = _errors(result)
    assert result.returncode == 2 and "cannot write conf/pipeline.toml" in line


def test_auth_login_with_a_port_out_of_range(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "auth", "login", "--port", "99999")
    _errors(result)
    assert result.returncode == 2 and "65535" in result.stderr


def test_status_on_a_corrupt_state_says_what_run_says(tmp_path: Path) -> None:
    _config(tmp_path)
    state = tmp_path / "lake" / "state" / "extract" / "state.json"
    state.parent.mkdir(parents=True)
    state.write_text("{not json")
    status = run_cli(tmp_path, "status", "-c", "p.toml")
    run = run_cli(tmp_path, "run", "-c", "p.toml", "--api-base", DEAD_API)
    [status_line], [run_line] = _errors(status), _errors(run)
    assert status.returncode == run.returncode == 1
    assert "is unreadable" in status_line and "move it aside" in status_line
    assert status_line == run_line


@pytest.fixture
def not_found_server() -> Iterator[str]:
    """An HTTP server on 127.0.0.1 that answers 404 to everything (a wrong base URL)."""

    class NotFound(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_error(404)

        do_POST = do_GET

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotFound)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_base_url_answering_404_names_the_url_not_the_credentials(
    tmp_path: Path, not_found_server: str
) -> None:
    _config(tmp_path)
    result = run_cli(tmp_path, "run", "-c", "p.toml", "--api-base", not_found_server + "/v1")
    [line] = _errors(result)
    assert result.returncode == 2
    assert f"{not_found_server}/api/token answered HTTP 404" in line and "api_base" in line
    assert "SPOTIFY_CLIENT" not in line


def test_playlists_without_a_user_token_do_not_exit_0(tmp_path: Path) -> None:
    with running_simulator(SimulatorConfig(profile="development", seed=7, scale=2000)) as sim:
        playlists = sim.catalog.playlist_ids(2, owner="other")
        (tmp_path / "p.toml").write_text(
            f'[spotify]\ntoken_file = "none.json"\n[storage]\nraw = "lake"\n'
            f'[warehouse]\nurl = "duckdb:///./wh.duckdb"\n'
            f"[sources]\nplaylists = {playlists!r}\nalbums = {sim.catalog.album_ids(1)!r}\n"
        )
        result = run_cli(tmp_path, "run", "-c", "p.toml", "--api-base", sim.base_url)
    [line] = _errors(result)
    assert result.returncode == 2
    assert "2 configured playlist(s)" in line and "spotify-etl auth login" in line
    assert "ALBUM" in result.stdout  # the rest was fetched and loaded


def test_a_held_extraction_lease_exits_75_like_a_locked_warehouse(tmp_path: Path) -> None:
    # The locked-warehouse case is tests/pipeline/test_run.py (exit 75 too).
    _config(tmp_path)
    lease = extraction_lease(LocalStore(tmp_path / "lake"), "all", "live-run", timedelta(minutes=2))
    lease.acquire()  # held by this (live) test process
    try:
        result = run_cli(tmp_path, "run", "-c", "p.toml", "--api-base", DEAD_API)
    finally:
        lease.release()
    [line] = _errors(result)
    assert result.returncode == 75 and "live-run" in line and "holds" in line
