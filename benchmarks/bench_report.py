"""Report benchmark: a 30-day warehouse of 10,000 playlist items a day (300,000 PLAYLIST_ITEM
rows, 200 playlists) builds into one HTML file in < 5 s and < 3 MB. Baseline, in the same run:
the same named queries run one after another as `spotify-etl query` would, without the page,
so the ratio is what charts, tables and inlining cost on top of the SQL.

Run: .venv/bin/python benchmarks/bench_report.py [--days 30] [--items 10000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.report_warehouse import build

from spotify_etl.report import build_report
from spotify_etl.warehouse import run_query

TARGET_S, TARGET_BYTES = 5.0, 3 * 1024 * 1024


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--items", type=int, default=10_000, help="playlist items per day")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        t = time.perf_counter()
        wh = build(Path(tmp) / "warehouse.duckdb", days=args.days, items_per_day=args.items)
        _c, rows = wh.execute("SELECT count(*) FROM PLAYLIST_ITEM")
        print(
            f"warehouse: {rows[0][0]:,} PLAYLIST_ITEM rows over {args.days} days "
            f"({time.perf_counter() - t:.1f} s to build)"
        )
        built = build_report(wh, days=args.days)  # warm-up: imports, sqlglot, DuckDB caches
        calls = built.queries  # exactly what the report asked, parameters included
        report_s, query_s, cpu_s = [], [], []
        for _ in range(args.repeat):
            t, c = time.perf_counter(), time.process_time()
            built = build_report(wh, days=args.days)
            report_s.append(time.perf_counter() - t)
            cpu_s.append(time.process_time() - c)
            t = time.perf_counter()
            for name, params in calls:
                run_query(wh, name, params)
            query_s.append(time.perf_counter() - t)
        wh.close()
    rep, base = statistics.median(report_s), statistics.median(query_s)
    size = built.size
    charts = sum(c.spec is not None for c in built.report.cards)
    print(
        f"report: {rep:.2f} s (median of {args.repeat}), {size / 1024 / 1024:.2f} MB, "
        f"{len(built.report.cards)} cards, {charts} charts, {len(calls)} named queries"
    )
    print(
        f"report CPU time, all threads: {statistics.median(cpu_s):.2f} s (wall time far above "
        "CPU time / 2 cores means the machine was shared)"
    )
    print(
        f"baseline (the same named queries, as `spotify-etl query`): {base:.2f} s; "
        f"report / baseline = {rep / base:.2f}x"
    )
    ok = rep < TARGET_S and size < TARGET_BYTES
    print(f"{'PASS' if ok else 'FAIL'}: build < {TARGET_S:.0f} s and file < 3 MB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
