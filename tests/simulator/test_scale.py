"""Long runs: the 1,000,000-track catalog as a separate process, and a long mixed-fault run.

Timing targets live in benchmarks/bench_simulator.py; these check behaviour and memory.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
from urllib.parse import urlsplit

import httpx
import psutil
import pytest

from spotify_etl.simulator import SimulatorConfig, running_simulator
from spotify_etl.simulator.catalog import ALBUM, PLAYLIST, TRACK, Catalog

from .conftest import Api, app_token, pkce_login

pytestmark = pytest.mark.slow


def test_a_million_tracks_serve_lazily_in_little_memory() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "spotify_etl.simulator", "serve", "--scale", "1000000"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        base = proc.stdout.readline().strip()
        catalog = Catalog(42, 1_000_000)
        assert catalog.n_tracks >= 1_000_000
        sim = type("Remote", (), {"api_base": base + "/v1", "token_url": base + "/api/token"})
        token = httpx.post(
            base + "/api/token",
            data={"grant_type": "client_credentials"},
            auth=("spotify-etl-demo", "spotify-etl-demo-secret"),
        ).json()["access_token"]
        api = Api(sim, token)  # type: ignore[arg-type]
        last = catalog.n_tracks - 1
        while not catalog.track_visible(last, 0):
            last -= 1
        assert api.ok(f"/tracks/{catalog.id_of(TRACK, last)}")["id"] == catalog.id_of(TRACK, last)
        album = catalog.n_albums - 1
        reply = api.get(f"/albums/{catalog.id_of(ALBUM, album)}")
        assert reply.status_code == (200 if catalog.album_visible(album, 0) else 404)
        for term in catalog.search_terms(30):
            assert api.ok("/search", q=term, type="track", limit=10)["tracks"]["total"] > 1_000
        for t in range(0, catalog.n_tracks, 53):  # ~21,000 distinct tracks: caches fill up
            if catalog.track_visible(t, 0):
                api.http.get(f"{base}/v1/tracks/{catalog.id_of(TRACK, t)}")
        for p in range(0, catalog.n_playlists, 5):
            api.http.get(f"{base}/v1/playlists/{catalog.id_of(PLAYLIST, p)}")
        rss_mb = psutil.Process(proc.pid).memory_info().rss / 1e6
        assert rss_mb < 500, rss_mb
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def test_the_ten_thousand_item_playlist_pages_to_the_end() -> None:
    # Another user's playlist: readable in the extended profile only (development mode: 403).
    with running_simulator(SimulatorConfig(profile="extended", scale=20_000)) as sim:
        api = Api(sim, pkce_login(sim)["access_token"])
        page = api.ok(f"/playlists/{sim.catalog.big_playlist_id}/items", limit=50)
        count = 0
        while True:
            count += len(page["items"])
            if not page["next"]:
                break
            page = api.ok(page["next"])
        assert count == page["total"] == 10_000


def test_long_mixed_fault_run_is_reproducible_and_fully_counted() -> None:
    config = SimulatorConfig(
        scale=2_000, error_rate=0.1, malformed_rate=0.05, truncated_rate=0.05, drop_rate=0.05,
        fault_seed=3,
    )  # fmt: skip

    def run() -> tuple[list[str], dict[str, object]]:
        outcomes = []
        with running_simulator(config) as sim:
            token = app_token(sim)
            url = urlsplit(sim.base_url)
            for track_id in sim.catalog.track_ids(400):
                conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=5)
                try:
                    conn.request(
                        "GET",
                        f"/v1/tracks/{track_id}",
                        headers={"Authorization": f"Bearer {token}"},
                    )
                    reply = conn.getresponse()
                    body = reply.read()
                    json.loads(body)
                    outcomes.append(str(reply.status))
                except http.client.RemoteDisconnected:
                    outcomes.append("dropped")
                except http.client.IncompleteRead:
                    outcomes.append("truncated")
                except json.JSONDecodeError:
                    outcomes.append("malformed")
                finally:
                    conn.close()
            return outcomes, sim.stats()

    first, stats = run()
    second, _ = run()
    assert first == second
    faults = stats["faults"]
    assert isinstance(faults, dict)
    for kind in ("dropped", "truncated", "malformed"):
        assert first.count(kind) == faults[kind] > 0
    assert sum(first.count(s) for s in ("500", "502", "503")) == faults["error"] > 0
    assert stats["total"] == 401  # and one token request
