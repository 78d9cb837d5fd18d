"""A request that fails all its attempts defers its item to the next run instead of failing
the run; the run fails only when no request succeeded at all."""

from __future__ import annotations

import json
from pathlib import Path

from spotify_etl.extract import run_extract
from spotify_etl.extract.context import ExtractRun
from spotify_etl.extract.state import StateStore
from spotify_etl.simulator import Simulator, SimulatorConfig, running_simulator
from tests.extract.conftest import demo_secrets, lake, make_config


def _sources(sim: Simulator) -> str:
    c = sim.catalog
    return (
        f"albums = {json.dumps(c.album_ids(12))}\n"
        f"tracks = {json.dumps(c.track_ids(12))}\n"
        f"artists = {json.dumps(c.artist_ids(6))}\n"
    )


def test_failed_items_wait_for_the_next_run_which_completes_them(tmp_path: Path) -> None:
    flaky = SimulatorConfig(profile="development", scale=2000, error_rate=0.25, fault_seed=5)
    with running_simulator(flaky) as sim:
        config = make_config(tmp_path / "flaky", sim, _sources(sim))
        # One attempt: every 5xx exhausts its request's attempts.
        config = config.model_copy(
            update={"spotify": config.spotify.model_copy(update={"max_attempts": 1})}
        )
        first = run_extract(config, ExtractRun(secrets=demo_secrets()))
        assert first.outcome == "stopped" and first.reason == "deferred"
        assert first.exit_code == 75 and first.entities_fetched > 0
        assert first.deferred and all(
            "failed after 1 attempts" in d["reason"] for d in first.deferred
        )
        manifest = json.loads(lake(tmp_path / "flaky").get(first.manifest_key))
        assert manifest["deferred"] == first.deferred
        state, _ = StateStore(lake(tmp_path / "flaky")).load()
        saved = state.checkpoints["all"]
        assert {f"{d['kind']}:{d['id']}" for d in first.deferred} == set(saved.deferred)
        runs = [first]
        while runs[-1].outcome != "complete" and len(runs) < 10:
            runs.append(run_extract(config, ExtractRun(secrets=demo_secrets())))
        assert runs[-1].outcome == "complete", [r.summary() for r in runs]
    with running_simulator(SimulatorConfig(profile="development", scale=2000)) as clean_sim:
        clean = run_extract(
            make_config(tmp_path / "clean", clean_sim, _sources(clean_sim)),
            ExtractRun(secrets=demo_secrets()),
        )
    assert clean.outcome == "complete"
    known = StateStore(lake(tmp_path / "flaky")).load()[0].known
    reference = StateStore(lake(tmp_path / "clean")).load()[0].known
    assert {k: set(v) for k, v in known.items()} == {k: set(v) for k, v in reference.items()}
