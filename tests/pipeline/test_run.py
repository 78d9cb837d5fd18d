"""The whole pipeline against the simulator: real HTTP, a real lake folder, a real DuckDB file."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from pydantic import SecretStr

from spotify_etl.config import Secrets, parse_config
from spotify_etl.extract.context import ExtractRun
from spotify_etl.pipeline.run import run_pipeline
from spotify_etl.simulator import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    SimulatorConfig,
    running_simulator,
)

REPO = Path(__file__).resolve().parents[2]
SECRETS = Secrets(
    spotify_client_id=DEMO_CLIENT_ID, spotify_client_secret=SecretStr(DEMO_CLIENT_SECRET)
)


def _config(tmp_path: Path, sim_catalog: object, fmt: str = "csv") -> str:
    catalog = sim_catalog
    playlists = catalog.playlist_ids(2, owner="other")  # type: ignore[attr-defined]
    albums = catalog.album_ids(3)  # type: ignore[attr-defined]
    artist = catalog.artist_ids(1)[0]  # type: ignore[attr-defined]
    return f"""
[storage]
raw = "{tmp_path}/lake"
transformed = "{tmp_path}/lake/transformed"
[warehouse]
url = "duckdb:///{tmp_path}/wh.duckdb"
[transform]
format = "{fmt}"
[sources]
playlists = {playlists!r}
albums = {albums!r}
[[sources.artists]]
id = "{artist}"
[[sources.searches]]
q = "Midnight"
type = "track"
limit = 15
"""


def _counts(path: Path) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        tables = [r[0] for r in con.execute("SHOW TABLES").fetchall()]
        return {
            t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]  # type: ignore[index]
            for t in tables
            if t in ("ALBUM", "ARTIST", "SONGS", "SONG_ARTIST", "PLAYLIST", "PLAYLIST_ITEM")
        }


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_run_twice_converges(tmp_path: Path, fmt: str) -> None:
    # Extended profile: playlist items without a user token, batch endpoints available.
    with running_simulator(SimulatorConfig(profile="extended", seed=7, scale=3000)) as sim:
        config = parse_config(_config(tmp_path, sim.catalog, fmt))
        first = run_pipeline(config, ExtractRun(secrets=SECRETS, api_base=sim.base_url))
        assert first.exit_code == 0, first.extract and first.extract.summary()
        counts = _counts(tmp_path / "wh.duckdb")
        assert all(counts[t] > 0 for t in ("ALBUM", "ARTIST", "SONGS", "PLAYLIST_ITEM")), counts
        assert {t: first.table_counts[t] for t in counts} == counts  # the report tells the truth
        second = run_pipeline(config, ExtractRun(secrets=SECRETS, api_base=sim.base_url))
    assert second.exit_code == 0
    assert second.extract is not None and second.extract.entities_fetched == 0
    assert _counts(tmp_path / "wh.duckdb") == counts


def test_budget_stop_loads_what_was_fetched_and_resumes(tmp_path: Path) -> None:
    with running_simulator(SimulatorConfig(profile="extended", seed=7, scale=3000)) as sim:
        config = parse_config(_config(tmp_path, sim.catalog))
        stopped = run_pipeline(config, ExtractRun(secrets=SECRETS, api_base=sim.base_url, budget=5))
        assert stopped.exit_code == 75
        assert stopped.load is not None and stopped.load.loaded  # partial data still lands
        finished = run_pipeline(config, ExtractRun(secrets=SECRETS, api_base=sim.base_url))
        assert finished.exit_code == 0
        reference = tmp_path / "reference"
        reference.mkdir()
        one_go = run_pipeline(
            parse_config(_config(reference, sim.catalog)),
            ExtractRun(secrets=SECRETS, api_base=sim.base_url),
        )
    assert one_go.exit_code == 0
    resumed, whole = _counts(tmp_path / "wh.duckdb"), _counts(reference / "wh.duckdb")
    assert resumed == whole


def test_unreachable_api_is_one_line_exit_1(tmp_path: Path) -> None:
    (tmp_path / "p.toml").write_text(
        '[spotify]\napi_base = "http://127.0.0.1:9"\nmax_attempts = 2\n'
        '[sources]\nalbums = ["4aawyAB9vmqN3uQ7FjRGTy"]\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPOTIFY_")}
    env |= {"SPOTIFY_CLIENT_ID": "id", "SPOTIFY_CLIENT_SECRET": "planted-secret-value"}
    result = subprocess.run(
        [sys.executable, "-m", "spotify_etl", "run", "--config", "p.toml"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and "127.0.0.1:9" in errors[0] and "api_base" in errors[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert "planted-secret-value" not in result.stderr + result.stdout


def test_demo_runs_twice_with_the_same_counts(tmp_path: Path) -> None:
    """What `make demo` runs, in a copy of the repo's example folder."""
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    command = [sys.executable, "-m", "spotify_etl.pipeline.demo", "examples/demo.toml"]
    runs = [
        subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
        for _ in range(2)
    ]
    for run in runs:
        assert run.returncode == 0, run.stderr[-2000:]
        assert "Traceback" not in run.stderr
        assert "top_artists_by_songs" in run.stdout
    # The closing block, queries that say when they cut, no non-fault printed as one.
    out = runs[0].stdout
    assert "next steps:" in out and "spotify-etl status -c examples/demo.toml" in out
    assert re.search(r"8 of \d+ rows shown", out) and "no files at all" not in out
    assert "playlist_items_accounted" in out and "where this run's rows went" in out
    # Every id in examples/demo.toml exists in the simulator's catalog for seed 42.
    assert " 0 skipped" in " ".join(runs[0].stdout.split())
    counts = _counts(tmp_path / "spotify-data" / "warehouse.duckdb")
    assert all(counts[t] > 0 for t in ("ALBUM", "ARTIST", "SONGS", "PLAYLIST_ITEM")), counts
    # Two daily runs (yesterday, today): the final counts are the same after a rerun.
    first_table = runs[0].stdout[runs[0].stdout.rindex("warehouse rows") :].split("simulator")[0]
    second_table = runs[1].stdout[runs[1].stdout.rindex("warehouse rows") :].split("simulator")[0]
    assert first_table == second_table
    with duckdb.connect(str(tmp_path / "spotify-data" / "warehouse.duckdb")) as con:
        days = con.execute("SELECT count(DISTINCT snapshot_date) FROM PLAYLIST_ITEM").fetchone()
    assert days == (2,)  # the trend queries have two days to compare
    report = tmp_path / "spotify-data" / "report.html"
    assert report.as_uri() in runs[1].stdout and 'id="report-specs"' in report.read_text()


def test_a_locked_warehouse_stops_the_run_before_any_request(tmp_path: Path) -> None:
    with running_simulator(SimulatorConfig(profile="extended", seed=7, scale=3000)) as sim:
        (tmp_path / "p.toml").write_text(_config(tmp_path, sim.catalog))
        holder = subprocess.Popen(
            [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
             "print('locked', flush=True); time.sleep(60)", str(tmp_path / "wh.duckdb")],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
            env = {k: v for k, v in os.environ.items() if not k.startswith("SPOTIFY_")}
            env |= {
                "SPOTIFY_CLIENT_ID": DEMO_CLIENT_ID,
                "SPOTIFY_CLIENT_SECRET": DEMO_CLIENT_SECRET,
            }
            result = subprocess.run(
                [sys.executable, "-m", "spotify_etl", "run", "-c", "p.toml",
                 "--api-base", sim.base_url],
                cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
            )  # fmt: skip
        finally:
            holder.kill()
            holder.wait()
        stats = sim.stats()
    assert result.returncode == 75  # as for a held extraction lease: try again later
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and "locked by another process" in errors[0]
    assert stats["total"] == 0  # not one request spent


def test_status_shows_runs_days_checkpoint_and_pending_loads(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from spotify_etl import cli

    cli.register_commands()
    with running_simulator(SimulatorConfig(profile="extended", seed=7, scale=3000)) as sim:
        (tmp_path / "p.toml").write_text(_config(tmp_path, sim.catalog))
        config = parse_config((tmp_path / "p.toml").read_text(), base_dir=tmp_path)
        stopped = run_pipeline(config, ExtractRun(secrets=SECRETS, api_base=sim.base_url, budget=5))
    assert stopped.extract is not None
    result = CliRunner().invoke(cli.app, ["status", "-c", str(tmp_path / "p.toml")])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert stopped.extract.run_id[:12] in text and "stopped (budget)" in text
    assert "5/5" in text  # budget used of the limit
    assert stopped.extract.dt in text and "checkpoint [all]" in text
    assert "files pending load: 0" in text
