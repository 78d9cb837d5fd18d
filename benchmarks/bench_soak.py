"""Soak: 30 seeded fault-injected pipelines, each run until it reports done, must converge on
the fault-free warehouse, row for row.

    .venv/bin/python benchmarks/bench_soak.py [--quick] [--runs N]

Each pipeline gets its own lake, warehouse and simulator (development profile, the default
for every new app), with one to three faults drawn from its seed: 5xx replies, dropped
connections, truncated bodies, 2-second tokens, a tight rate window (40 requests per 3 s,
unannounced: the client learns it), and a small budget (25 requests per run). With
`max_attempts = 2`, a request whose attempts all fail defers its item to the next run. The
pipeline is rerun (as a scheduler would, on exit 75) until exit 0, at most 20 runs, then its
warehouse is compared with the fault-free reference built in the same process (time columns
aside: when a row was fetched differs by nature). Prints converged/total, the reruns each
needed and the requests spent against the reference's.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb

from bench_extract import SECRETS, user_token
from spotify_etl.config import PipelineConfig, parse_config
from spotify_etl.extract.context import ExtractRun
from spotify_etl.logs import setup_logging
from spotify_etl.model import TABLES
from spotify_etl.pipeline.run import run_pipeline
from spotify_etl.simulator import Simulator, SimulatorConfig, running_simulator

QUICK = "--quick" in sys.argv
RUNS = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else (5 if QUICK else 30)
MAX_RUNS = 20
SCALE = 3000
TIME_COLUMNS = {"fetched_at", "first_seen_at", "last_seen_at"}
FAULTS: dict[str, dict[str, Any]] = {
    "5xx": {"error_rate": 0.12},
    "dropped": {"drop_rate": 0.08},
    "truncated": {"truncated_rate": 0.08},
    "short_tokens": {"token_lifetime_s": 2.0},
    "tight_window": {"window_requests": 40, "window_seconds": 3.0},
    "small_budget": {},  # a run option, not the simulator's
}


def config_for(folder: Path, sim: Simulator, budget: int) -> PipelineConfig:
    c = sim.catalog
    return parse_config(
        f"""
[spotify]
api_base = "{sim.base_url}"
max_attempts = 2
backoff_base_s = 0.05
backoff_max_s = 0.2
[storage]
raw = "{folder}/lake"
transformed = "{folder}/lake/transformed"
[warehouse]
url = "duckdb:///{folder}/wh.duckdb"
[extract]
budget = {budget}
checkpoint_every = 20
[transform]
workers = 1
[sources]
playlists = {c.playlist_ids(2) + c.playlist_ids(1, owner="other")!r}
albums = {c.album_ids(3)!r}
tracks = {c.track_ids(3)!r}
[[sources.artists]]
id = "{c.artist_ids(1)[0]}"
discography = true
[[sources.searches]]
q = "{c.search_terms(1)[0]}"
type = "track"
limit = 15
""",
        base_dir=folder,
    )


def rows(path: Path) -> dict[str, Counter[tuple[Any, ...]]]:
    """Each table's rows as a multiset: a duplicated row is a divergence (DuckDB tables have
    no primary key, so only the MERGE keeps keys unique), which a set would hide."""
    out = {}
    with duckdb.connect(str(path), read_only=True) as con:
        for table in TABLES:
            cols = [
                r[0]
                for r in con.execute(f'DESCRIBE "{table.name}"').fetchall()
                if r[0] not in TIME_COLUMNS
            ]
            select = ", ".join(f'"{c}"' for c in cols)
            found = con.execute(f'SELECT {select} FROM "{table.name}"').fetchall()
            out[table.name] = Counter(found)
    return out


def pipeline(folder: Path, sim_config: SimulatorConfig, budget: int) -> dict[str, Any]:
    """Run until exit 0 (or MAX_RUNS); the runs, exit codes, requests and final rows."""
    folder.mkdir(parents=True)
    codes: list[int] = []
    with running_simulator(sim_config) as sim:
        tokens = user_token(sim, folder / "token.json")
        config = config_for(folder, sim, budget)
        while len(codes) < MAX_RUNS and (not codes or codes[-1] != 0):
            try:
                report = run_pipeline(config, ExtractRun(secrets=SECRETS, token_store=tokens))
                codes.append(report.exit_code)
            except Exception as exc:  # a run that raised: the next run must still converge
                codes.append(getattr(exc, "exit_code", 1))
        requests = sim.stats()["total"]
    return {"codes": codes, "requests": requests, "rows": rows(folder / "wh.duckdb")}


def main() -> int:
    setup_logging(level="ERROR")
    base = SimulatorConfig(profile="development", seed=11, scale=SCALE)
    with tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp:
        started = time.perf_counter()
        reference = pipeline(Path(tmp) / "reference", base, 2000)
        ref_seconds = time.perf_counter() - started
        assert reference["codes"] == [0], reference["codes"]
        total = sum(r.total() for r in reference["rows"].values())
        print(f"reference (no faults): 1 run, {reference['requests']} requests, {total} rows, "
              f"{ref_seconds:.1f} s")  # fmt: skip
        converged, reruns, spent = 0, [], []
        for seed in range(RUNS):
            rng = random.Random(seed)
            kinds = sorted(rng.sample(sorted(FAULTS), rng.randint(1, 3)))
            sim_faults: dict[str, Any] = {}
            for kind in kinds:
                sim_faults.update(FAULTS[kind])
            budget = 25 if "small_budget" in kinds else 2000
            sim_config = SimulatorConfig(
                profile="development", seed=11, scale=SCALE, fault_seed=seed, **sim_faults
            )
            began = time.perf_counter()
            got = pipeline(Path(tmp) / f"soak-{seed}", sim_config, budget)
            same = got["rows"] == reference["rows"] and got["codes"][-1] == 0
            want, have = reference["rows"], got["rows"]
            missing = sum((want[t] - have[t]).total() for t in want)
            extra = sum((have[t] - want[t]).total() for t in want)
            converged += same
            reruns.append(len(got["codes"]) - 1)
            spent.append(got["requests"] / reference["requests"])
            print(
                f"  seed {seed:2d} {'+'.join(kinds):38s} runs {len(got['codes']):2d} "
                f"exits {','.join(map(str, got['codes']))[:40]:40s} "
                f"requests x{spent[-1]:.2f}  {'converged' if same else 'DIVERGED'}"
                f"{'' if same else f' ({missing} rows missing, {extra} extra)'}"
                f"  {time.perf_counter() - began:.0f} s"
            )
    print(f"converged: {converged}/{RUNS}")
    ordered = sorted(reruns)
    print(
        f"reruns needed: median {ordered[len(ordered) // 2]}, max {ordered[-1]}, "
        f"mean {sum(reruns) / len(reruns):.1f}; requests vs the fault-free run: "
        f"mean x{sum(spent) / len(spent):.2f}, max x{max(spent):.2f}"
    )
    return 0 if converged == RUNS else 1


if __name__ == "__main__":
    sys.exit(main())
