"""Listening-history benchmark: `spotify-etl import history` as a user runs it (with its load
into DuckDB) against json.load + pandas (+ the same load), and `listen`'s requests per quiet
interval.

    .venv/bin/python benchmarks/bench_listen.py [--plays 100000] [--keep DIR]

1. Exports: one extended-streaming-history file of N plays and one of 3N (the simulator's
   generator, the real format, ~850 bytes a play), so memory can be compared across sizes.
2. Each contender runs in a fresh subprocess that reports its wall time and peak RSS:
   - ours: the `import history FILE --config C` command, in-process, with its default load:
     parse, map, write the gzip PLAY files, then load them (landing, MERGE, the fold of
     short-format plays) into a new DuckDB file; the load's share is printed apart;
   - baseline: the usual notebook way: json.load the file, pandas.DataFrame, drop the
     personal columns, to_datetime, to_csv (gzip), then the frame into a DuckDB file's table.
3. listen: a simulated quiet night (no plays) polled at the default 20-minute interval, then
   a busy hour: requests counted by the simulator.
Prints plays/s, ratios and PASS/FAIL against the targets: the command (load included, wall
clock) >= 50,000 plays/s at N and at 3N; peak RSS of the 3N file within 20% of the N file's
(it does not grow with the file); <= 1 request per interval when nothing was played. A FAIL
is printed as one, with the numbers; the exit status is 1.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

START = datetime(2025, 1, 1, tzinfo=UTC)


def _peak_mb() -> float:
    """This process's peak RSS: VmHWM belongs to the address space exec made (ru_maxrss would
    carry over the parent's peak, which generated the exports)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---- children ------------------------------------------------------------------------------
def child_ours(path: Path, work: Path) -> dict[str, float]:
    """`spotify-etl import history FILE --config C` as a user runs it: the CLI command, with
    its default load into a DuckDB file (created by the command: a first import), timed in
    this process from the command's call to its exit; the load's share is timed apart by
    wrapping load_pending (what the command calls), nothing else changes."""
    import contextlib
    import io

    import duckdb

    import spotify_etl.warehouse as warehouse
    from spotify_etl import cli

    config = work / "spotify-etl.toml"
    config.write_text(
        f'[storage]\nraw = "{work / "lake"}"\ntransformed = "{work / "out"}"\n'
        f'[warehouse]\nurl = "duckdb:///{work / "wh.duckdb"}"\n'
    )
    cli.register_commands()
    original, load_seconds = warehouse.load_pending, [0.0]

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            load_seconds[0] += time.perf_counter() - started

    warehouse.load_pending = timed  # type: ignore[assignment]
    printed = io.StringIO()
    started, cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(printed):
        code = cli.app(
            ["import", "history", str(path), "--config", str(config)],
            prog_name="spotify-etl", standalone_mode=False,
        )  # fmt: skip
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if code:
        sys.exit(f"import history exited {code}:\n{printed.getvalue()}")
    con = duckdb.connect(str(work / "wh.duckdb"), read_only=True)
    rows = con.execute("SELECT count(*) FROM PLAY").fetchone()
    con.close()
    first = printed.getvalue().splitlines()[0]  # "read N record(s) ...: P play(s) in ..."
    plays = int(first.split(": ", 1)[1].split(" ", 1)[0])
    return {
        "plays": plays, "seconds": seconds, "cpu": cpu, "rss_mb": _peak_mb(),
        "load_seconds": load_seconds[0], "loaded_rows": rows[0] if rows else 0,
    }  # fmt: skip


def child_baseline(path: Path, work: Path) -> dict[str, float]:
    """The usual notebook way, with the load too: json.load, a DataFrame, the personal columns
    dropped, to_datetime, duplicates dropped, to_csv (gzip, the lake file), then the frame into
    a table of a DuckDB file (DuckDB's fastest path from pandas, no MERGE)."""
    import duckdb
    import pandas as pd

    started, cpu = time.perf_counter(), time.process_time()
    with path.open("rb") as fh:
        records = json.load(fh)
    frame = pd.DataFrame(records)
    frame = frame.drop(columns=["ip_addr", "username"], errors="ignore")
    frame = frame[frame["spotify_track_uri"].notna()]
    frame["played_at"] = pd.to_datetime(frame["ts"], utc=True)
    frame["song_id"] = frame["spotify_track_uri"].str.slice(14)
    frame = frame.drop_duplicates(["played_at", "song_id"])
    frame.to_csv(work / "plays.csv.gz", index=False, compression="gzip")
    con = duckdb.connect(str(work / "baseline.duckdb"))
    con.register("frame", frame)
    con.execute("CREATE TABLE plays AS SELECT * FROM frame")
    con.close()
    return {
        "plays": len(frame), "seconds": time.perf_counter() - started,
        "cpu": time.process_time() - cpu, "rss_mb": _peak_mb(),
    }  # fmt: skip


def _run_child(kind: str, path: Path, work: Path) -> dict[str, float]:
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path), str(work)],
        capture_output=True, text=True,
    )  # fmt: skip
    if proc.returncode != 0:
        sys.exit(f"{kind} on {path.name} failed:\n{proc.stderr[-3000:]}")
    out = dict(json.loads(proc.stdout.strip().splitlines()[-1]))
    out["process_seconds"] = time.perf_counter() - started  # with Python's start and imports
    return out


# ---- the export files ----------------------------------------------------------------------
def _export(n: int, folder: Path) -> Path:
    from spotify_etl.simulator.catalog import Catalog
    from spotify_etl.simulator.history_export import write_export
    from spotify_etl.simulator.playclock import PlayClock, PlayClockSettings

    rate = 12.0
    clock = PlayClock(Catalog(42, 10_000), PlayClockSettings(start=START, plays_per_hour=rate))
    end = START + timedelta(hours=n / rate * 1.02)
    [path] = write_export(clock, folder, START, end, per_file=10**9)
    return path


# ---- listen --------------------------------------------------------------------------------
def bench_listen(work: Path) -> tuple[float, float]:
    from tests.extract.conftest import demo_secrets, user_token
    from tests.pipeline.listening import LISTEN_SCOPES, listen_config_text

    from spotify_etl.config import parse_config
    from spotify_etl.pipeline.listen import DEFAULT_INTERVAL_S, Listener
    from spotify_etl.simulator import SimulatorConfig, running_simulator
    from spotify_etl.simulator.catalog import Catalog
    from spotify_etl.simulator.playclock import PlayClock, PlayClockSettings

    # Asleep from midnight to 06:00, then ~12 plays an hour (a burst-free morning).
    settings = PlayClockSettings(start=START, plays_per_hour=12, bursts=())
    clock = PlayClock(Catalog(42, 2_000), settings)
    quiet = PlayClock(Catalog(42, 2_000), PlayClockSettings(start=START, plays_per_hour=0.001))
    out = []
    for name, c, polls in (("quiet night", quiet, 18), ("busy hours", clock, 18)):
        root = work / name.replace(" ", "-")
        root.mkdir(parents=True)
        with running_simulator(SimulatorConfig(seed=42, scale=2_000, play_clock=c)) as sim:
            token = user_token(sim, root / "token.json", scopes=LISTEN_SCOPES)
            config = parse_config(listen_config_text(root, sim), base_dir=root)
            listener = Listener(config, secrets=demo_secrets(), token_store=token)
            for _ in range(polls):
                c.advance(DEFAULT_INTERVAL_S)
                listener.poll_once()
            stats = sim.stats()["by_endpoint"]
            assert isinstance(stats, dict)
            requests = sum(
                n for k, by in stats.items() if k.startswith("GET /v1/") for n in by.values()
            )
            per = requests / polls
            print(
                f"listen, {name}: {polls} intervals of 20 min, {requests} Web API requests "
                f"({per:.2f} per interval), {listener.report.plays} plays, "
                f"{listener.report.rows_loaded} rows loaded"
            )
            out.append(per)
    return out[0], out[1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plays", type=int, default=100_000)
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--child", nargs=3, metavar=("KIND", "FILE", "WORK"))
    args = parser.parse_args()
    if args.child:
        kind, path, work = args.child
        fn = child_ours if kind == "ours" else child_baseline
        print(json.dumps(fn(Path(path), Path(work))))
        return 0
    work = Path(args.keep or tempfile.mkdtemp(prefix="bench-listen-"))
    try:
        small = _export(args.plays, work / "small")
        large = _export(args.plays * 3, work / "large")
        results = {}
        for label, path in (("N", small), ("3N", large)):
            mb = path.stat().st_size / 1e6
            ours = _run_child("ours", path, work / f"ours-{label}")
            base = _run_child("baseline", path, work / f"base-{label}")
            results[label] = (ours, base)
            files_s = ours["seconds"] - ours["load_seconds"]
            print(
                f"import history {label} (with its load): {ours['plays']:,.0f} plays "
                f"({mb:,.0f} MB): ours {ours['plays'] / ours['seconds']:,.0f} plays/s "
                f"({ours['seconds']:.2f} s, {ours['plays'] / ours['cpu']:,.0f} per CPU-second), "
                f"peak RSS {ours['rss_mb']:,.0f} MB | json.load + pandas + DuckDB "
                f"{base['plays'] / base['seconds']:,.0f} plays/s ({base['seconds']:.2f} s, "
                f"{base['plays'] / base['cpu']:,.0f} per CPU-second), peak RSS "
                f"{base['rss_mb']:,.0f} MB | {base['seconds'] / ours['seconds']:.1f}x faster "
                f"({base['cpu'] / ours['cpu']:.1f}x less CPU), RSS "
                f"{ours['rss_mb'] / base['rss_mb']:.2f}x"
            )
            print(
                f"  of which: export -> PLAY files {files_s:.2f} s "
                f"({ours['plays'] / files_s:,.0f} plays/s), load into DuckDB "
                f"{ours['load_seconds']:.2f} s ({ours['loaded_rows']:,.0f} PLAY rows); whole "
                f"process with Python's start: ours {ours['process_seconds']:.2f} s, baseline "
                f"{base['process_seconds']:.2f} s"
            )
            if ours["loaded_rows"] != ours["plays"]:
                sys.exit(f"PLAY holds {ours['loaded_rows']} rows, the import wrote {ours['plays']}")
        (o1, _), (o3, b3) = results["N"], results["3N"]
        rate = o3["plays"] / o3["seconds"]
        cpu_rate = o3["plays"] / o3["cpu"]
        load = Path("/proc/loadavg").read_text().split()[0]
        print(
            f"machine load average {load} on {os.cpu_count()} CPUs (wall-clock rates shrink "
            "with it; the target is judged on wall clock, the command as a user waits for it)"
        )
        growth = o3["rss_mb"] / o1["rss_mb"] - 1
        quiet, busy = bench_listen(work / "listen")
        rate_n = o1["plays"] / o1["seconds"]
        checks = [
            (
                f"import history with its load >= 50,000 plays/s (N file, wall clock): "
                f"{rate_n:,.0f} ({o1['plays'] / o1['cpu']:,.0f} per CPU-second)",
                rate_n >= 50_000,
            ),
            (
                f"import history with its load >= 50,000 plays/s (3N file, wall clock): "
                f"{rate:,.0f} ({cpu_rate:,.0f} per CPU-second)",
                rate >= 50_000,
            ),
            (f"peak RSS 3N vs N file, load included: {growth:+.1%} (< 20%)", growth < 0.20),
            (f"listen requests per quiet interval: {quiet:.2f} (<= 1)", quiet <= 1),
            (f"listen requests per busy interval: {busy:.2f} (== 1)", busy == 1),
        ]
        for text, ok in checks:
            print(f"{'PASS' if ok else 'FAIL'}  {text}")
        _ = b3
        return 0 if all(ok for _, ok in checks) else 1
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
