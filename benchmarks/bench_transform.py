"""Transform benchmark: spotify_etl.transform vs a seed-style pandas transform, same raw data.

    .venv/bin/python benchmarks/bench_transform.py [--items 200000] [--keep DIR]

1. Raw data: extended-profile playlists fetched over HTTP from the simulator with a user
   token (development mode reads only the user's own playlists, too few for this volume),
   written as raw parts exactly as extract writes them (gzip JSON Lines envelopes, ~8 MB of
   JSON per part).
2. Each contender runs in a fresh subprocess that reports its wall time and peak RSS:
   - ours: run_transform (CSV), on the input and on the input doubled (a second run's copy);
   - baseline: the seed's way: json.load every file into memory, Python loops into lists of
     dicts, DataFrame, drop_duplicates, to_datetime, to_csv;
   - floor: only read, gunzip and decode the same bytes (msgspec, the transform's decoder).
3. Prints throughput, ratios and PASS/FAIL against the targets:
   >= 5x the baseline's throughput; peak RSS <= 0.5x the baseline's; doubling the input
   raises peak RSS by < 20%.
4. The seed era's many small files: the same number of items as 100-item pages, one
   `spotify_raw_*.json` file each (~2,000 at 200,000 items; benchmarks/seed_pages.py), ours
   (workers included) against the seed's pandas transform of those files: >= 5x its speed,
   <= 0.5x its peak RSS.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

PART_BYTES = 8 * 1024 * 1024
RUN_A = "20261124T060000Z-0badc0de"
RUN_B = "20261125T060000Z-0badc0df"


# ---- raw data from the simulator ------------------------------------------------------
def _user_token(client: Any, base: str, client_id: str) -> str:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    redirect = "http://127.0.0.1:8765/callback"
    reply = client.get(
        f"{base}/authorize",
        params={
            "client_id": client_id,
            "response_type": "code",
            "redirect_uri": redirect,
            "scope": "playlist-read-private playlist-read-collaborative",
            "code_challenge_method": "S256",
            "code_challenge": challenge.rstrip(b"=").decode(),
        },
    )
    code = parse_qs(urlparse(reply.headers["location"]).query)["code"][0]
    token = client.post(
        f"{base}/api/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect,
            "client_id": client_id,
            "code_verifier": verifier,
        },
    )
    return str(token.json()["access_token"])


class _PartWriter:
    def __init__(self, root: Path, run_id: str, dt: str) -> None:
        from spotify_etl.rawzone import part_key

        self.root, self.run_id, self.dt, self._key = root, run_id, dt, part_key
        self.part, self.size = 0, 0
        self.buffer: list[bytes] = []

    def add(self, line: bytes) -> None:
        self.buffer.append(line)
        self.size += len(line)
        if self.size >= PART_BYTES:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        path = self.root / self._key("playlists", self.dt, self.run_id, self.part)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress(b"".join(self.buffer), compresslevel=6))
        self.part, self.buffer, self.size = self.part + 1, [], 0


def generate(root: Path, want_items: int) -> int:
    import httpx
    import msgspec

    from spotify_etl.rawzone import Envelope
    from spotify_etl.simulator import SimulatorConfig, running_simulator

    scale = max(20_000, want_items)  # ~ want_items / 250 playlists of ~250 items
    items = 0
    encode = msgspec.json.Encoder().encode
    with (
        running_simulator(SimulatorConfig(profile="extended", seed=42, scale=scale)) as sim,
        httpx.Client(timeout=60) as client,
    ):
        token = _user_token(client, sim.base_url, sim.config.client_id)
        client.headers["Authorization"] = f"Bearer {token}"
        ids = [sim.catalog.big_playlist_id, *sim.catalog.playlist_ids(10**6, owner="other")]
        writer = _PartWriter(root, RUN_A, "2026-11-24")

        def record(url: str, params: dict[str, Any], reply: Any, pid: str) -> Any:
            body = reply.json()
            env = Envelope(
                method="GET",
                url=url,
                params=params,
                status=reply.status_code,
                fetched_at=time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime()),
                profile="extended",
                run_id=RUN_A,
                source_kind="playlists",
                dt="2026-11-24",
                body=body,
                source_id=pid,
            )
            writer.add(encode(env) + b"\n")
            return body

        for pid in ids:
            if items >= want_items:
                break
            url = f"{sim.api_base}/playlists/{pid}"
            record(url, {}, client.get(url), pid)
            url = f"{sim.api_base}/playlists/{pid}/items"
            params: dict[str, Any] = {"limit": 50, "offset": 0}
            while True:
                page = record(url, params, client.get(url, params=params), pid)
                items += len(page["items"])
                if not page.get("next"):
                    break
                params = {"limit": 50, "offset": params["offset"] + 50}
        writer.flush()
    return items


def double(src: Path, dst: Path) -> None:
    """The same replies again as a second day's run: twice the input, other batch names."""
    shutil.copytree(src, dst)
    for path in sorted(src.rglob("part-*.jsonl.gz")):
        rel = path.relative_to(src).as_posix()
        rel = rel.replace(RUN_A, RUN_B).replace("dt=2026-11-24", "dt=2026-11-25")
        out = dst / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(path.read_bytes())


# ---- contenders (each in its own process) -----------------------------------------------
def run_ours(raw: Path, out: Path, workers: int = 1) -> int:
    from spotify_etl.config import TransformSettings
    from spotify_etl.storage import LocalStore
    from spotify_etl.transform import run_transform

    summary = run_transform(LocalStore(raw), LocalStore(out), TransformSettings(workers=workers))
    assert summary.exit_code == 0, summary.unreadable
    return summary.tables["PLAYLIST_ITEM"].rows_out


def run_floor(raw: Path, out: Path) -> int:
    from spotify_etl.transform.reader import iter_lines
    from spotify_etl.transform.shapes import ENV_DECODER

    n = 0
    for path in sorted(raw.rglob("part-*.jsonl.gz")):
        with path.open("rb") as fh:
            for line in iter_lines(fh, 1 << 26):
                env = ENV_DECODER.decode(line)  # type: ignore[arg-type]
                if env.body is not None and isinstance(env.body.items, list):
                    n += len(env.body.items)
    return n


def _seed_album(data: dict[str, Any]) -> list[dict[str, Any]]:
    album_list = []
    for row in data["items"]:
        track = row.get("track") or row.get("item")
        if not track or not track.get("id") or track.get("type") != "track":
            continue
        album_list.append(
            {
                "album_id": track["album"]["id"],
                "name": track["album"]["name"],
                "release_date": track["album"]["release_date"],
                "total_tracks": track["album"]["total_tracks"],
                "url": track["album"]["external_urls"]["spotify"],
            }
        )
    return album_list


def _seed_artist(data: dict[str, Any]) -> list[dict[str, Any]]:
    artist_list = []
    for row in data["items"]:
        for key, value in row.items():
            if key == "track" and value and value.get("type") == "track":
                for artist in value["artists"]:
                    artist_list.append(
                        {
                            "artist_id": artist["id"],
                            "artist_name": artist["name"],
                            "external_url": (artist.get("href")),
                        }
                    )
    return artist_list


def _seed_songs(data: dict[str, Any]) -> list[dict[str, Any]]:
    song_list = []
    for row in data["items"]:
        track = row.get("track") or row.get("item")
        if not track or not track.get("id") or track.get("type") != "track":
            continue
        song_list.append(
            {
                "song_id": track["id"],
                "song_name": track["name"],
                "duration_ms": track["duration_ms"],
                "url": track["external_urls"]["spotify"],
                "popularity": track.get("popularity"),
                "song_added": row["added_at"],
                "album_id": track["album"]["id"],
                "artist_id": track["album"]["artists"][0]["id"],
            }
        )
    return song_list


def run_baseline(raw: Path, out: Path) -> int:
    # The seed loads every file first, then transforms each one.
    spotify_data: list[tuple[str, list[dict[str, Any]]]] = []
    for path in sorted(raw.rglob("part-*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            envelopes = [json.loads(line) for line in fh.read().splitlines()]
        pages = [e["body"] for e in envelopes if "items" in (e.get("body") or {})]
        spotify_data.append((path.stem, pages))
    return _seed_transform(spotify_data, out)


def run_baseline_pages(raw: Path, out: Path) -> int:
    """The seed on its own input: one page per `spotify_raw_*.json` file."""
    spotify_data: list[tuple[str, list[dict[str, Any]]]] = []
    for path in sorted(raw.rglob("spotify_raw_*.json")):
        with path.open(encoding="utf-8") as fh:
            spotify_data.append((path.stem, [json.load(fh)]))
    return _seed_transform(spotify_data, out)


_ALBUM_COLS = ["album_id", "name", "release_date", "total_tracks", "url"]
_ARTIST_COLS = ["artist_id", "artist_name", "external_url"]
_SONG_COLS = [
    "song_id", "song_name", "duration_ms", "url", "popularity", "song_added", "album_id",
    "artist_id",
]  # fmt: skip


def _seed_transform(spotify_data: list[tuple[str, list[dict[str, Any]]]], out: Path) -> int:
    import pandas as pd

    n = 0
    out.mkdir(parents=True, exist_ok=True)
    for name, pages in spotify_data:
        albums, artists, songs = [], [], []
        for data in pages:
            albums += _seed_album(data)
            artists += _seed_artist(data)
            songs += _seed_songs(data)
            n += len(data["items"])
        # Columns named so a page without tracks (all episodes) gives empty frames, not a
        # KeyError; from_dict on a list is deprecated in pandas 3.
        album_df = pd.DataFrame(albums, columns=_ALBUM_COLS).drop_duplicates(subset=["album_id"])
        artist_df = pd.DataFrame(artists, columns=_ARTIST_COLS).drop_duplicates(
            subset=["artist_id"]
        )
        song_df = pd.DataFrame(songs, columns=_SONG_COLS)
        album_df["release_date"] = pd.to_datetime(
            album_df["release_date"], format="mixed", errors="coerce"
        )
        song_df["song_added"] = pd.to_datetime(song_df["song_added"], errors="coerce")
        tag = f"{name}-{len(list(out.iterdir()))}"
        for table, df in (("album", album_df), ("artist", artist_df), ("songs", song_df)):
            df.to_csv(out / f"{table}_transformed_{tag}.csv", index=False)
    return n


def run_duckdb_scan(raw: Path, out: Path) -> int:
    """The other engine the issue names: DuckDB's JSON reader unnesting the playlist items
    (only reading and unnesting, no cleaning or output), as a reference point."""
    import duckdb

    item = (
        "STRUCT(added_at VARCHAR, item STRUCT(id VARCHAR, name VARCHAR, duration_ms BIGINT, "
        "album STRUCT(id VARCHAR, release_date VARCHAR), artists STRUCT(id VARCHAR)[]))"
    )
    glob = str(raw / "raw" / "playlists" / "*" / "*" / "*.jsonl.gz")
    row = (
        duckdb.connect()
        .execute(
            f"SELECT count(*) FROM (SELECT unnest(body.items) AS it FROM read_json('{glob}', "
            f"format='newline_delimited', maximum_object_size=67108864, "
            f"columns={{body: 'STRUCT(items {item}[])'}}))"
        )
        .fetchone()
    )
    return int(row[0]) if row else 0


def child(kind: str, raw: Path, out: Path, workers: int) -> None:
    sampler = _TreePeak()
    sampler.start()
    start = time.perf_counter()
    if kind == "ours":
        n = run_ours(raw, out, workers)
    else:
        n = {
            "floor": run_floor,
            "baseline": run_baseline,
            "baseline-pages": run_baseline_pages,
            "duckdb": run_duckdb_scan,
        }[kind](raw, out)
    seconds = time.perf_counter() - start
    peak, cpu = sampler.stop()
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_mb": peak, "n": n}))


def _hwm_mb(pid: int | str) -> float:
    # VmHWM is a process's own high-water mark. ru_maxrss is not: Linux carries the
    # parent's mark across fork+exec, so every child would report at least the parent's.
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class _TreePeak:
    """Peak RSS of this process plus every worker it starts (the sum of their own peaks,
    an upper bound: the peaks need not coincide)."""

    def __init__(self) -> None:
        import threading

        self._peaks: dict[int, float] = {}
        self._cpu: dict[int, float] = {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._done.wait(0.02):
            for proc in me.children(recursive=True):
                self._peaks[proc.pid] = max(self._peaks.get(proc.pid, 0.0), _hwm_mb(proc.pid))
                try:
                    times = proc.cpu_times()
                    self._cpu[proc.pid] = times.user + times.system
                except psutil.Error:
                    pass

    def stop(self) -> tuple[float, float]:
        """(peak RSS MB, CPU seconds) of this process and its workers."""
        self._done.set()
        self._thread.join()
        cpu = time.process_time() + sum(self._cpu.values())
        return _hwm_mb("self") + sum(self._peaks.values()), cpu


def measure(kind: str, raw: Path, out: Path, workers: int = 1, repeat: int = 2) -> dict[str, float]:
    """The best of `repeat` runs (by wall time), each in a fresh process."""
    runs = [_measure_once(kind, raw, out, workers) for _ in range(repeat)]
    return min(runs, key=lambda m: m["seconds"])


def _measure_once(kind: str, raw: Path, out: Path, workers: int) -> dict[str, float]:
    shutil.rmtree(out, ignore_errors=True)
    argv = ["--child", kind, "--raw", str(raw), "--out", str(out), "--workers", str(workers)]
    proc = subprocess.run(
        [sys.executable, __file__, *argv],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        sys.exit(f"{kind} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the raw data here")
    parser.add_argument(
        "--child", choices=["ours", "floor", "baseline", "baseline-pages", "duckdb"]
    )
    parser.add_argument("--skip-pages", action="store_true", help="skip the many-files input")
    parser.add_argument(
        "--duckdb", action="store_true", help="also time DuckDB's JSON reader on the same bytes"
    )
    parser.add_argument("--raw", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.raw, args.out, args.workers)
        return
    work = Path(tempfile.mkdtemp(prefix="bench-transform-"))
    data = args.keep or work / "data"
    single, doubled = data / "single", data / "doubled"
    try:
        if not (single / "raw").exists():
            t0 = time.perf_counter()
            n_items = generate(single, args.items)
            print(
                f"generated {n_items:,} playlist items from the simulator "
                f"in {time.perf_counter() - t0:.1f}s"
            )
        if not doubled.exists():
            double(single, doubled)
        size = sum(p.stat().st_size for p in (single / "raw").rglob("*.gz"))
        plain = sum(len(gzip.decompress(p.read_bytes())) for p in (single / "raw").rglob("*.gz"))
        parts = len(list((single / "raw").rglob("*.gz")))
        print(f"input: {parts} raw parts, {size / 1e6:.1f} MB gzip, {plain / 1e6:.1f} MB JSON")
        floor = measure("floor", single, work / "out-floor")
        ours1 = measure("ours", single, work / "out-ours1", workers=1)
        ours = measure("ours", single, work / "out-ours", workers=args.workers)
        ours2 = measure("ours", doubled, work / "out-ours2", workers=args.workers, repeat=1)
        base = measure("baseline", single, work / "out-base")
        if args.duckdb:
            scan = measure("duckdb", single, work / "out-duckdb", repeat=1)
            print(
                f"duckdb read_json + unnest only: {scan['seconds']:.2f}s wall, "
                f"{scan['cpu']:.2f}s cpu"
            )
        ok = report(floor, ours1, ours, ours2, base, args.workers)
        if not args.skip_pages:
            ok = pages(data / f"pages-{args.items}", args.items, work, args.workers) and ok
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if not ok:
        sys.exit(1)


def pages(folder: Path, items: int, work: Path, workers: int) -> bool:
    """Section 4 of the module docstring: the seed era's one-page files."""
    sys.path.insert(0, str(Path(__file__).parent))
    from seed_pages import write_pages

    if not folder.exists():
        write_pages(folder / "old", items)
    files = list(folder.rglob("spotify_raw_*.json"))
    print(f"\nmany small files: {len(files):,} spotify_raw_*.json pages")
    ours = measure("ours", folder, work / "out-pages-ours", workers=workers)
    base = measure("baseline-pages", folder, work / "out-pages-base")
    print(f"{'contender':<26}{'wall s':>8}{'cpu s':>8}{'items/s':>10}{'peak RSS MB':>13}")
    for name, m in ((f"ours, {workers} workers", ours), ("seed (pandas)", base)):
        rate = m["n"] / m["seconds"]
        print(f"{name:<26}{m['seconds']:>8.2f}{m['cpu']:>8.2f}{rate:>10,.0f}{m['peak_mb']:>13.1f}")
    speed = base["seconds"] / ours["seconds"]
    rss = ours["peak_mb"] / base["peak_mb"]
    checks = [
        (f"pages: speed vs the seed: {speed:.1f}x (target >= 5x)", speed >= 5),
        (f"pages: peak RSS vs the seed: {rss:.2f}x (all processes; target <= 0.5x)", rss <= 0.5),
    ]
    for text, good in checks:
        print(f"{'PASS' if good else 'FAIL'}  {text}")
    return all(good for _, good in checks)


def report(
    floor: dict[str, float],
    ours1: dict[str, float],
    ours: dict[str, float],
    ours2: dict[str, float],
    base: dict[str, float],
    workers: int,
) -> bool:
    items = ours["n"]
    rows = [
        ("floor (read+parse)", floor, 1),
        ("ours, 1 process", ours1, 1),
        (f"ours, {workers} workers", ours, 1),
        (f"ours, {workers} w, input x2", ours2, 2),
        ("baseline (pandas)", base, 1),
    ]
    print(f"\n{'contender':<26}{'wall s':>8}{'cpu s':>8}{'items/s':>10}{'peak RSS MB':>13}")
    for name, m, times in rows:
        rate = items * times / m["seconds"]
        print(f"{name:<26}{m['seconds']:>8.2f}{m['cpu']:>8.2f}{rate:>10,.0f}{m['peak_mb']:>13.1f}")
    speed = base["seconds"] / ours["seconds"]
    speed1 = base["seconds"] / ours1["seconds"]
    cpu_ratio = base["cpu"] / ours["cpu"]
    rss = ours["peak_mb"] / base["peak_mb"]
    growth = ours2["peak_mb"] / ours["peak_mb"] - 1
    print()
    checks = [
        (
            f"throughput vs baseline: {speed:.1f}x (1 process: {speed1:.1f}x; "
            f"CPU time: {cpu_ratio:.1f}x less; target >= 5x)",
            speed >= 5,
        ),
        (f"peak RSS vs baseline: {rss:.2f}x (all processes; target <= 0.5x)", rss <= 0.5),
        (f"peak RSS growth when the input doubles: {growth:+.1%} (target < +20%)", growth < 0.2),
    ]
    for text, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {text}")
    print(
        f"floor: read+parse takes {floor['seconds']:.2f}s; the transform takes "
        f"{ours1['seconds'] / floor['seconds']:.1f}x the floor in one process, "
        f"{ours['seconds'] / floor['seconds']:.1f}x with {workers} workers"
    )
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        print(
            f"note: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: "
            "wall times are noisy"
        )
    return all(ok for _, ok in checks)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
