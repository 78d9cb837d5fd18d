"""Request statistics, the simulated day over HTTP, and the `serve` command as a process."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from urllib.parse import urlsplit

import httpx
import pytest

from spotify_etl.simulator import Simulator

from .conftest import Api, app_token, pkce_login


def test_stats_count_requests_by_endpoint_and_status(dev_sim: Simulator, dev_api: Api) -> None:
    dev_sim.reset_stats()
    track_id = dev_sim.catalog.track_ids(1)[0]
    for _ in range(3):
        dev_api.ok(f"/tracks/{track_id}")
    dev_api.get("/tracks/" + "0" * 22)
    dev_api.get("/nowhere")
    stats = dev_sim.stats()
    assert stats["total"] == 5
    assert stats["by_endpoint"] == {
        "GET /v1/tracks/{id}": {"200": 3, "404": 1},
        "unmatched": {"404": 1},
    }
    assert stats["by_status"] == {"200": 3, "404": 2}
    over_http = httpx.get(f"{dev_sim.base_url}/_simulator/stats").json()
    assert over_http == dev_sim.stats()  # reading stats is not itself counted
    dev_sim.reset_stats()
    assert dev_sim.stats()["total"] == 0


def test_day_over_http(dev_sim: Simulator) -> None:
    assert httpx.post(f"{dev_sim.base_url}/_simulator/day", params={"day": 3}).json() == {"day": 3}
    assert dev_sim.day == 3
    assert httpx.post(f"{dev_sim.base_url}/_simulator/day", params={"day": -1}).status_code == 400
    dev_sim.set_day(0)


@pytest.mark.parametrize(
    ("command", "stop"),
    [
        ([sys.executable, "-m", "spotify_etl.simulator", "serve"], signal.SIGTERM),
        (
            [sys.executable, "-m", "spotify_etl", "simulator", "serve", "--profile", "extended"],
            signal.SIGINT,
        ),
    ],
)
def test_serve_prints_its_url_first_and_stops_cleanly(command: list[str], stop: int) -> None:
    proc = subprocess.Popen([*command, "--scale", "1000"], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        base = proc.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:")
        sample = httpx.get(f"{base}/_simulator/catalog", params={"n": 2}).json()
        assert len(sample["track_ids"]) == 2
        proc.send_signal(stop)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_serve_rejects_bad_options_in_one_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "spotify_etl", "simulator", "serve", "--scale", "5"],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().startswith("error:") and len(done.stderr.strip().splitlines()) == 1


def test_oversized_and_garbled_requests_are_refused(dev_sim: Simulator) -> None:
    big = httpx.post(dev_sim.token_url, content=b"x" * (2 << 20))
    assert big.status_code == 413
    url = urlsplit(dev_sim.base_url)
    with socket.create_connection((url.hostname or "", url.port or 80), 5) as sock:
        sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
        assert sock.recv(1024).startswith(b"HTTP/1.1 400")


def test_stats_count_tokens_by_grant_type(dev_sim: Simulator) -> None:
    dev_sim.reset_stats()
    app_token(dev_sim)
    pkce_login(dev_sim)
    stats = dev_sim.stats()
    assert stats["tokens_issued"] == {"client_credentials": 1, "authorization_code": 1}
    assert stats["by_endpoint"] == {"POST /api/token": {"200": 2}, "GET /authorize": {"302": 1}}


def test_catalog_sample_refuses_a_bad_count(dev_sim: Simulator) -> None:
    for n in ("abc", "-1"):
        reply = httpx.get(f"{dev_sim.base_url}/_simulator/catalog", params={"n": n})
        assert reply.status_code == 400 and reply.json()["error"]["status"] == 400
    assert len(httpx.get(f"{dev_sim.base_url}/_simulator/catalog").json()["artist_ids"]) == 5
