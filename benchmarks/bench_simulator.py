"""Simulator throughput and start-up at scale.

Runs the simulator as its own process (`python -m spotify_etl.simulator serve`), as an
extraction benchmark would, and drives it from several client processes over raw keep-alive
`http.client` connections, so that the client is never the bottleneck.

Targets (issue 2):
  * a realistic extraction mix >= 2,000 requests/s on loopback with keep-alive;
  * a 1,000,000-track catalog serves its first request in < 5 s using < 500 MB.
Baseline in the same run: the HTTP layer alone (an endpoint with no catalog work), which
shows what share of the ceiling the Web API logic costs.

    .venv/bin/python benchmarks/bench_simulator.py [--seconds 4] [--clients 3]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import json
import multiprocessing as mp
import secrets
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import psutil

from spotify_etl.simulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from spotify_etl.simulator.catalog import Catalog

TARGET_RPS = 2_000
TARGET_START_S = 5.0
TARGET_RSS_MB = 500
SCALE = 1_000_000
SEED = 42


def start_server(scale: int) -> tuple[subprocess.Popen[str], str, float]:
    began = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "spotify_etl.simulator", "serve", "--scale", str(scale),
         "--seed", str(SEED)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    base = proc.stdout.readline().strip()
    if not base.startswith("http://"):
        proc.kill()
        raise SystemExit(f"simulator did not start: {base!r}")
    host = urlsplit(base)
    conn = http.client.HTTPConnection(host.hostname or "127.0.0.1", host.port)
    conn.request("GET", "/_simulator/day")
    conn.getresponse().read()
    return proc, base, time.perf_counter() - began


def _post_form(
    conn: http.client.HTTPConnection, path: str, form: dict[str, str], auth: str = ""
) -> dict:  # type: ignore[type-arg]
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if auth:
        headers["Authorization"] = auth
    conn.request("POST", path, urlencode(form), headers)
    return json.loads(conn.getresponse().read())  # type: ignore[no-any-return]


def tokens(base: str) -> tuple[str, str]:
    """An app token and a user token (Authorization Code + PKCE), both over http.client."""
    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port)
    basic = base64.b64encode(f"{DEMO_CLIENT_ID}:{DEMO_CLIENT_SECRET}".encode()).decode()
    app = _post_form(conn, "/api/token", {"grant_type": "client_credentials"}, "Basic " + basic)
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    redirect = "http://127.0.0.1:9/cb"
    query = urlencode({
        "client_id": DEMO_CLIENT_ID, "response_type": "code", "redirect_uri": redirect,
        "code_challenge_method": "S256", "code_challenge": challenge.rstrip(b"=").decode(),
    })  # fmt: skip
    conn.request("GET", "/authorize?" + query)
    reply = conn.getresponse()
    reply.read()
    code = parse_qs(urlsplit(reply.headers["Location"]).query)["code"][0]
    user = _post_form(conn, "/api/token", {
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect,
        "client_id": DEMO_CLIENT_ID, "code_verifier": verifier,
    })  # fmt: skip
    return app["access_token"], user["access_token"]


def workloads(catalog: Catalog) -> dict[str, list[str]]:
    tracks = catalog.track_ids(400)  # ids of albums visible on day 0
    albums = catalog.album_ids(200)
    artists = catalog.artist_ids(200)
    # Development mode reads the items of own and collaborative playlists only
    # (docs/spotify-api.md); other users' playlists answer their header.
    readable = catalog.playlist_ids(8, "me") + catalog.playlist_ids(2, "collab")
    playlists = readable + catalog.playlist_ids(10, "other")
    terms = catalog.search_terms(20)
    mix: list[str] = []
    for i in range(400):
        mix.append(f"/v1/tracks/{tracks[i]}")
        if i % 2 == 0:
            mix.append(f"/v1/albums/{albums[i // 2]}")
            mix.append(f"/v1/artists/{artists[i // 2]}")
        if i % 4 == 0:
            mix.append(f"/v1/albums/{albums[i // 4]}/tracks?limit=50")
            mix.append(f"/v1/artists/{artists[i // 4]}/albums?limit=10")
            mix.append(f"/v1/playlists/{readable[i % 10]}/items?limit=50&offset={i % 3 * 50}")
            mix.append(f"/v1/playlists/{playlists[i % 20]}?fields=snapshot_id")
        if i % 8 == 0:
            mix.append(f"/v1/search?q={terms[i % 20]}&type=track&limit=10")
    return {
        "baseline: HTTP layer only": ["/_simulator/day"],
        "track by id (memoised)": [f"/v1/tracks/{tracks[0]}"],
        "track by id (cold: 60,000 distinct ids)": [
            f"/v1/tracks/{catalog.id_of(3, t)}"
            for t in range(0, catalog.n_tracks, 17)[:60_000]
            if catalog.track_visible(t, 0)
        ],
        "extraction mix (cold and warm ids)": mix,
    }


def client(
    base: str,
    token: str,
    paths: list[str],
    seconds: float,
    offset: int,
    out: mp.Queue,  # type: ignore[type-arg]
) -> None:
    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port)
    headers = {"Authorization": f"Bearer {token}"}
    done = bad = 0
    i = offset
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        for _ in range(50):
            conn.request("GET", paths[i % len(paths)], headers=headers)
            reply = conn.getresponse()
            reply.read()
            done += 1
            bad += reply.status != 200
            i += 1
    out.put((done, bad))


def run(
    base: str, token: str, paths: list[str], seconds: float, clients: int
) -> tuple[float, int, int]:
    queue: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    procs = [
        mp.Process(target=client, args=(base, token, paths, seconds, k * 997, queue))
        for k in range(clients)
    ]
    began = time.perf_counter()
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    elapsed = time.perf_counter() - began
    for p in procs:
        p.join()
    done, bad = sum(r[0] for r in results), sum(r[1] for r in results)
    return done / elapsed, done, bad


def server_count(base: str) -> int:
    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port)
    conn.request("GET", "/_simulator/stats")
    return int(json.loads(conn.getresponse().read())["total"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--scale", type=int, default=SCALE)
    args = parser.parse_args()

    proc, base, start_s = start_server(args.scale)
    ok = True
    try:
        rss_mb = psutil.Process(proc.pid).memory_info().rss / 1e6
        fits = start_s < TARGET_START_S and rss_mb < TARGET_RSS_MB
        ok &= fits
        print(f"catalog scale {args.scale:,} tracks: first reply after {start_s:.2f} s "
              f"(target < {TARGET_START_S} s, ratio {start_s / TARGET_START_S:.2f}), "
              f"RSS {rss_mb:.0f} MB (target < {TARGET_RSS_MB} MB, ratio "
              f"{rss_mb / TARGET_RSS_MB:.2f}) {'PASS' if fits else 'FAIL'}")  # fmt: skip
        app_token, user_token = tokens(base)
        catalog = Catalog(SEED, args.scale)
        results: dict[str, float] = {}
        for name, paths in workloads(catalog).items():
            token = user_token if "mix" in name else app_token
            before = server_count(base)
            rps, done, bad = run(base, token, paths, args.seconds, args.clients)
            counted = server_count(base) - before  # /_simulator/* is never counted
            results[name] = rps
            print(f"{name:38s} {rps:9,.0f} req/s  ({done:,} requests, {bad} not 200, "
                  f"server counted {counted:,})")  # fmt: skip
            ok &= bad == 0
        mix = results["extraction mix (cold and warm ids)"]
        baseline = results["baseline: HTTP layer only"]
        rss_after = psutil.Process(proc.pid).memory_info().rss / 1e6
        passed = mix >= TARGET_RPS
        ok &= passed and rss_after < TARGET_RSS_MB
        print(f"extraction mix vs target {TARGET_RPS:,} req/s: ratio {mix / TARGET_RPS:.2f} "
              f"{'PASS' if passed else 'FAIL'}; vs HTTP-layer baseline: {mix / baseline:.2f}; "
              f"RSS after load {rss_after:.0f} MB")  # fmt: skip
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
