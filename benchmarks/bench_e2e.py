"""End to end on a seed-era backfill: `spotify-etl transform` + `load` vs dlt, same input.

    .venv/bin/pip install -e ".[bench]"        # dlt (benchmark only), pyarrow for its parquet
    .venv/bin/python benchmarks/bench_e2e.py [--items 200000] [--keep DIR]

1. Input: ~`items` playlist items as 100-item pages, one `spotify_raw_*.json` file each
   (~2,000 files at 200,000 items), fetched from the simulator's extended profile
   (benchmarks/seed_pages.py); and the same pages saved again a day later (2x the input).
2. Each contender runs as its own processes; peak RSS is the whole process tree (sampled
   every 10 ms: the sum over the process and all its workers), time is wall time. dlt, ours
   and ours at 2x run in `--rounds` interleaved rounds (default 3); each figure is the
   median of its rounds.
   - dlt, its best setting here: one pass over the files yielding flat songs, albums and
     artists (dlt.mark.with_table_name), write_disposition=merge on the id, parquet loader
     files, into DuckDB;
   - ours: `spotify-etl transform` (csv, one worker per CPU) then `spotify-etl load` into
     DuckDB, as a user runs them;
   - floor: read + JSON-decode the same bytes, nothing else (msgspec).
3. Both warehouses must hold the same distinct songs, albums and artists (compared as sets).
   Targets: end to end >= 3x faster than dlt and <= 0.5x its peak RSS; load <= 1.5x the
   transform's time; at 2x the input, time <= 2.2x and peak RSS <= 1.3x.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "src"))


# ---- contenders run in child processes ---------------------------------------------------
def _pages(raw: Path) -> list[Path]:
    return sorted(raw.rglob("spotify_raw_*.json"))


def run_floor(raw: Path, _out: Path) -> int:
    import msgspec

    decode = msgspec.json.decode
    return sum(len(decode(path.read_bytes())["items"]) for path in _pages(raw))


def _dlt_rows(raw: Path) -> Any:
    import dlt

    mark = dlt.mark.with_table_name
    for path in _pages(raw):
        page = json.loads(path.read_bytes())
        for entry in page["items"]:
            track = entry.get("track")
            if not track or not track.get("id") or track.get("type") != "track":
                continue
            album = track["album"]
            yield mark(
                {
                    "id": track["id"],
                    "name": track["name"],
                    "duration_ms": track["duration_ms"],
                    "popularity": track.get("popularity"),
                    "album_id": album["id"],
                    "artist_id": track["artists"][0]["id"],
                    "url": track["external_urls"]["spotify"],
                },
                "songs",
            )
            yield mark(
                {
                    "id": album["id"],
                    "name": album["name"],
                    "release_date": album["release_date"],
                    "total_tracks": album["total_tracks"],
                    "url": album["external_urls"]["spotify"],
                },
                "albums",
            )
            for artist in [*track["artists"], *album["artists"]]:
                yield mark({"id": artist["id"], "name": artist["name"]}, "artists")


def run_dlt(raw: Path, out: Path) -> int:
    import dlt

    resource = dlt.resource(
        _dlt_rows(raw), name="seed", write_disposition="merge", primary_key="id"
    )
    pipeline = dlt.pipeline(
        pipeline_name="bench_e2e",
        destination=dlt.destinations.duckdb(str(out / "dlt.duckdb")),
        dataset_name="seed",
        pipelines_dir=str(out / "pipelines"),
    )
    pipeline.run(resource, loader_file_format="parquet")
    return 0


def child(kind: str, raw: Path, out: Path) -> None:
    n = {"floor": run_floor, "dlt": run_dlt}[kind](raw, out)
    print(json.dumps({"n": n}))


# ---- measuring ---------------------------------------------------------------------------
def measured(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> dict[str, float]:
    """Run argv; wall seconds and peak RSS (MB) of its whole process tree."""
    import psutil

    log = cwd / f"log-{time.monotonic_ns()}.txt"
    with log.open("wb") as sink:
        start = time.perf_counter()
        proc = psutil.Popen(argv, cwd=cwd, stdout=sink, stderr=subprocess.STDOUT, env=env)
        peak = 0
        tree: list[psutil.Process] = [proc]
        ticks = 0
        while proc.poll() is None:
            # Listing the tree reads every process on the machine (~1 ms, 10% of a core at
            # this rate, taken from the contender): every 5th sample; RSS every 10 ms.
            if ticks % 5 == 0:
                with contextlib.suppress(psutil.Error):
                    tree = [proc, *proc.children(recursive=True)]
            ticks += 1
            total = 0
            for p in tree:
                with contextlib.suppress(psutil.Error):  # it ended between listing and reading
                    total += p.memory_info().rss
            peak = max(peak, total)
            time.sleep(0.01)
        seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(argv[:3])} failed ({proc.returncode}):\n{log.read_text()[-3000:]}")
    return {"seconds": seconds, "peak_mb": peak / 1e6}


def run_child(kind: str, raw: Path, out: Path, work: Path) -> dict[str, float]:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    env = {**os.environ, "RUNTIME__DLTHUB_TELEMETRY": "false"}  # loopback only
    argv = [sys.executable, __file__, "--child", kind, "--raw", str(raw), "--out", str(out)]
    return measured(argv, work, env)


def run_ours(raw: Path, out: Path, work: Path, workers: int) -> dict[str, float]:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    cli = str(BIN / "spotify-etl")
    transform = measured(
        [cli, "transform", "--raw", str(raw), "--out", str(out / "t"), "--workers", str(workers)],
        work,
    )
    load = measured(
        [cli, "load", "--transformed", str(out / "t"), "--warehouse", f"duckdb:///{out}/w.duckdb"],
        work,
    )
    return {
        "seconds": transform["seconds"] + load["seconds"],
        "peak_mb": max(transform["peak_mb"], load["peak_mb"]),
        "transform_s": transform["seconds"],
        "load_s": load["seconds"],
        "transform_mb": transform["peak_mb"],
        "load_mb": load["peak_mb"],
    }


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    """Each figure's median over the rounds."""
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def distinct_ids(path: Path, queries: dict[str, str]) -> dict[str, set[str]]:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        return {name: {r[0] for r in con.execute(sql).fetchall()} for name, sql in queries.items()}
    finally:
        con.close()


OURS = {
    "songs": "SELECT song_id FROM SONGS",
    "albums": "SELECT album_id FROM ALBUM",
    "artists": "SELECT artist_id FROM ARTIST",
}
DLT = {t: f"SELECT DISTINCT id FROM seed.{t}" for t in ("songs", "albums", "artists")}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the input here")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-double", action="store_true", help="skip the 2x input run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (medians)")
    parser.add_argument("--child", choices=["floor", "dlt"])
    parser.add_argument("--raw", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if args.child:
        child(args.child, args.raw, args.out)
        return
    from seed_pages import double, write_pages

    work = Path(tempfile.mkdtemp(prefix="bench-e2e-"))
    data = args.keep or work / "data"
    single, doubled = data / f"single-{args.items}", data / f"doubled-{args.items}"
    try:
        if not single.exists():
            t0 = time.perf_counter()
            files = write_pages(single / "old", args.items)
            print(f"generated {files:,} page files in {time.perf_counter() - t0:.1f}s")
        if not args.no_double and not doubled.exists():
            double(single, doubled)
        pages = _pages(single)
        size = sum(p.stat().st_size for p in pages)
        print(f"input: {len(pages):,} spotify_raw_*.json pages, {size / 1e6:.1f} MB JSON")
        floor = run_child("floor", single, work / "floor", work)
        # Rounds of dlt, ours, ours at 2x, interleaved, and the median of each: a burst of
        # load from elsewhere or a slower stretch of the machine hits every contender alike.
        rounds: list[tuple[dict[str, float], dict[str, float], dict[str, float] | None]] = []
        for n in range(args.rounds):
            print(f"round {n + 1}/{args.rounds}", flush=True)
            dlt = run_child("dlt", single, work / "dlt", work)
            ours = run_ours(single, work / "ours", work, args.workers)
            ours2 = (
                None if args.no_double else run_ours(doubled, work / "ours2", work, args.workers)
            )
            rounds.append((dlt, ours, ours2))
        dlt = median_of([r[0] for r in rounds])
        ours = median_of([r[1] for r in rounds])
        ours2 = None if args.no_double else median_of([r[2] for r in rounds if r[2] is not None])
        theirs_ids = distinct_ids(work / "dlt" / "dlt.duckdb", DLT)
        ours_ids = distinct_ids(work / "ours" / "w.duckdb", OURS)
        ok = report(floor, dlt, ours, ours2, theirs_ids, ours_ids)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if not ok:
        sys.exit(1)


def report(
    floor: dict[str, float],
    dlt: dict[str, float],
    ours: dict[str, float],
    ours2: dict[str, float] | None,
    theirs_ids: dict[str, set[str]],
    ours_ids: dict[str, set[str]],
) -> bool:
    import dlt as dlt_package

    # Each figure is its own median over the rounds: a total need not be its parts' sum.
    print(f"\n{'contender':<34}{'wall s':>9}{'peak RSS MB':>13}")
    rows = [
        ("floor (read + JSON decode)", floor),
        (f"dlt {dlt_package.__version__} (flat, merge, parquet)", dlt),
        ("ours: transform + load", ours),
        ("  transform", {"seconds": ours["transform_s"], "peak_mb": ours["transform_mb"]}),
        ("  load", {"seconds": ours["load_s"], "peak_mb": ours["load_mb"]}),
    ]
    if ours2 is not None:
        rows.append(("ours at 2x the input", ours2))
    for name, m in rows:
        print(f"{name:<34}{m['seconds']:>9.2f}{m['peak_mb']:>13.1f}")
    print()
    same = all(theirs_ids[t] == ours_ids[t] for t in OURS)
    counts = ", ".join(f"{t} {len(ours_ids[t]):,}/{len(theirs_ids[t]):,}" for t in OURS)
    speed = dlt["seconds"] / ours["seconds"]
    rss = ours["peak_mb"] / dlt["peak_mb"]
    load_ratio = ours["load_s"] / ours["transform_s"]
    checks = [
        (f"distinct ids equal (ours/dlt: {counts})", same),
        (f"end to end vs dlt: {speed:.1f}x faster (target >= 3x)", speed >= 3),
        (f"peak RSS vs dlt: {rss:.2f}x (whole process tree; target <= 0.5x)", rss <= 0.5),
        (f"load / transform time: {load_ratio:.2f}x (target <= 1.5x)", load_ratio <= 1.5),
    ]
    if ours2 is not None:
        t2 = ours2["seconds"] / ours["seconds"]
        r2 = ours2["peak_mb"] / ours["peak_mb"]
        checks.append((f"2x input: time {t2:.2f}x (target <= 2.2x)", t2 <= 2.2))
        checks.append((f"2x input: peak RSS {r2:.2f}x (target <= 1.3x)", r2 <= 1.3))
    for text, good in checks:
        print(f"{'PASS' if good else 'FAIL'}  {text}")
    print(
        f"floor: read + decode takes {floor['seconds']:.2f}s; end to end is "
        f"{ours['seconds'] / floor['seconds']:.1f}x the floor (dlt: "
        f"{dlt['seconds'] / floor['seconds']:.1f}x)"
    )
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        print(f"note: load average {os.getloadavg()[0]:.1f}: wall times are noisy")
    return all(good for _, good in checks)


if __name__ == "__main__":
    main()
