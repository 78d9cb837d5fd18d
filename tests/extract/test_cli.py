"""`spotify-etl extract` as a user runs it: exit codes, one-line errors, the summary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from spotify_etl.extract import run_extract
from spotify_etl.extract.context import ExtractRun
from spotify_etl.extract.state import StateStore
from spotify_etl.simulator import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    Simulator,
    SimulatorConfig,
    running_simulator,
)
from tests.extract.conftest import demo_secrets, lake, make_config


@pytest.fixture(scope="module")
def ext_sim() -> Iterator[Simulator]:
    with running_simulator(SimulatorConfig(profile="extended", seed=42, scale=2000)) as sim:
        yield sim


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SPOTIFY_CLIENT_ID": DEMO_CLIENT_ID,
        "SPOTIFY_CLIENT_SECRET": DEMO_CLIENT_SECRET,
        "HOME": str(tmp_path),  # no token file of the developer's
    }
    return subprocess.run(
        [sys.executable, "-m", "spotify_etl", "extract", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def _write_config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "pipeline.toml"
    path.write_text(f'[storage]\nraw = "lake"\n[sources]\n{body}\n', encoding="utf-8")
    return path


def test_cli_runs_stops_and_resumes(ext_sim: Simulator, tmp_path: Path) -> None:
    c = ext_sim.catalog
    config = _write_config(
        tmp_path,
        f"playlists = {json.dumps(c.playlist_ids(2))}\nalbums = {json.dumps(c.album_ids(2))}",
    )
    stopped = _cli(
        tmp_path, "--config", str(config), "--api-base", ext_sim.base_url, "--budget", "3"
    )
    assert stopped.returncode == 75, stopped.stderr
    assert "extract stopped" in stopped.stdout and "resume with the next run" in stopped.stdout
    done = _cli(tmp_path, "--config", str(config), "--api-base", ext_sim.base_url)
    assert done.returncode == 0, done.stderr
    [summary] = [line for line in done.stdout.splitlines() if line.startswith("extract ")]
    assert summary.startswith("extract complete: run ")
    assert "Traceback" not in done.stderr + stopped.stderr
    assert list((tmp_path / "lake" / "raw" / "_runs").rglob("manifest.json"))


def test_cli_bad_source_is_one_line_exit_2(ext_sim: Simulator, tmp_path: Path) -> None:
    config = _write_config(tmp_path, 'playlists = ["https://open.spotify.com/track/nope"]')
    result = _cli(tmp_path, "--config", str(config), "--api-base", ext_sim.base_url)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: invalid source: sources.playlists[0]")
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_api_base_without_scheme_is_one_line_exit_2(tmp_path: Path) -> None:
    # Not retried as a network fault for seconds and reported as exit 1: a usage error.
    config = _write_config(tmp_path, 'albums = ["4aawyAB9vmqN3uQ7FjRGTy"]')
    result = _cli(tmp_path, "--config", str(config), "--api-base", "127.0.0.1:8080/v1")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().startswith("error: --api-base '127.0.0.1:8080/v1' is not an http")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "lake").exists()


def test_a_failure_saves_the_checkpoint_and_reports_exit_1(tmp_path: Path) -> None:
    with running_simulator(SimulatorConfig(profile="extended", scale=2000, error_rate=1.0)) as sim:
        config = make_config(tmp_path, sim, f"albums = {json.dumps(sim.catalog.album_ids(3))}")
        result = run_extract(config, ExtractRun(secrets=demo_secrets()))
    # Every request failed all its attempts: no progress was possible, so exit 1 (not 75),
    # and the items wait in the checkpoint.
    assert result.outcome == "failed" and result.exit_code == 1
    assert result.reason == "nothing_fetched" and "failed after" in result.message
    assert {d["id"] for d in result.deferred} == set(sim.catalog.album_ids(3))
    state, _ = StateStore(lake(tmp_path)).load()
    assert sorted(state.checkpoints["all"].pending["album"]) == sorted(sim.catalog.album_ids(3))
    assert lake(tmp_path).head(result.manifest_key) is not None


def test_json_log_format_prints_one_json_summary(ext_sim: Simulator, tmp_path: Path) -> None:
    """`--log-format json`: stdout is one JSON object, the run summary's extract object."""
    config = _write_config(tmp_path, f"albums = {json.dumps(ext_sim.catalog.album_ids(2))}")
    done = _cli(
        tmp_path, "--config", str(config), "--api-base", ext_sim.base_url, "--log-format", "json"
    )
    assert done.returncode == 0, done.stderr
    [line] = done.stdout.splitlines()
    summary = json.loads(line)
    assert summary["summary"] == "extract" and summary["exit_code"] == 0
    assert summary["outcome"] == "complete" and summary["raw_parts"] > 0
    assert summary["requests"] <= summary["budget"] and summary["skipped_ids"] == 0
